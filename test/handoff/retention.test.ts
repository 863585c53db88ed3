import { describe, expect, it } from "vitest";
import {
  createAuditLog,
  createDeskEffects,
  createOutbox,
  createStaff,
  createStore,
  createTicketService,
  ERASED_TEXT,
  purgeExpired,
  type Ticket,
} from "../../handoff/index.ts";
import { createTicketStatistics } from "../../handoff/sql/ticket-stats.ts";
import { openSqlite, type SqliteDatabase } from "../../handoff/sqlite/index.ts";
import { MINUTE, movableClock } from "./temp-database.ts";

const DAY = 24 * 60 * MINUTE;
const RETENTION = 90 * DAY;
const ANNA = 1; // the staff id of the one operator (Telegram user 601)

/** Every row of every table, to compare a database before and after. */
function dump(db: SqliteDatabase): Record<string, unknown[]> {
  const tables = db.connection
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((table) => [
      table,
      db.connection.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all(),
    ]),
  );
}

/** The rows of a table without the given columns (what retention must leave as it was). */
function without(rows: unknown[], ...columns: string[]) {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row as Record<string, unknown>).filter(([key]) => !columns.includes(key)),
    ),
  );
}

/**
 * A database with a history: a ticket closed at day 0 and one at day 2 (both
 * with texts, a file, a note and ratings), a ticket waiting since day 0 and
 * one assigned since day 0, questions on day 0 and day 2, outbox rows in
 * every state, handled updates; the clock then moves to day 91.
 */
async function setup() {
  const db = openSqlite(":memory:");
  const clock = movableClock();
  const start = clock.now();
  const staff = createStaff(db, { now: clock.now });
  const { member } = await staff.add({ telegramUserId: 601, name: "Anna", role: "operator" });
  expect(member.id).toBe(ANNA);
  await staff.setShift(ANNA, true);
  const tickets = createTicketService(db, { now: clock.now });
  const store = createStore(db, { now: clock.now });
  const outbox = createOutbox(db, { now: clock.now });

  const open = async (chatId: number, question: string): Promise<Ticket> => {
    const opened = await tickets.openTicket({
      chatId,
      language: "ru",
      question,
      topIntents: [{ intent: "account.login_recovery", score: 0.4 }],
    });
    if (!opened.ok) throw new Error(opened.reason);
    return opened.ticket;
  };
  const ok = <T extends { ok: boolean }>(result: T) => {
    if (!result.ok) throw new Error(JSON.stringify(result));
    return result;
  };
  const relay = async (
    chatId: number,
    ticketId: number | null,
    text: string,
    end: "sent" | "failed",
  ) => {
    const message = { kind: "text", text } as const;
    const id = await outbox.enqueue(
      ticketId === null ? { chatId, message } : { chatId, ticketId, message },
    );
    if ((await outbox.claimNext(clock.now(), chatId))?.id !== id) throw new Error("not claimed");
    if (end === "sent") await outbox.markSent(id, 100 + id);
    else await outbox.markFailed(id, "403: Forbidden: bot was blocked by the user");
    return id;
  };
  const conversation = async (chatId: number, question: string) => {
    const ticket = await open(chatId, question);
    ok(await tickets.takeTicket(ticket.id, ANNA));
    ok(
      await tickets.addMessage({ direction: "citizen", ticketId: ticket.id, text: `${question}!` }),
    );
    ok(
      await tickets.addMessage({
        direction: "citizen",
        ticketId: ticket.id,
        file: { id: `photo-of-passport-${chatId}`, kind: "photo" },
      }),
    );
    ok(
      await tickets.addMessage({
        direction: "citizen",
        ticketId: ticket.id,
        text: "вот скан",
        file: { id: `scan-${chatId}`, kind: "document" },
      }),
    );
    ok(
      await tickets.addMessage({
        direction: "operator",
        operatorId: ANNA,
        ticketId: ticket.id,
        text: "Проверьте СНИЛС",
      }),
    );
    ok(
      await tickets.addMessage({
        direction: "note",
        operatorId: ANNA,
        ticketId: ticket.id,
        text: "гражданин Иванов",
      }),
    );
    await relay(chatId, ticket.id, "Проверьте СНИЛС", "sent");
    await relay(ANNA, ticket.id, `${question}!`, "sent");
    return ticket;
  };
  const question = (chatId: number, text: string) =>
    store.recordQuestion({
      chatId,
      text,
      language: "ru",
      decision: "escalate",
      intent: null,
      confidence: 0.2,
      candidates: [{ intent: "account.login_recovery", score: 0.4 }],
    });

  // Day 0: the old closed ticket, two tickets still open, questions, an update.
  const oldClosed = await conversation(10, "Не приходит код на +7 900 000-00-00");
  ok(await tickets.close(oldClosed.id, ANNA));
  ok(await tickets.rate(oldClosed.id, 10, 4, true));
  const oldWaiting = await open(20, "Ждёт с первого дня");
  ok(await tickets.addMessage({ direction: "citizen", ticketId: oldWaiting.id, text: "ещё жду" }));
  const cardOfWaiting = await relay(
    ANNA,
    oldWaiting.id,
    "Новое обращение: Ждёт с первого дня",
    "sent",
  );
  const oldAssigned = await conversation(30, "Взят в первый день");
  await question(10, "как восстановить пароль, паспорт 4510 123456");
  await store.markHandled(1);
  const failedNoTicket = await relay(40, null, "ответ бота", "failed");
  const pendingOld = await outbox.enqueue({
    chatId: 50,
    message: { kind: "text", text: "ещё в пути" },
  });

  // Day 2: a ticket closed then (89 days old at day 91), a question.
  clock.advance(2 * DAY);
  const recentClosed = await conversation(60, "Закрыт на второй день");
  ok(await tickets.close(recentClosed.id, ANNA));
  ok(await tickets.rate(recentClosed.id, 60, 2, false));
  await question(60, "вопрос второго дня");

  // An update handled on day 90; now it is day 91.
  clock.set(start + 90 * DAY);
  await store.markHandled(2);
  clock.set(start + 91 * DAY);

  return {
    db,
    clock,
    start,
    tickets,
    outbox,
    ids: { oldClosed, oldWaiting, oldAssigned, recentClosed },
    rows: { cardOfWaiting, failedNoTicket, pendingOld },
    purge: (dryRun = false) =>
      purgeExpired(db, { olderThanMs: RETENTION, now: clock.now(), dryRun }),
  };
}

const messagesOf = (db: SqliteDatabase, ticketId: number) =>
  db.connection
    .prepare("SELECT text, file_id, file_kind FROM ticket_messages WHERE ticket_id = ? ORDER BY id")
    .all(ticketId);

describe("purgeExpired", () => {
  it("erases the texts and files of a ticket closed 91 days ago and keeps one closed 89 days ago", async () => {
    const { db, tickets, ids, purge } = await setup();
    const recentBefore = await tickets.transcript(ids.recentClosed.id);

    const counts = await purge();

    expect((await tickets.ticket(ids.oldClosed.id))?.question).toBe(ERASED_TEXT);
    expect(messagesOf(db, ids.oldClosed.id)).toEqual(
      Array(5).fill({ text: ERASED_TEXT, file_id: null, file_kind: null }),
    );
    expect(await tickets.transcript(ids.recentClosed.id)).toEqual(recentBefore);
    expect(counts).toMatchObject({ tickets: 1, messages: 5, files: 2 });
  });

  it("never touches an open ticket, waiting or assigned, however old", async () => {
    const { db, tickets, ids, rows, outbox, purge } = await setup();
    const before = await Promise.all(
      [ids.oldWaiting.id, ids.oldAssigned.id].map((id) => tickets.transcript(id)),
    );

    await purge();

    expect(
      await Promise.all(
        [ids.oldWaiting.id, ids.oldAssigned.id].map((id) => tickets.transcript(id)),
      ),
    ).toEqual(before);
    expect(before.map((t) => t?.ticket.question)).toEqual([
      "Ждёт с первого дня",
      "Взят в первый день",
    ]);
    // The new-ticket card of the waiting ticket stays, to be edited when it is taken.
    expect((await outbox.get(rows.cardOfWaiting))?.message).toMatchObject({ kind: "text" });
    const openRows = db.connection
      .prepare("SELECT count(*) FROM outbox WHERE ticket_id IN (?, ?)")
      .pluck()
      .get(ids.oldWaiting.id, ids.oldAssigned.id);
    expect(openRows).toBe(3);
  });

  it("keeps every row, rating, state, time and audit entry, and the statistics", async () => {
    const { db, start, purge } = await setup();
    const statistics = createTicketStatistics(db);
    const before = dump(db);
    const statsBefore = await Promise.all(
      [start, start + 2 * DAY].map((since) => statistics.stats(since)),
    );
    const auditBefore = await createAuditLog(db).entries();

    await purge();

    const after = dump(db);
    expect(without(after.tickets ?? [], "question")).toEqual(
      without(before.tickets ?? [], "question"),
    );
    expect(without(after.ticket_messages ?? [], "text", "file_id", "file_kind")).toEqual(
      without(before.ticket_messages ?? [], "text", "file_id", "file_kind"),
    );
    expect(without(after.questions ?? [], "text")).toEqual(without(before.questions ?? [], "text"));
    for (const table of ["audit_log", "feedback", "staff", "chats", "operator_focus"]) {
      expect(after[table], table).toEqual(before[table]);
    }
    expect(auditBefore.length).toBeGreaterThan(0);
    expect(await createAuditLog(db).entries()).toEqual(auditBefore);
    expect(
      await Promise.all([start, start + 2 * DAY].map((since) => statistics.stats(since))),
    ).toEqual(statsBefore);
    expect(statsBefore[0]).toMatchObject({ closed: 2, rated: 2, solved: 1, unsolved: 1 });
  });

  it("deletes delivered and failed outbox rows past the period, never pending ones", async () => {
    const { db, ids, rows, outbox, purge } = await setup();
    const relayedOf = (ticketId: number) =>
      db.connection.prepare("SELECT id FROM outbox WHERE ticket_id = ?").pluck().all(ticketId);
    const recentRows = relayedOf(ids.recentClosed.id);

    const counts = await purge();

    expect(relayedOf(ids.oldClosed.id)).toEqual([]);
    expect(await outbox.get(rows.failedNoTicket)).toBeUndefined();
    expect(await outbox.get(rows.pendingOld)).toMatchObject({ state: "pending" });
    expect(relayedOf(ids.recentClosed.id)).toEqual(recentRows);
    expect(recentRows).toHaveLength(2);
    expect(counts.outbox).toBe(3); // the old closed ticket's two rows and the failed one
  });

  it("erases questions asked before the cutoff, keeping their decision and candidates", async () => {
    const { db, purge } = await setup();
    const counts = await purge();
    const questions = db.connection
      .prepare("SELECT chat_id, text, decision, candidates FROM questions ORDER BY id")
      .all();
    expect(questions).toEqual([
      {
        chat_id: 10,
        text: ERASED_TEXT,
        decision: "escalate",
        candidates: JSON.stringify([{ intent: "account.login_recovery", score: 0.4 }]),
      },
      expect.objectContaining({ chat_id: 60, text: "вопрос второго дня" }),
    ]);
    expect(counts.questions).toBe(1);
  });

  it("forgets handled updates older than three days only", async () => {
    const { db, purge } = await setup();
    expect((await purge()).updates).toBe(1);
    expect(db.connection.prepare("SELECT update_id FROM processed_updates").pluck().all()).toEqual([
      2,
    ]);
  });

  it("deletes saved updates never handled once they are older than the retention period", async () => {
    const db = openSqlite(":memory:");
    const clock = movableClock();
    const store = createStore(db, { now: clock.now });
    await store.saveUpdates([{ update_id: 1 }]);
    clock.advance(89 * DAY);
    await store.saveUpdates([{ update_id: 2 }]);
    clock.advance(2 * DAY);
    expect((await purgeExpired(db, { olderThanMs: 90 * DAY, now: clock.now() })).inbox).toBe(1);
    expect(db.connection.prepare("SELECT update_id FROM inbox").pluck().all()).toEqual([2]);
  });

  it("deletes rendered desk effects older than three days, never one still to render", async () => {
    const db = openSqlite(":memory:");
    const clock = movableClock();
    const effects = createDeskEffects(db, { now: clock.now });
    const said = (text: string) =>
      ({
        kind: "citizen",
        chatId: 10,
        language: "ru",
        notice: { kind: "from_operator", text },
      }) as const;
    const old = await effects.record(said("старое"), { rendered: true });
    const waiting = await effects.record(said("ждёт отрисовки"), { rendered: false });
    clock.advance(2 * DAY);
    const recent = await effects.record(said("свежее"), { rendered: true });
    clock.advance(2 * DAY);
    const counts = await purgeExpired(db, { olderThanMs: 90 * DAY, now: clock.now() });
    expect(counts.effects).toBe(1);
    expect((await effects.after(0, 10)).map((e) => e.id)).toEqual([waiting, recent]);
    expect(old).toBeLessThan(waiting);
  });

  it("is idempotent: a second run erases nothing and changes nothing", async () => {
    const { db, purge } = await setup();
    const first = await purge();
    expect(Object.values(first).some((n) => (n ?? 0) > 0)).toBe(true);
    const afterFirst = dump(db);
    expect(await purge()).toEqual({
      tickets: 0,
      messages: 0,
      files: 0,
      questions: 0,
      outbox: 0,
      updates: 0,
      inbox: 0,
      effects: 0,
      sessions: 0,
      signInFailures: 0,
      suggestions: 0,
    });
    expect(dump(db)).toEqual(afterFirst);
  });

  it("on a dry run counts what a real run then erases, and changes nothing", async () => {
    const { db, purge } = await setup();
    const before = dump(db);
    const dry = await purge(true);
    expect(dump(db)).toEqual(before);
    expect(await purge()).toEqual(dry);
    expect(dump(db)).not.toEqual(before);
  });

  it("erases the ticket closed 89 days ago once the clock passes its 90 days", async () => {
    const { clock, tickets, ids, purge } = await setup();
    await purge();
    clock.advance(2 * DAY);
    expect(await purge()).toMatchObject({
      tickets: 1,
      messages: 5,
      files: 2,
      questions: 1,
      outbox: 2,
    });
    expect(await tickets.ticket(ids.recentClosed.id)).toMatchObject({
      question: ERASED_TEXT,
      rating: 2,
      solved: false,
    });
  });

  it("erases the question in operators' suggestions about expired tickets or made before the cutoff", async () => {
    const { db, clock, start, ids, purge } = await setup();
    const suggest = db.connection.prepare(
      `INSERT INTO suggestions (ticket_id, question, language, intent, operator_id, created_at,
         state, decided_at) VALUES (?, ?, 'ru', ?, ?, ?, ?, ?)`,
    );
    // Made just now, but about the ticket closed 91 days ago.
    suggest.run(
      ids.oldClosed.id,
      "Не приходит код на +7 900 000-00-00",
      null,
      ANNA,
      clock.now(),
      "pending",
      null,
    );
    suggest.run(
      ids.recentClosed.id,
      "Закрыт на второй день",
      "account.login_recovery",
      ANNA,
      start + 2 * DAY,
      "accepted",
      start + 3 * DAY,
    );
    const rows = () =>
      db.connection
        .prepare(
          "SELECT ticket_id, question, intent, state, decided_at FROM suggestions ORDER BY id",
        )
        .all();
    const before = rows();

    expect((await purge()).suggestions).toBe(1);
    expect(rows()).toEqual([{ ...(before[0] as object), question: ERASED_TEXT }, before[1]]);

    clock.advance(2 * DAY);
    expect((await purge()).suggestions).toBe(1);
    expect(rows()).toEqual(before.map((row) => ({ ...(row as object), question: ERASED_TEXT })));
    expect((await purge()).suggestions).toBe(0);
  });

  it("says null for suggestions on a database without that table", async () => {
    const { db, purge } = await setup();
    await db.exec("DROP TABLE IF EXISTS suggestions");
    expect(await purge()).toMatchObject({ tickets: 1, suggestions: null });
  });

  it("refuses a negative period", async () => {
    const db = openSqlite(":memory:");
    await expect(purgeExpired(db, { olderThanMs: -1 })).rejects.toThrow(RangeError);
  });
});
