import { beforeAll, describe, expect, it } from "vitest";
import { createMatcher, type Matcher, replyTo } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";

let matcher: Matcher;
beforeAll(() => {
  matcher = createMatcher(realKnowledgeBase());
});

const decisionOf = (text: string) => matcher.match(text).decision;

describe("matching a message", () => {
  it("repairs text typed with the wrong keyboard layout", () => {
    const result = matcher.match("pf,kjrbhjdfkb frrfeyn");
    expect(result.analysis.layout).toBe("qwerty_to_cyrillic");
    expect(result.analysis.tokens.map((t) => t.word)).toEqual(["заблокировали", "аккаунт"]);
    expect(result.decision).toEqual({ kind: "answer", intent: "account.login_recovery" });
  });

  it("repairs the punctuation of a wrong layout and its chunks that are Latin words too", () => {
    const result = matcher.match("rfr djccnfyjdbnm gfhjkm&");
    expect(result.analysis.layout).toBe("qwerty_to_cyrillic");
    expect(result.analysis.tokens.map((t) => t.word)).toEqual(["как", "восстановить", "пароль"]);
    // "pf" is a code in an example ("код услуги PF") and "за" on ЙЦУКЕН.
    const thanks = matcher.match("cgfcb,j pf gjvjom");
    expect(thanks.analysis.tokens.map((t) => t.word)).not.toContain("pf");
  });

  it("does not take a verb for a country that shares its letters", () => {
    expect(decisionOf("сайт не грузится")).toEqual({
      kind: "answer",
      intent: "tech.site_problems",
    });
    expect(matcher.match("не грузится").candidates[0]?.intent).not.toBe("contacts.abroad");
  });

  it("repairs a misspelling of a word the synonyms rewrite, then rewrites it", () => {
    const words = (text: string) => matcher.match(text).analysis.tokens.map((t) => t.corrected);
    expect(words("как сменить пачту")).toContain("email");
    expect(words("как завести учеттку")).toContain("аккаунт");
    // A real word misspelt for one of ours, told by the word next to it.
    expect(words("часы роботы поддержки")).toContain("работы");
    expect(words("купил роботы пылесосы")).not.toContain("работы");
    // A real word stays itself: "почти" is no misspelt "почте".
    expect(words("почти всё сделал")).not.toContain("email");
  });

  it("keeps real Latin words in a Russian message", () => {
    const result = matcher.match("не приходит sms на телефон при регистрации");
    expect(result.analysis.layout).toBe("none");
    expect(result.analysis.language).toBe("ru");
    const words = matcher
      .match("страница не грузится в chrome")
      .analysis.tokens.map((t) => t.corrected);
    expect(words).not.toContain("кроме");
  });

  it("answers an English question in English", () => {
    const reply = replyTo(realKnowledgeBase(), matcher, "How do I reset my password?");
    expect(reply.kind).toBe("answer");
    expect(reply.language).toBe("en");
    if (reply.kind === "answer") expect(reply.answer.html).not.toMatch(/[а-я]{4}/);
  });

  it("escalates what has no words, and gibberish, without guessing", () => {
    for (const text of ["", "   ", "👍👍🙂", "....", "\u0000\u0007"]) {
      expect(decisionOf(text), JSON.stringify(text)).toEqual({ kind: "escalate", reason: "empty" });
    }
    for (const text of ["ывапролдж", "asdkjh qwpoe zmxn", "1234567890"]) {
      expect(decisionOf(text).kind, text).toBe("escalate");
    }
  });

  it("repairs a misspelt word towards the knowledge base's vocabulary", () => {
    const result = matcher.match("забыл пороль");
    expect(result.analysis.tokens.map((t) => t.corrected)).toContain("пароль");
  });

  it("reads a greeting alone as small talk, and a greeting before a question as the question", () => {
    expect(decisionOf("здравствуйте")).toEqual({ kind: "answer", intent: "smalltalk.greeting" });
    const withQuestion = matcher.match("Здравствуйте! Как восстановить пароль от госуслуг?");
    expect(withQuestion.analysis.tokens.some((t) => t.courtesy)).toBe(false);
    expect(withQuestion.decision).toEqual({ kind: "answer", intent: "account.login_recovery" });
  });

  it("offers choices only among close candidates, at most three", () => {
    for (const text of ["почта", "телефон", "заявление", "приложение"]) {
      const { decision, candidates } = matcher.match(text);
      if (decision.kind !== "clarify") continue;
      expect(decision.intents.length).toBeGreaterThan(0);
      expect(decision.intents.length).toBeLessThanOrEqual(3);
      expect(decision.intents[0]).toBe(candidates[0]?.intent);
    }
  });

  it("handles a message of Telegram's maximum length", () => {
    const long = "не могу войти в личный кабинет госуслуг ".repeat(120).slice(0, 4096);
    const result = matcher.match(long);
    expect(["answer", "clarify", "escalate"]).toContain(result.decision.kind);
    expect(result.confidence).toBeGreaterThanOrEqual(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it("gives a confidence in 0..1 that is higher for an answer than for an escalation", () => {
    const answered = matcher.match("как восстановить пароль от госуслуг");
    const escalated = matcher.match("какой рецепт у борща");
    expect(answered.decision.kind).toBe("answer");
    expect(escalated.decision.kind).toBe("escalate");
    expect(answered.confidence).toBeGreaterThan(escalated.confidence);
  });

  it("explains the best candidates with the words they share", () => {
    const result = matcher.match("телефон горячей линии");
    const [first] = matcher.explain(result);
    expect(first?.intent).toBe(result.candidates[0]?.intent);
    expect(first?.sharedWords.length).toBeGreaterThan(0);
  });
});
