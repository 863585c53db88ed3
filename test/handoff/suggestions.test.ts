import { describe, expect, it } from "vitest";
import { decodeDeskAction, encodeDeskAction, OPERATOR_TEXTS } from "../../bot/desk/index.ts";
import {
  createAuditLog,
  createSuggestions,
  type DeskAction,
  type OutboxItem,
  type Person,
} from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { ANNA, BORIS, CHIEF, CITIZEN, kb, NOON, OTHER_CITIZEN, setUpDesk } from "./desk-fixture.ts";

const ENGLISH_CITIZEN = OTHER_CITIZEN;
const title = (intent: string) => kb.byId.get(intent)?.title.ru ?? intent;

/** The desk fixture, with a ticket taken and closed the way these tests need. */
async function setUp() {
  const { handoff, desk, deliver, buttonsOf, idOf } = await setUpDesk();
  const { store } = handoff;
  const to = (rows: OutboxItem[], person: Person) => rows.filter((r) => r.chatId === person.chatId);
  const textOf = (row: OutboxItem | undefined) =>
    row && "text" in row.message ? row.message.text : undefined;
  /** A citizen's ticket, taken by `operator`; the bot had tried the hotline and the schedule. */
  const ticketTakenBy = async (
    operator: Person,
    citizen = CITIZEN,
    question = "куда позвонить если не пришло смс",
  ) => {
    await store.recordQuestion({
      chatId: citizen.chatId,
      text: question,
      language: citizen.language,
      decision: "escalate",
      intent: null,
      confidence: 0.2,
      candidates: [
        { intent: "contacts.hotline", score: 0.41 },
        { intent: "hours.schedule", score: 0.33 },
        { intent: "no.longer_there", score: 0.2 },
      ],
    });
    await desk.press(citizen, "hy");
    const ticket = await handoff.tickets.openTicketOf(citizen.chatId);
    if (!ticket) throw new Error("no ticket opened");
    await desk.press(operator, `ht:${ticket.id}`);
    await deliver();
    return ticket.id;
  };
  const close = async (operator: Person) => {
    await desk.operatorCommand(operator, { name: "close", args: "" });
    return to(await deliver(), operator);
  };
  const topicRows = () => handoff.db.all("SELECT * FROM audit_log WHERE action = 'topic'");
  return { handoff, desk, idOf, deliver, to, textOf, buttonsOf, ticketTakenBy, close, topicRows };
}

describe("button data for the topic of a closed ticket", () => {
  it("round-trips within 64 bytes", () => {
    const actions: DeskAction[] = [
      { kind: "topic", ticketId: 7, intent: "account.identity_verification" },
      { kind: "topic", ticketId: 999_999_999_999_999, intent: "contacts.hotline" },
      { kind: "topic", ticketId: 7, intent: null },
      { kind: "topic_skip", ticketId: 12 },
    ];
    for (const action of actions) {
      const data = encodeDeskAction(action);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(decodeDeskAction(data)).toEqual(action);
    }
    expect(encodeDeskAction({ kind: "topic", ticketId: 7, intent: null })).toBe("hg:7:new");
  });

  it("rejects anything it did not make", () => {
    for (const data of [
      "hg",
      "hg:7",
      "hg:7:",
      "hg:0:new",
      "hg:07:new",
      "hg:x:new",
      "hg:7:News",
      "hg:7:hotline",
      "hg:7:Contacts.Hotline",
      "hg:7:new:1",
      "hg:7:skip:x",
      "hg:7:contacts.hotline:x",
      "hg:-7:skip",
      `hg:7:a.${"b".repeat(60)}`,
    ]) {
      expect(decodeDeskAction(data), data).toBeUndefined();
    }
  });
});

describe("the desk: which intent a closed ticket belonged to", () => {
  it("offers the closing operator the sent answer's intent, the bot's guesses, a new topic and skip", async () => {
    const t = await setUp();
    const id = await t.ticketTakenBy(ANNA);
    await t.desk.operatorCommand(ANNA, { name: "kb", args: "не приходит смс" });
    const choices = t.buttonsOf(t.to(await t.deliver(), ANNA)[0]);
    const sms = choices.find((b) => b.callback_data?.startsWith(`hk:${id}:`));
    const smsIntent = decodeDeskAction(sms?.callback_data ?? "");
    if (smsIntent?.kind !== "canned") throw new Error("no knowledge-base choice");
    await t.desk.press(ANNA, sms?.callback_data ?? "");
    await t.deliver();

    const [closed, ...others] = await t.close(ANNA);
    expect(others).toEqual([]);
    expect(t.textOf(closed)).toContain(`Обращение №${id} закрыто`);
    expect(t.textOf(closed)).toContain("куда позвонить если не пришло смс");
    const buttons = t.buttonsOf(closed);
    // The answer sent first, the bot's guesses next (once each), then a new topic and skip;
    // an intent the knowledge base no longer has is left out.
    const expected = [smsIntent.intent, "contacts.hotline", "hours.schedule"].filter(
      (intent, i, all) => all.indexOf(intent) === i,
    );
    expect(buttons.map((b) => b.text)).toEqual([
      ...expected.map(title),
      "🆕 Новая тема",
      "Пропустить",
    ]);
    expect(buttons.map((b) => b.callback_data)).toEqual([
      ...expected.map((intent) => `hg:${id}:${intent}`),
      `hg:${id}:new`,
      `hg:${id}:skip`,
    ]);
  });

  it("stores the press as a suggestion, confirms it, removes the buttons and audits it", async () => {
    const t = await setUp();
    const id = await t.ticketTakenBy(ANNA);
    const closed = (await t.close(ANNA))[0];
    expect(await t.desk.press(ANNA, `hg:${id}:contacts.hotline`)).toEqual({
      toast: "Спасибо! Тема сохранена: Телефон горячей линии.",
    });
    expect(await t.handoff.suggestions.list()).toEqual([
      {
        id: 1,
        ticketId: id,
        question: "куда позвонить если не пришло смс",
        language: "ru",
        intent: "contacts.hotline",
        operatorId: t.idOf(ANNA),
        createdAt: NOON,
        state: "pending",
        decidedAt: null,
      },
    ]);
    const [edit] = await t.deliver();
    expect(edit?.message).toMatchObject({ kind: "edit", outboxId: closed?.id });
    expect(t.textOf(edit)).toBe(
      `Обращение №${id} закрыто. Гражданину предложено оценить помощь.\nТема: Телефон горячей линии.`,
    );
    expect(t.buttonsOf(edit)).toEqual([]);
    const audit = await createAuditLog(t.handoff.db).latest("topic", { ticketId: id });
    expect(audit).toMatchObject({
      staffId: t.idOf(ANNA),
      details: { intent: "contacts.hotline", suggestionId: 1 },
    });
  });

  it("takes one answer per ticket: a second press gets a notice and changes nothing", async () => {
    const t = await setUp();
    const id = await t.ticketTakenBy(ANNA);
    await t.close(ANNA);
    await t.desk.press(ANNA, `hg:${id}:new`);
    await t.deliver();
    for (const data of [`hg:${id}:contacts.hotline`, `hg:${id}:new`, `hg:${id}:skip`]) {
      expect((await t.desk.press(ANNA, data))?.toast).toBe(
        "Тема этого обращения уже отмечена: новая тема.",
      );
    }
    expect(await t.deliver()).toEqual([]);
    expect(await t.handoff.suggestions.list()).toMatchObject([{ intent: null }]);
    const refused = (await createAuditLog(t.handoff.db).entries({ ticketId: id })).filter(
      (e) => e.action === "topic" && e.details.refused === "already_recorded",
    );
    expect(refused).toHaveLength(3);
  });

  it("refuses another operator; a supervisor may answer", async () => {
    const t = await setUp();
    const id = await t.ticketTakenBy(ANNA);
    await t.close(ANNA);
    expect((await t.desk.press(BORIS, `hg:${id}:contacts.hotline`))?.toast).toBe(
      OPERATOR_TEXTS.topicNotYours(id),
    );
    await t.desk.operatorCommand(BORIS, { name: "topic", args: "new" });
    expect(await t.handoff.suggestions.list()).toEqual([]);
    expect(await createAuditLog(t.handoff.db).entries({ staffId: t.idOf(BORIS) })).toContainEqual(
      expect.objectContaining({ action: "topic", details: { refused: "not_yours" } }),
    );
    expect((await t.desk.press(CHIEF, `hg:${id}:hours.schedule`))?.toast).toContain(
      "Тема сохранена",
    );
    expect(await t.handoff.suggestions.ofTicket(id)).toMatchObject({
      intent: "hours.schedule",
      operatorId: t.idOf(CHIEF),
    });
  });

  it("ignores forged data: citizens, open tickets, unknown ticket or intent", async () => {
    const t = await setUp();
    const open = await t.ticketTakenBy(BORIS, ENGLISH_CITIZEN);
    const id = await t.ticketTakenBy(ANNA);
    await t.close(ANNA);
    // A citizen pressing the operator's button: nothing at all.
    expect(await t.desk.press(CITIZEN, `hg:${id}:contacts.hotline`)).toEqual({});
    // Well-formed but wrong.
    expect((await t.desk.press(BORIS, `hg:${open}:contacts.hotline`))?.toast).toBe(
      `Обращение №${open} ещё не закрыто.`,
    );
    expect((await t.desk.press(ANNA, "hg:999:new"))?.toast).toBe("Такого обращения нет.");
    expect((await t.desk.press(ANNA, `hg:${id}:no.such_intent`))?.toast).toContain(
      "Темы «no.such_intent» нет в базе знаний",
    );
    // Malformed: not a desk button at all.
    expect(await t.desk.press(ANNA, `hg:${id}:Contacts.Hotline`)).toBeUndefined();
    expect(await t.desk.press(ANNA, `hg:${id}:new:extra`)).toBeUndefined();
    expect(await t.deliver()).toEqual([]);
    expect(await t.handoff.suggestions.list()).toEqual([]);
    const citizenTried = await createAuditLog(t.handoff.db).entries({
      telegramUserId: CITIZEN.userId,
    });
    expect(citizenTried).toMatchObject([{ action: "topic", details: { refused: "not_operator" } }]);
  });

  it("skipping removes the buttons and stores nothing; /topic can still answer later", async () => {
    const t = await setUp();
    const id = await t.ticketTakenBy(ANNA);
    await t.close(ANNA);
    expect(await t.desk.press(ANNA, `hg:${id}:skip`)).toEqual({ toast: "Хорошо, без темы." });
    const [edit] = await t.deliver();
    expect(t.textOf(edit)).toBe(`Обращение №${id} закрыто. Гражданину предложено оценить помощь.`);
    expect(t.buttonsOf(edit)).toEqual([]);
    expect(await t.handoff.suggestions.list()).toEqual([]);

    await t.desk.operatorCommand(ANNA, { name: "topic", args: "" });
    expect(t.textOf((await t.deliver())[0])).toContain(`Тема обращения №${id}: /topic`);
    await t.desk.operatorCommand(ANNA, { name: "topic", args: "hotline & co" });
    expect(t.textOf((await t.deliver())[0])).toContain("Темы «hotline &amp; co» нет");
    await t.desk.operatorCommand(ANNA, { name: "topic", args: "contacts.hotline" });
    const said = t.to(await t.deliver(), ANNA).map(t.textOf);
    expect(said).toContain("Спасибо! Тема сохранена: Телефон горячей линии.");
    expect(await t.handoff.suggestions.ofTicket(id)).toMatchObject({ intent: "contacts.hotline" });
  });

  it("/topic answers for the operator's last closed ticket, in the question's language", async () => {
    const t = await setUp();
    await t.desk.operatorCommand(ANNA, { name: "topic", args: "new" });
    expect(t.textOf((await t.deliver())[0])).toBe(
      "Вы ещё не закрывали обращений: /topic отмечает тему последнего закрытого.",
    );
    const first = await t.ticketTakenBy(ANNA);
    await t.close(ANNA);
    const second = await t.ticketTakenBy(ANNA, ENGLISH_CITIZEN, "my SMS code never arrives");
    await t.close(ANNA);
    await t.desk.operatorCommand(ANNA, { name: "topic", args: "NEW" });
    expect(await t.handoff.suggestions.ofTicket(first)).toBeUndefined();
    expect(await t.handoff.suggestions.ofTicket(second)).toMatchObject({
      intent: null,
      language: "en",
      question: "my SMS code never arrives",
    });
  });

  it("offers no buttons when the ticket has no question to learn from", async () => {
    const t = await setUp();
    await t.desk.press(CITIZEN, "hy"); // no recent question: the ticket says "—"
    const ticket = await t.handoff.tickets.openTicketOf(CITIZEN.chatId);
    await t.desk.press(ANNA, `ht:${ticket?.id}`);
    await t.deliver();
    const [closed] = await t.close(ANNA);
    expect(t.buttonsOf(closed)).toEqual([]);
    expect((await t.desk.press(ANNA, `hg:${ticket?.id}:new`))?.toast).toContain("нет вопроса");
  });

  it("nor when the question was only personal data, now masked", async () => {
    const t = await setUp();
    const id = await t.ticketTakenBy(ANNA, CITIZEN, "[СНИЛС] [телефон]");
    const [closed] = await t.close(ANNA);
    expect(t.textOf(closed)).toBe(
      `Обращение №${id} закрыто. Гражданину предложено оценить помощь.`,
    );
    expect(t.buttonsOf(closed)).toEqual([]);
    await t.desk.operatorCommand(ANNA, { name: "topic", args: "contacts.hotline" });
    expect(t.textOf((await t.deliver())[0])).toBe(
      `В обращении №${id} нет вопроса: отмечать нечего.`,
    );
    expect(await t.handoff.suggestions.list()).toEqual([]);
  });
});

describe("suggestions in SQLite", () => {
  it("keeps the first per ticket, lists pending ones oldest first, and decides each once", async () => {
    let clock = 1_000;
    const db = openSqlite(":memory:");
    const suggestions = createSuggestions(db, { now: () => clock });
    const tickets = [1, 2, 3].map(
      (chatId) =>
        db.connection
          .prepare(
            "INSERT INTO tickets (chat_id, language, question, top_intents, state, created_at) VALUES (?, 'ru', 'q', '[]', 'waiting', 0) RETURNING id",
          )
          .get(chatId) as { id: number },
    );
    const base = { question: "вопрос", language: "ru" as const, operatorId: 9 };
    const first = await suggestions.record({
      ...base,
      ticketId: tickets[0]?.id ?? 0,
      intent: "a.b",
    });
    const again = await suggestions.record({
      ...base,
      ticketId: tickets[0]?.id ?? 0,
      intent: null,
    });
    expect(first.ok).toBe(true);
    expect(again).toMatchObject({
      ok: false,
      reason: "already_recorded",
      suggestion: { intent: "a.b" },
    });
    clock = 2_000;
    await suggestions.record({ ...base, ticketId: tickets[1]?.id ?? 0, intent: null });
    await suggestions.record({ ...base, ticketId: tickets[2]?.id ?? 0, intent: "c.d" });
    expect((await suggestions.list()).map((s) => s.id)).toEqual([1, 2, 3]);

    clock = 3_000;
    expect(await suggestions.decide(2, "rejected")).toMatchObject({
      ok: true,
      suggestion: { state: "rejected", decidedAt: 3_000 },
    });
    expect(await suggestions.decide(2, "accepted")).toMatchObject({
      ok: false,
      reason: "already_decided",
    });
    expect(await suggestions.decide(42, "accepted")).toEqual({ ok: false, reason: "not_found" });
    expect((await suggestions.list()).map((s) => s.id)).toEqual([1, 3]);
    expect((await suggestions.list({ all: true })).map((s) => s.state)).toEqual([
      "pending",
      "rejected",
      "pending",
    ]);
    expect(() =>
      db.connection.prepare("UPDATE suggestions SET state = 'accepted' WHERE id = 1").run(),
    ).toThrow(/CHECK/);
    await db.close();
  });
});
