import { describe, expect, it } from "vitest";
import { createStore, ERASED_TEXT, type QuestionRecord } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { MINUTE, movableClock } from "./temp-database.ts";

const question = (
  chatId: number,
  text: string,
  decision: QuestionRecord["decision"],
  intent: string | null = null,
): QuestionRecord => ({
  chatId,
  text,
  language: "ru",
  decision,
  intent,
  confidence: 0.5,
  candidates: [],
});

function storeWithClock() {
  const clock = movableClock();
  const storeDb = openSqlite(":memory:");
  const store = createStore(storeDb, { now: clock.now });
  const ask = async (q: QuestionRecord) => {
    clock.advance(MINUTE);
    await store.recordQuestion(q);
    return clock.now();
  };
  const rate = async (chatId: number, intent: string, helpful: boolean) => {
    clock.advance(MINUTE);
    await store.recordFeedback(chatId, intent, helpful);
    return clock.now();
  };
  return { clock, store, ask, rate };
}

describe("store.unansweredQuestions", () => {
  it("takes escalated and clarified questions, not answered ones", async () => {
    const { store, ask } = storeWithClock();
    const escalated = await ask(question(1, "какая погода", "escalate"));
    const clarified = await ask(question(2, "справка", "clarify"));
    await ask(question(3, "как восстановить пароль", "answer", "account.login_recovery"));
    const { questions, unmatchedFeedback } = await store.unansweredQuestions(0);
    expect(questions.map((q) => [q.text, q.reason, q.at, q.chatId])).toEqual([
      ["какая погода", "escalated", escalated, 1],
      ["справка", "clarified", clarified, 2],
    ]);
    expect(unmatchedFeedback).toBe(0);
  });

  it("joins a 👎 to the same chat's latest question answered with that intent before it", async () => {
    const { store, ask, rate } = storeWithClock();
    await ask(question(1, "старый вопрос про пароль", "answer", "account.login_recovery"));
    await ask(question(1, "не помню пароль", "answer", "account.login_recovery"));
    await ask(question(1, "телефон горячей линии", "answer", "contacts.hotline"));
    await ask(question(2, "пароль другого чата", "answer", "account.login_recovery"));
    const ratedAt = await rate(1, "account.login_recovery", false);
    // Asked after the rating: not the rated one.
    await ask(question(1, "пароль снова", "answer", "account.login_recovery"));
    await rate(1, "contacts.hotline", true); // 👍: answered well
    const { questions } = await store.unansweredQuestions(0);
    expect(questions).toEqual([
      {
        id: 2, // the rated question's own row, the second asked
        chatId: 1,
        text: "не помню пароль",
        language: "ru",
        intent: "account.login_recovery",
        reason: "unhelpful",
        at: ratedAt,
      },
    ]);
  });

  it("counts a question rated 👎 twice once, and a 👎 with no answered question apart", async () => {
    const { store, ask, rate } = storeWithClock();
    await ask(question(1, "телефон горячей линии", "answer", "contacts.hotline"));
    await rate(1, "contacts.hotline", false);
    const last = await rate(1, "contacts.hotline", false);
    await rate(2, "contacts.hotline", false); // chat 2 asked nothing: picked from the menu
    await rate(1, "account.login_recovery", false); // chat 1 never got that answer to a question
    const { questions, unmatchedFeedback } = await store.unansweredQuestions(0);
    expect(questions.map((q) => [q.text, q.at])).toEqual([["телефон горячей линии", last]]);
    expect(unmatchedFeedback).toBe(2);
  });

  it("keeps what happened at or after `since`: asked for a question, rated for a 👎", async () => {
    const { clock, store, ask, rate } = storeWithClock();
    await ask(question(1, "до периода", "escalate"));
    await ask(question(2, "ответ до периода", "answer", "contacts.hotline"));
    const since = clock.now() + MINUTE;
    const atSince = await ask(question(3, "в начале периода", "clarify"));
    expect(atSince).toBe(since);
    await rate(2, "contacts.hotline", false);
    await rate(4, "contacts.hotline", false);
    const { questions, unmatchedFeedback } = await store.unansweredQuestions(since);
    expect(questions.map((q) => [q.text, q.reason])).toEqual([
      ["в начале периода", "clarified"],
      ["ответ до периода", "unhelpful"],
    ]);
    expect(unmatchedFeedback).toBe(1);
    expect(await store.unansweredQuestions(clock.now() + 1)).toEqual({
      questions: [],
      unmatchedFeedback: 0,
      erased: 0,
    });
  });

  it("leaves out questions whose text the retention purge erased, and says how many", async () => {
    const { store, ask } = storeWithClock();
    await ask(question(1, ERASED_TEXT, "escalate"));
    await ask(question(2, "какая погода", "escalate"));
    const { questions, erased } = await store.unansweredQuestions(0);
    expect(questions.map((q) => q.text)).toEqual(["какая погода"]);
    expect(erased).toBe(1);
  });
});
