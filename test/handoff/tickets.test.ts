import { describe, expect, it } from "vitest";
import {
  createAuditLog,
  createOutbox,
  createStaff,
  createTicketService,
  type NewTicket,
  type Ticket,
} from "../../handoff/index.ts";
import { openTestDatabase } from "../storage.ts";
import { MINUTE, movableClock } from "./temp-database.ts";

// Staff ids: a fresh database numbers staff 1, 2, … in the order added
// (checked in setup); their Telegram ids are others.
const ANNA = 1; // operator
const BORIS = 2; // operator
const SVETA = 3; // supervisor
const OLEG = 4; // operator, off shift
const CITIZEN = 500;

const question = (chatId: number, text = "Не приходит код подтверждения"): NewTicket => ({
  chatId,
  language: "ru",
  question: text,
  topIntents: [
    { intent: "account.login_recovery", score: 0.41 },
    { intent: "account.confirm", score: 0.3 },
  ],
});

async function setup() {
  const db = await openTestDatabase();
  const clock = movableClock();
  const operators = createStaff(db, { now: clock.now });
  const ids = [];
  for (const [telegramUserId, name, role] of [
    [1001, "Anna", "operator"],
    [1002, "Boris", "operator"],
    [1003, "Sveta", "supervisor"],
    [1004, "Oleg", "operator"],
  ] as const) {
    ids.push((await operators.add({ telegramUserId, name, role })).member.id);
  }
  expect(ids).toEqual([ANNA, BORIS, SVETA, OLEG]);
  for (const id of [ANNA, BORIS, SVETA]) await operators.setShift(id, true);
  const tickets = createTicketService(db, { now: clock.now });
  const audit = createAuditLog(db);
  const open = async (chatId = CITIZEN, text?: string): Promise<Ticket> => {
    const opened = await tickets.openTicket(question(chatId, text));
    if (!opened.ok) throw new Error(`ticket not opened: ${opened.reason}`);
    return opened.ticket;
  };
  const assigned = async (operatorId = ANNA, chatId = CITIZEN): Promise<Ticket> => {
    const ticket = await open(chatId);
    const taken = await tickets.takeTicket(ticket.id, operatorId);
    if (!taken.ok) throw new Error(`ticket not taken: ${taken.reason}`);
    return taken.ticket;
  };
  return { db, clock, operators, tickets, audit, open, assigned };
}

describe("opening a ticket", () => {
  it("stores the question, the intents tried and the language, and gives the queue place", async () => {
    const { tickets, clock } = await setup();
    const first = await tickets.openTicket(question(CITIZEN));
    expect(first).toMatchObject({
      ok: true,
      position: 1,
      ticket: {
        chatId: CITIZEN,
        language: "ru",
        question: "Не приходит код подтверждения",
        topIntents: question(CITIZEN).topIntents,
        state: "waiting",
        operatorId: null,
        createdAt: clock.now(),
        closedAt: null,
        rating: null,
        solved: null,
      },
    });
    expect(await tickets.openTicket(question(CITIZEN + 1))).toMatchObject({
      ok: true,
      position: 2,
    });
  });

  it("keeps one open ticket per citizen, and a new one after closing", async () => {
    const { tickets, open } = await setup();
    const ticket = await open();
    expect(await tickets.openTicket(question(CITIZEN))).toEqual({
      ok: false,
      reason: "already_open",
      ticket,
    });
    await tickets.takeTicket(ticket.id, ANNA);
    expect(await tickets.openTicket(question(CITIZEN))).toMatchObject({ reason: "already_open" });
    await tickets.close(ticket.id, ANNA);
    expect(await tickets.openTicketOf(CITIZEN)).toBeUndefined();
    const again = await tickets.openTicket(question(CITIZEN));
    expect(again).toMatchObject({ ok: true, ticket: { state: "waiting" } });
    expect(again.ok && again.ticket.id).not.toBe(ticket.id);
  });

  it("has a unique index behind the rule, for writers that skip the service", async () => {
    const { db, open } = await setup();
    await open();
    await expect(
      db.run(
        `INSERT INTO tickets (chat_id, language, question, top_intents, state, created_at)
         VALUES (?, 'ru', 'x', '[]', 'waiting', 0)`,
        [CITIZEN],
      ),
    ).rejects.toThrow(/UNIQUE|unique/);
  });
});

describe("taking a ticket", () => {
  it("assigns it and writes the audit row", async () => {
    const { tickets, audit, clock, open } = await setup();
    const ticket = await open();
    clock.advance(3 * MINUTE);
    const taken = await tickets.takeTicket(ticket.id, ANNA);
    expect(taken).toMatchObject({
      ok: true,
      ticket: {
        state: "assigned",
        operatorId: ANNA,
        assignedAt: clock.now(),
        firstAssignedAt: clock.now(),
      },
    });
    expect(await tickets.openTicketOf(CITIZEN)).toMatchObject({ state: "assigned" });
    expect((await tickets.ticketsOf(ANNA)).map((t) => t.id)).toEqual([ticket.id]);
    expect(await tickets.queue()).toEqual([]);
    expect(await audit.entries({ ticketId: ticket.id })).toMatchObject([
      { staffId: ANNA, action: "take", details: { sinceOpenedMs: 3 * MINUTE } },
    ]);
  });

  it("refuses a taken, closed or unknown ticket, a non-operator and an operator off shift", async () => {
    const { tickets, audit, open, operators } = await setup();
    const ticket = await open();
    await tickets.takeTicket(ticket.id, ANNA);
    expect(await tickets.takeTicket(ticket.id, BORIS)).toMatchObject({
      ok: false,
      reason: "already_taken",
      ticket: { operatorId: ANNA },
    });
    expect(await tickets.takeTicket(999, BORIS)).toEqual({ ok: false, reason: "not_found" });
    const other = await open(CITIZEN + 1);
    expect(await tickets.takeTicket(other.id, CITIZEN)).toEqual({
      ok: false,
      reason: "not_operator",
    });
    expect(await tickets.takeTicket(other.id, OLEG)).toEqual({ ok: false, reason: "off_shift" });
    await operators.setShift(OLEG, true);
    expect(await tickets.takeTicket(other.id, OLEG)).toMatchObject({ ok: true });
    await tickets.close(ticket.id, ANNA);
    expect(await tickets.takeTicket(ticket.id, BORIS)).toEqual({ ok: false, reason: "closed" });

    // Refusals are logged too, with whoever tried, operator or not.
    const refused = (await audit.entries()).filter((e) => e.details.refused !== undefined);
    expect(refused.map((e) => [e.staffId, e.action, e.details.refused])).toEqual([
      [BORIS, "take", "already_taken"],
      [BORIS, "take", "not_found"],
      [CITIZEN, "take", "not_operator"],
      [OLEG, "take", "off_shift"],
      [BORIS, "take", "closed"],
    ]);
  });

  it("takes the ticket that has waited longest with take next", async () => {
    const { tickets, clock, open } = await setup();
    const first = await open(CITIZEN);
    clock.advance(MINUTE);
    const second = await open(CITIZEN + 1);
    expect(await tickets.takeNext(BORIS)).toMatchObject({ ok: true, ticket: { id: first.id } });
    expect(await tickets.takeNext(ANNA)).toMatchObject({ ok: true, ticket: { id: second.id } });
    expect(await tickets.takeNext(ANNA)).toEqual({ ok: false, reason: "queue_empty" });
    expect(await tickets.takeNext(OLEG)).toEqual({ ok: false, reason: "off_shift" });
    expect(await tickets.takeNext(CITIZEN)).toEqual({ ok: false, reason: "not_operator" });
  });
});

describe("release and transfer", () => {
  it("releases a ticket back to its original place in the queue", async () => {
    const { tickets, clock, open, audit } = await setup();
    const first = await open(CITIZEN);
    clock.advance(MINUTE);
    await open(CITIZEN + 1);
    await tickets.takeTicket(first.id, ANNA);
    expect(await tickets.positionOf(first.id)).toBeUndefined();
    clock.advance(MINUTE);
    const released = await tickets.release(first.id, ANNA);
    expect(released).toMatchObject({
      ok: true,
      previousOperatorId: ANNA,
      position: 1,
      ticket: { state: "waiting", operatorId: null, assignedAt: null },
    });
    // The wait already ended once: stats keep the first assignment.
    expect(released.ok && released.ticket.firstAssignedAt).toBe(clock.now() - MINUTE);
    expect(await tickets.ticketsOf(ANNA)).toEqual([]);
    expect((await audit.entries({ ticketId: first.id })).map((e) => e.action)).toEqual([
      "take",
      "release",
    ]);
  });

  it("refuses to release a ticket that is not yours, waiting, closed or unknown", async () => {
    const { tickets, assigned, open } = await setup();
    const ticket = await assigned(ANNA);
    expect(await tickets.release(ticket.id, BORIS)).toEqual({ ok: false, reason: "not_yours" });
    expect(await tickets.release(ticket.id, CITIZEN)).toEqual({
      ok: false,
      reason: "not_operator",
    });
    expect(await tickets.release(999, ANNA)).toEqual({ ok: false, reason: "not_found" });
    const waiting = await open(CITIZEN + 1);
    expect(await tickets.release(waiting.id, ANNA)).toEqual({ ok: false, reason: "not_assigned" });
    await tickets.close(ticket.id, ANNA);
    expect(await tickets.release(ticket.id, ANNA)).toEqual({ ok: false, reason: "closed" });
  });

  it("transfers to another on-shift operator, and back to the queue", async () => {
    const { tickets, assigned, audit, clock } = await setup();
    const ticket = await assigned(ANNA);
    clock.advance(MINUTE);
    expect(await tickets.transfer(ticket.id, ANNA, BORIS)).toMatchObject({
      ok: true,
      previousOperatorId: ANNA,
      ticket: { state: "assigned", operatorId: BORIS, assignedAt: clock.now() },
    });
    expect((await tickets.ticketsOf(BORIS)).map((t) => t.id)).toEqual([ticket.id]);
    expect(await tickets.transfer(ticket.id, ANNA, SVETA)).toEqual({
      ok: false,
      reason: "not_yours",
    });
    expect(await tickets.transfer(ticket.id, BORIS, "queue")).toMatchObject({
      ok: true,
      previousOperatorId: BORIS,
      ticket: { state: "waiting", operatorId: null },
    });
    expect(await tickets.positionOf(ticket.id)).toBe(1);
    expect(
      (await audit.entries({ ticketId: ticket.id }))
        .filter((e) => e.action === "transfer")
        .map((e) => [e.staffId, e.details]),
    ).toEqual([
      [ANNA, { from: ANNA, to: BORIS }],
      [ANNA, { refused: "not_yours" }],
      [BORIS, { from: BORIS, to: "queue" }],
    ]);
  });

  it("refuses a transfer to someone who is not an operator, off shift, or already has it", async () => {
    const { tickets, assigned } = await setup();
    const ticket = await assigned(ANNA);
    expect(await tickets.transfer(ticket.id, ANNA, CITIZEN)).toEqual({
      ok: false,
      reason: "target_not_operator",
    });
    expect(await tickets.transfer(ticket.id, ANNA, OLEG)).toEqual({
      ok: false,
      reason: "target_off_shift",
    });
    expect(await tickets.transfer(ticket.id, ANNA, ANNA)).toEqual({
      ok: false,
      reason: "same_operator",
    });
    expect(await tickets.ticket(ticket.id)).toMatchObject({ state: "assigned", operatorId: ANNA });
  });

  it("lets a supervisor act on anyone's ticket", async () => {
    const { tickets, assigned } = await setup();
    const ticket = await assigned(ANNA);
    expect(await tickets.transfer(ticket.id, SVETA, BORIS)).toMatchObject({
      ok: true,
      ticket: { operatorId: BORIS },
    });
    expect(await tickets.release(ticket.id, SVETA)).toMatchObject({
      ok: true,
      previousOperatorId: BORIS,
    });
    await tickets.takeTicket(ticket.id, BORIS);
    expect(await tickets.close(ticket.id, SVETA)).toMatchObject({
      ok: true,
      ticket: { state: "closed", operatorId: BORIS },
    });
  });
});

describe("closing, rating and cancelling", () => {
  it("closes an assigned ticket of the operator's, then the citizen rates it once", async () => {
    const { tickets, assigned, audit, clock } = await setup();
    const ticket = await assigned(ANNA);
    expect(await tickets.close(ticket.id, BORIS)).toEqual({ ok: false, reason: "not_yours" });
    expect(await tickets.rate(ticket.id, CITIZEN, 5)).toEqual({ ok: false, reason: "not_closed" });
    clock.advance(7 * MINUTE);
    expect(await tickets.close(ticket.id, ANNA)).toMatchObject({
      ok: true,
      ticket: { state: "closed", closedBy: "operator", closedAt: clock.now(), operatorId: ANNA },
    });
    expect(await tickets.close(ticket.id, ANNA)).toEqual({ ok: false, reason: "closed" });
    expect((await audit.entries({ ticketId: ticket.id, staffId: ANNA })).at(-2)).toMatchObject({
      action: "close",
      details: { handlingMs: 7 * MINUTE },
    });

    expect(await tickets.rate(ticket.id, CITIZEN, 6)).toEqual({
      ok: false,
      reason: "invalid_rating",
    });
    expect(await tickets.rate(ticket.id, CITIZEN, 4.5)).toEqual({
      ok: false,
      reason: "invalid_rating",
    });
    expect(await tickets.rate(ticket.id, CITIZEN + 1, 5)).toEqual({
      ok: false,
      reason: "not_yours",
    });
    expect(await tickets.rate(999, CITIZEN, 5)).toEqual({ ok: false, reason: "not_found" });
    expect(await tickets.rate(ticket.id, CITIZEN, 4, true)).toMatchObject({
      ok: true,
      ticket: { rating: 4, solved: true },
    });
    expect(await tickets.rate(ticket.id, CITIZEN, 1, false)).toEqual({
      ok: false,
      reason: "already_rated",
    });
    expect(await tickets.ticket(ticket.id)).toMatchObject({ rating: 4, solved: true });
  });

  it("refuses to close a waiting ticket", async () => {
    const { tickets, open } = await setup();
    const ticket = await open();
    expect(await tickets.close(ticket.id, SVETA)).toEqual({ ok: false, reason: "not_assigned" });
  });

  it("lets the citizen leave the queue, or end a conversation, but only once", async () => {
    const { tickets, open, assigned, clock } = await setup();
    const waiting = await open(CITIZEN);
    expect(await tickets.cancel(CITIZEN)).toMatchObject({
      ok: true,
      ticket: { id: waiting.id, state: "closed", closedBy: "citizen", operatorId: null },
    });
    expect(await tickets.cancel(CITIZEN)).toEqual({ ok: false, reason: "no_open_ticket" });
    expect(await tickets.positionOf(waiting.id)).toBeUndefined();

    clock.advance(MINUTE);
    const talking = await assigned(BORIS, CITIZEN);
    // The operator to tell is on the ticket.
    expect(await tickets.cancel(CITIZEN)).toMatchObject({
      ok: true,
      ticket: { id: talking.id, operatorId: BORIS, closedBy: "citizen" },
    });
    expect(await tickets.ticketsOf(BORIS)).toEqual([]);
    expect(await tickets.takeTicket(talking.id, ANNA)).toEqual({ ok: false, reason: "closed" });
  });
});

describe("messages", () => {
  it("gives a ticket's latest message from one side", async () => {
    const { tickets, assigned } = await setup();
    const ticket = await assigned();
    expect(await tickets.lastMessage(ticket.id, "citizen")).toBeUndefined();
    await tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "первое" });
    await tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "второе" });
    await tickets.addMessage({
      ticketId: ticket.id,
      direction: "operator",
      operatorId: ANNA,
      text: "ответ",
    });
    expect((await tickets.lastMessage(ticket.id, "citizen"))?.text).toBe("второе");
    expect((await tickets.lastMessage(ticket.id, "operator"))?.text).toBe("ответ");
    expect(await tickets.lastMessage(ticket.id, "note")).toBeUndefined();
  });

  it("records the conversation in both directions, with files and notes, in order", async () => {
    const { tickets, open, audit } = await setup();
    const ticket = await open();
    expect(
      await tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "ещё вопрос" }),
    ).toMatchObject({ ok: true, ticket: { state: "waiting" } });
    expect(
      await tickets.addMessage({
        ticketId: ticket.id,
        direction: "operator",
        operatorId: ANNA,
        text: "x",
      }),
    ).toEqual({ ok: false, reason: "not_assigned" });
    // A supervisor may leave a note on a waiting ticket for whoever takes it.
    expect(
      await tickets.addMessage({
        ticketId: ticket.id,
        direction: "note",
        operatorId: SVETA,
        text: "VIP",
      }),
    ).toMatchObject({ ok: true });
    await tickets.takeTicket(ticket.id, ANNA);
    await tickets.addMessage({
      ticketId: ticket.id,
      direction: "citizen",
      file: { id: "AgAD-photo", kind: "photo" },
      text: "скриншот",
      telegramMessageId: 77,
    });
    expect(
      await tickets.addMessage({
        ticketId: ticket.id,
        direction: "operator",
        operatorId: BORIS,
        text: "?",
      }),
    ).toEqual({ ok: false, reason: "not_yours" });
    expect(
      await tickets.addMessage({
        ticketId: ticket.id,
        direction: "operator",
        operatorId: ANNA,
        text: "Проверьте папку «Спам»",
      }),
    ).toMatchObject({ ok: true, ticket: { chatId: CITIZEN, operatorId: ANNA } });

    const transcript = await tickets.transcript(ticket.id);
    expect(transcript?.ticket.question).toBe(ticket.question);
    expect(
      transcript?.messages.map((m) => [
        m.direction,
        m.operatorId,
        m.text,
        m.file,
        m.telegramMessageId,
      ]),
    ).toEqual([
      ["citizen", null, "ещё вопрос", null, null],
      ["note", SVETA, "VIP", null, null],
      ["citizen", null, "скриншот", { id: "AgAD-photo", kind: "photo" }, 77],
      ["operator", ANNA, "Проверьте папку «Спам»", null, null],
    ]);
    expect(
      (await audit.entries({ ticketId: ticket.id }))
        .filter((e) => e.details.refused === undefined)
        .map((e) => [e.staffId, e.action]),
    ).toEqual([
      [SVETA, "note"],
      [ANNA, "take"],
      [ANNA, "message"],
    ]);
  });

  it("refuses messages to a closed or unknown ticket, and a message with nothing in it", async () => {
    const { tickets, assigned } = await setup();
    const ticket = await assigned(ANNA);
    await tickets.close(ticket.id, ANNA);
    expect(
      await tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "hi" }),
    ).toEqual({
      ok: false,
      reason: "closed",
    });
    expect(await tickets.addMessage({ ticketId: 999, direction: "citizen", text: "hi" })).toEqual({
      ok: false,
      reason: "not_found",
    });
    await expect(tickets.addMessage({ ticketId: ticket.id, direction: "citizen" })).rejects.toThrow(
      /text, a file or both/,
    );
    expect(await tickets.transcript(999)).toBeUndefined();
  });
});

describe("queue, expected wait and stats", () => {
  it("gives queue places, oldest first, that move as tickets are taken and cancelled", async () => {
    const { tickets, clock, open } = await setup();
    const ids: number[] = [];
    for (const n of [0, 1, 2, 3]) {
      clock.advance(MINUTE);
      ids.push((await open(CITIZEN + n)).id);
    }
    expect((await tickets.queue()).map((t) => t.id)).toEqual(ids);
    expect(await Promise.all(ids.map((id) => tickets.positionOf(id)))).toEqual([1, 2, 3, 4]);
    await tickets.takeNext(ANNA);
    await tickets.cancel(CITIZEN + 2);
    expect(await Promise.all(ids.map((id) => tickets.positionOf(id)))).toEqual([
      undefined,
      1,
      undefined,
      2,
    ]);
  });

  it("expects the median wait of recently taken tickets, in minutes rounded up", async () => {
    const { tickets, clock, open, db } = await setup();
    expect(await tickets.expectedWaitMinutes()).toBeUndefined();
    // Waits of 2, 4 and 10 minutes: the median is 4.
    for (const [n, wait] of [2, 4, 10].entries()) {
      const ticket = await open(CITIZEN + n);
      clock.advance(wait * MINUTE);
      await tickets.takeTicket(ticket.id, ANNA);
    }
    expect(await tickets.expectedWaitMinutes()).toBe(4);
    // A quick take still promises at least a minute.
    const small = createTicketService(db, { now: clock.now, waitSample: 1 });
    const quick = await open(CITIZEN + 10);
    clock.advance(5_000);
    await tickets.takeTicket(quick.id, BORIS);
    expect(await small.expectedWaitMinutes()).toBe(1);
    // Only the last `waitSample` taken tickets count.
    const two = createTicketService(db, { now: clock.now, waitSample: 2 });
    expect(await two.expectedWaitMinutes()).toBe(6); // median of 10 min and 5 s, rounded up
  });

  it("counts today's tickets, median wait and handling, and ratings", async () => {
    const { tickets, clock, open } = await setup();
    const yesterday = await open(CITIZEN + 9);
    await tickets.takeTicket(yesterday.id, ANNA);
    await tickets.close(yesterday.id, ANNA);
    await tickets.rate(yesterday.id, CITIZEN + 9, 1, false);

    clock.advance(24 * 60 * MINUTE);
    const midnight = clock.now();
    const handled = [
      { wait: 2, handle: 10, rating: 5, solved: true },
      { wait: 6, handle: 20, rating: 3, solved: false },
      { wait: 4, handle: 30, rating: undefined, solved: undefined },
    ];
    for (const [n, t] of handled.entries()) {
      const ticket = await open(CITIZEN + n);
      clock.advance(t.wait * MINUTE);
      await tickets.takeTicket(ticket.id, BORIS);
      clock.advance(t.handle * MINUTE);
      await tickets.close(ticket.id, BORIS);
      if (t.rating) await tickets.rate(ticket.id, CITIZEN + n, t.rating, t.solved);
    }
    await open(CITIZEN + 20);
    await open(CITIZEN + 21);
    await tickets.cancel(CITIZEN + 21);
    const talking = await open(CITIZEN + 22);
    await tickets.takeTicket(talking.id, ANNA);

    expect(await tickets.stats(midnight)).toEqual({
      opened: 6,
      closed: 4,
      cancelled: 1,
      waiting: 1,
      assigned: 1,
      medianWaitMs: 3 * MINUTE, // of 2, 6, 4 and 0 (the one taken at once)
      medianHandlingMs: 20 * MINUTE,
      averageRating: 4,
      rated: 2,
      solved: 1,
      unsolved: 1,
    });
    expect(await tickets.stats(clock.now() + 1)).toMatchObject({
      opened: 0,
      medianWaitMs: undefined,
      medianHandlingMs: undefined,
      averageRating: undefined,
      rated: 0,
    });
  });
});

describe("a ticket change and its outbox rows", () => {
  it("commit together or not at all", async () => {
    const { db, tickets, assigned } = await setup();
    const outbox = createOutbox(db);
    const ticket = await assigned(ANNA);
    const reply = (text: string, fail: boolean) =>
      db.transaction(async (tx) => {
        const sent = await createTicketService(tx).addMessage({
          ticketId: ticket.id,
          direction: "operator",
          operatorId: ANNA,
          text,
        });
        if (!sent.ok) return sent;
        await createOutbox(tx).enqueue({
          chatId: sent.ticket.chatId,
          ticketId: ticket.id,
          message: { kind: "text", text },
        });
        if (fail) throw new Error("disk full");
        return sent;
      });
    await expect(reply("lost", true)).rejects.toThrow("disk full");
    expect(await reply("kept", false)).toMatchObject({ ok: true });
    expect((await tickets.transcript(ticket.id))?.messages.map((m) => m.text)).toEqual(["kept"]);
    const claimed = await outbox.claimNext();
    expect(claimed?.message).toEqual({ kind: "text", text: "kept" });
    expect(await outbox.claimNext()).toBeUndefined();
  });
});
