import { describe, expect, it } from "vitest";
import {
  createAuditLog,
  createOperators,
  createOutbox,
  createTicketService,
  type NewTicket,
  openDatabase,
  type Ticket,
} from "../../handoff/index.ts";
import { MINUTE, movableClock } from "./temp-database.ts";

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

function setup() {
  const db = openDatabase(":memory:");
  const clock = movableClock();
  const operators = createOperators(db, { now: clock.now });
  operators.add({ userId: ANNA, name: "Anna", role: "operator" });
  operators.add({ userId: BORIS, name: "Boris", role: "operator" });
  operators.add({ userId: SVETA, name: "Sveta", role: "supervisor" });
  operators.add({ userId: OLEG, name: "Oleg", role: "operator" });
  for (const id of [ANNA, BORIS, SVETA]) operators.setShift(id, true);
  const tickets = createTicketService(db, { now: clock.now });
  const audit = createAuditLog(db);
  const open = (chatId = CITIZEN, text?: string): Ticket => {
    const opened = tickets.openTicket(question(chatId, text));
    if (!opened.ok) throw new Error(`ticket not opened: ${opened.reason}`);
    return opened.ticket;
  };
  const assigned = (operatorId = ANNA, chatId = CITIZEN): Ticket => {
    const ticket = open(chatId);
    const taken = tickets.takeTicket(ticket.id, operatorId);
    if (!taken.ok) throw new Error(`ticket not taken: ${taken.reason}`);
    return taken.ticket;
  };
  return { db, clock, operators, tickets, audit, open, assigned };
}

describe("opening a ticket", () => {
  it("stores the question, the intents tried and the language, and gives the queue place", () => {
    const { tickets, clock } = setup();
    const first = tickets.openTicket(question(CITIZEN));
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
    expect(tickets.openTicket(question(CITIZEN + 1))).toMatchObject({ ok: true, position: 2 });
  });

  it("keeps one open ticket per citizen, and a new one after closing", () => {
    const { tickets, open } = setup();
    const ticket = open();
    expect(tickets.openTicket(question(CITIZEN))).toEqual({
      ok: false,
      reason: "already_open",
      ticket,
    });
    tickets.takeTicket(ticket.id, ANNA);
    expect(tickets.openTicket(question(CITIZEN))).toMatchObject({ reason: "already_open" });
    tickets.close(ticket.id, ANNA);
    expect(tickets.openTicketOf(CITIZEN)).toBeUndefined();
    const again = tickets.openTicket(question(CITIZEN));
    expect(again).toMatchObject({ ok: true, ticket: { state: "waiting" } });
    expect(again.ok && again.ticket.id).not.toBe(ticket.id);
  });

  it("has a unique index behind the rule, for writers that skip the service", () => {
    const { db, open } = setup();
    open();
    expect(() =>
      db
        .prepare(
          `INSERT INTO tickets (chat_id, language, question, top_intents, state, created_at)
           VALUES (?, 'ru', 'x', '[]', 'waiting', 0)`,
        )
        .run(CITIZEN),
    ).toThrow(/UNIQUE/);
  });
});

describe("taking a ticket", () => {
  it("assigns it and writes the audit row", () => {
    const { tickets, audit, clock, open } = setup();
    const ticket = open();
    clock.advance(3 * MINUTE);
    const taken = tickets.takeTicket(ticket.id, ANNA);
    expect(taken).toMatchObject({
      ok: true,
      ticket: {
        state: "assigned",
        operatorId: ANNA,
        assignedAt: clock.now(),
        firstAssignedAt: clock.now(),
      },
    });
    expect(tickets.openTicketOf(CITIZEN)).toMatchObject({ state: "assigned" });
    expect(tickets.ticketsOf(ANNA).map((t) => t.id)).toEqual([ticket.id]);
    expect(tickets.queue()).toEqual([]);
    expect(audit.entries({ ticketId: ticket.id })).toMatchObject([
      { operatorId: ANNA, action: "take", details: { sinceOpenedMs: 3 * MINUTE } },
    ]);
  });

  it("refuses a taken, closed or unknown ticket, a non-operator and an operator off shift", () => {
    const { tickets, audit, open, operators } = setup();
    const ticket = open();
    tickets.takeTicket(ticket.id, ANNA);
    expect(tickets.takeTicket(ticket.id, BORIS)).toMatchObject({
      ok: false,
      reason: "already_taken",
      ticket: { operatorId: ANNA },
    });
    expect(tickets.takeTicket(999, BORIS)).toEqual({ ok: false, reason: "not_found" });
    const other = open(CITIZEN + 1);
    expect(tickets.takeTicket(other.id, CITIZEN)).toEqual({ ok: false, reason: "not_operator" });
    expect(tickets.takeTicket(other.id, OLEG)).toEqual({ ok: false, reason: "off_shift" });
    operators.setShift(OLEG, true);
    expect(tickets.takeTicket(other.id, OLEG)).toMatchObject({ ok: true });
    tickets.close(ticket.id, ANNA);
    expect(tickets.takeTicket(ticket.id, BORIS)).toEqual({ ok: false, reason: "closed" });

    // Refusals are logged too, with whoever tried, operator or not.
    const refused = audit.entries().filter((e) => e.details.refused !== undefined);
    expect(refused.map((e) => [e.operatorId, e.action, e.details.refused])).toEqual([
      [BORIS, "take", "already_taken"],
      [BORIS, "take", "not_found"],
      [CITIZEN, "take", "not_operator"],
      [OLEG, "take", "off_shift"],
      [BORIS, "take", "closed"],
    ]);
  });

  it("takes the ticket that has waited longest with take next", () => {
    const { tickets, clock, open } = setup();
    const first = open(CITIZEN);
    clock.advance(MINUTE);
    const second = open(CITIZEN + 1);
    expect(tickets.takeNext(BORIS)).toMatchObject({ ok: true, ticket: { id: first.id } });
    expect(tickets.takeNext(ANNA)).toMatchObject({ ok: true, ticket: { id: second.id } });
    expect(tickets.takeNext(ANNA)).toEqual({ ok: false, reason: "queue_empty" });
    expect(tickets.takeNext(OLEG)).toEqual({ ok: false, reason: "off_shift" });
    expect(tickets.takeNext(CITIZEN)).toEqual({ ok: false, reason: "not_operator" });
  });
});

describe("release and transfer", () => {
  it("releases a ticket back to its original place in the queue", () => {
    const { tickets, clock, open, audit } = setup();
    const first = open(CITIZEN);
    clock.advance(MINUTE);
    open(CITIZEN + 1);
    tickets.takeTicket(first.id, ANNA);
    expect(tickets.positionOf(first.id)).toBeUndefined();
    clock.advance(MINUTE);
    const released = tickets.release(first.id, ANNA);
    expect(released).toMatchObject({
      ok: true,
      previousOperatorId: ANNA,
      position: 1,
      ticket: { state: "waiting", operatorId: null, assignedAt: null },
    });
    // The wait already ended once: stats keep the first assignment.
    expect(released.ok && released.ticket.firstAssignedAt).toBe(clock.now() - MINUTE);
    expect(tickets.ticketsOf(ANNA)).toEqual([]);
    expect(audit.entries({ ticketId: first.id }).map((e) => e.action)).toEqual(["take", "release"]);
  });

  it("refuses to release a ticket that is not yours, waiting, closed or unknown", () => {
    const { tickets, assigned, open } = setup();
    const ticket = assigned(ANNA);
    expect(tickets.release(ticket.id, BORIS)).toEqual({ ok: false, reason: "not_yours" });
    expect(tickets.release(ticket.id, CITIZEN)).toEqual({ ok: false, reason: "not_operator" });
    expect(tickets.release(999, ANNA)).toEqual({ ok: false, reason: "not_found" });
    const waiting = open(CITIZEN + 1);
    expect(tickets.release(waiting.id, ANNA)).toEqual({ ok: false, reason: "not_assigned" });
    tickets.close(ticket.id, ANNA);
    expect(tickets.release(ticket.id, ANNA)).toEqual({ ok: false, reason: "closed" });
  });

  it("transfers to another on-shift operator, and back to the queue", () => {
    const { tickets, assigned, audit, clock } = setup();
    const ticket = assigned(ANNA);
    clock.advance(MINUTE);
    expect(tickets.transfer(ticket.id, ANNA, BORIS)).toMatchObject({
      ok: true,
      previousOperatorId: ANNA,
      ticket: { state: "assigned", operatorId: BORIS, assignedAt: clock.now() },
    });
    expect(tickets.ticketsOf(BORIS).map((t) => t.id)).toEqual([ticket.id]);
    expect(tickets.transfer(ticket.id, ANNA, SVETA)).toEqual({ ok: false, reason: "not_yours" });
    expect(tickets.transfer(ticket.id, BORIS, "queue")).toMatchObject({
      ok: true,
      previousOperatorId: BORIS,
      ticket: { state: "waiting", operatorId: null },
    });
    expect(tickets.positionOf(ticket.id)).toBe(1);
    expect(
      audit
        .entries({ ticketId: ticket.id })
        .filter((e) => e.action === "transfer")
        .map((e) => [e.operatorId, e.details]),
    ).toEqual([
      [ANNA, { from: ANNA, to: BORIS }],
      [ANNA, { refused: "not_yours" }],
      [BORIS, { from: BORIS, to: "queue" }],
    ]);
  });

  it("refuses a transfer to someone who is not an operator, off shift, or already has it", () => {
    const { tickets, assigned } = setup();
    const ticket = assigned(ANNA);
    expect(tickets.transfer(ticket.id, ANNA, CITIZEN)).toEqual({
      ok: false,
      reason: "target_not_operator",
    });
    expect(tickets.transfer(ticket.id, ANNA, OLEG)).toEqual({
      ok: false,
      reason: "target_off_shift",
    });
    expect(tickets.transfer(ticket.id, ANNA, ANNA)).toEqual({ ok: false, reason: "same_operator" });
    expect(tickets.ticket(ticket.id)).toMatchObject({ state: "assigned", operatorId: ANNA });
  });

  it("lets a supervisor act on anyone's ticket", () => {
    const { tickets, assigned } = setup();
    const ticket = assigned(ANNA);
    expect(tickets.transfer(ticket.id, SVETA, BORIS)).toMatchObject({
      ok: true,
      ticket: { operatorId: BORIS },
    });
    expect(tickets.release(ticket.id, SVETA)).toMatchObject({
      ok: true,
      previousOperatorId: BORIS,
    });
    tickets.takeTicket(ticket.id, BORIS);
    expect(tickets.close(ticket.id, SVETA)).toMatchObject({
      ok: true,
      ticket: { state: "closed", operatorId: BORIS },
    });
  });
});

describe("closing, rating and cancelling", () => {
  it("closes an assigned ticket of the operator's, then the citizen rates it once", () => {
    const { tickets, assigned, audit, clock } = setup();
    const ticket = assigned(ANNA);
    expect(tickets.close(ticket.id, BORIS)).toEqual({ ok: false, reason: "not_yours" });
    expect(tickets.rate(ticket.id, CITIZEN, 5)).toEqual({ ok: false, reason: "not_closed" });
    clock.advance(7 * MINUTE);
    expect(tickets.close(ticket.id, ANNA)).toMatchObject({
      ok: true,
      ticket: { state: "closed", closedBy: "operator", closedAt: clock.now(), operatorId: ANNA },
    });
    expect(tickets.close(ticket.id, ANNA)).toEqual({ ok: false, reason: "closed" });
    expect(audit.entries({ ticketId: ticket.id, operatorId: ANNA }).at(-2)).toMatchObject({
      action: "close",
      details: { handlingMs: 7 * MINUTE },
    });

    expect(tickets.rate(ticket.id, CITIZEN, 6)).toEqual({ ok: false, reason: "invalid_rating" });
    expect(tickets.rate(ticket.id, CITIZEN, 4.5)).toEqual({ ok: false, reason: "invalid_rating" });
    expect(tickets.rate(ticket.id, CITIZEN + 1, 5)).toEqual({ ok: false, reason: "not_yours" });
    expect(tickets.rate(999, CITIZEN, 5)).toEqual({ ok: false, reason: "not_found" });
    expect(tickets.rate(ticket.id, CITIZEN, 4, true)).toMatchObject({
      ok: true,
      ticket: { rating: 4, solved: true },
    });
    expect(tickets.rate(ticket.id, CITIZEN, 1, false)).toEqual({
      ok: false,
      reason: "already_rated",
    });
    expect(tickets.ticket(ticket.id)).toMatchObject({ rating: 4, solved: true });
  });

  it("refuses to close a waiting ticket", () => {
    const { tickets, open } = setup();
    const ticket = open();
    expect(tickets.close(ticket.id, SVETA)).toEqual({ ok: false, reason: "not_assigned" });
  });

  it("lets the citizen leave the queue, or end a conversation, but only once", () => {
    const { tickets, open, assigned, clock } = setup();
    const waiting = open(CITIZEN);
    expect(tickets.cancel(CITIZEN)).toMatchObject({
      ok: true,
      ticket: { id: waiting.id, state: "closed", closedBy: "citizen", operatorId: null },
    });
    expect(tickets.cancel(CITIZEN)).toEqual({ ok: false, reason: "no_open_ticket" });
    expect(tickets.positionOf(waiting.id)).toBeUndefined();

    clock.advance(MINUTE);
    const talking = assigned(BORIS, CITIZEN);
    // The operator to tell is on the ticket.
    expect(tickets.cancel(CITIZEN)).toMatchObject({
      ok: true,
      ticket: { id: talking.id, operatorId: BORIS, closedBy: "citizen" },
    });
    expect(tickets.ticketsOf(BORIS)).toEqual([]);
    expect(tickets.takeTicket(talking.id, ANNA)).toEqual({ ok: false, reason: "closed" });
  });
});

describe("messages", () => {
  it("gives a ticket's latest message from one side", () => {
    const { tickets, assigned } = setup();
    const ticket = assigned();
    expect(tickets.lastMessage(ticket.id, "citizen")).toBeUndefined();
    tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "первое" });
    tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "второе" });
    tickets.addMessage({
      ticketId: ticket.id,
      direction: "operator",
      operatorId: ANNA,
      text: "ответ",
    });
    expect(tickets.lastMessage(ticket.id, "citizen")?.text).toBe("второе");
    expect(tickets.lastMessage(ticket.id, "operator")?.text).toBe("ответ");
    expect(tickets.lastMessage(ticket.id, "note")).toBeUndefined();
  });

  it("records the conversation in both directions, with files and notes, in order", () => {
    const { tickets, open, audit } = setup();
    const ticket = open();
    expect(
      tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "ещё вопрос" }),
    ).toMatchObject({ ok: true, ticket: { state: "waiting" } });
    expect(
      tickets.addMessage({
        ticketId: ticket.id,
        direction: "operator",
        operatorId: ANNA,
        text: "x",
      }),
    ).toEqual({ ok: false, reason: "not_assigned" });
    // A supervisor may leave a note on a waiting ticket for whoever takes it.
    expect(
      tickets.addMessage({
        ticketId: ticket.id,
        direction: "note",
        operatorId: SVETA,
        text: "VIP",
      }),
    ).toMatchObject({ ok: true });
    tickets.takeTicket(ticket.id, ANNA);
    tickets.addMessage({
      ticketId: ticket.id,
      direction: "citizen",
      file: { id: "AgAD-photo", kind: "photo" },
      text: "скриншот",
      telegramMessageId: 77,
    });
    expect(
      tickets.addMessage({
        ticketId: ticket.id,
        direction: "operator",
        operatorId: BORIS,
        text: "?",
      }),
    ).toEqual({ ok: false, reason: "not_yours" });
    expect(
      tickets.addMessage({
        ticketId: ticket.id,
        direction: "operator",
        operatorId: ANNA,
        text: "Проверьте папку «Спам»",
      }),
    ).toMatchObject({ ok: true, ticket: { chatId: CITIZEN, operatorId: ANNA } });

    const transcript = tickets.transcript(ticket.id);
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
      audit
        .entries({ ticketId: ticket.id })
        .filter((e) => e.details.refused === undefined)
        .map((e) => [e.operatorId, e.action]),
    ).toEqual([
      [SVETA, "note"],
      [ANNA, "take"],
      [ANNA, "message"],
    ]);
  });

  it("refuses messages to a closed or unknown ticket, and a message with nothing in it", () => {
    const { tickets, assigned } = setup();
    const ticket = assigned(ANNA);
    tickets.close(ticket.id, ANNA);
    expect(tickets.addMessage({ ticketId: ticket.id, direction: "citizen", text: "hi" })).toEqual({
      ok: false,
      reason: "closed",
    });
    expect(tickets.addMessage({ ticketId: 999, direction: "citizen", text: "hi" })).toEqual({
      ok: false,
      reason: "not_found",
    });
    expect(() => tickets.addMessage({ ticketId: ticket.id, direction: "citizen" })).toThrow(
      /text, a file or both/,
    );
    expect(tickets.transcript(999)).toBeUndefined();
  });
});

describe("queue, expected wait and stats", () => {
  it("gives queue places, oldest first, that move as tickets are taken and cancelled", () => {
    const { tickets, clock, open } = setup();
    const ids = [0, 1, 2, 3].map((n) => {
      clock.advance(MINUTE);
      return open(CITIZEN + n).id;
    });
    expect(tickets.queue().map((t) => t.id)).toEqual(ids);
    expect(ids.map((id) => tickets.positionOf(id))).toEqual([1, 2, 3, 4]);
    tickets.takeNext(ANNA);
    tickets.cancel(CITIZEN + 2);
    expect(ids.map((id) => tickets.positionOf(id))).toEqual([undefined, 1, undefined, 2]);
  });

  it("expects the median wait of recently taken tickets, in minutes rounded up", () => {
    const { tickets, clock, open, db } = setup();
    expect(tickets.expectedWaitMinutes()).toBeUndefined();
    // Waits of 2, 4 and 10 minutes: the median is 4.
    for (const [n, wait] of [2, 4, 10].entries()) {
      const ticket = open(CITIZEN + n);
      clock.advance(wait * MINUTE);
      tickets.takeTicket(ticket.id, ANNA);
    }
    expect(tickets.expectedWaitMinutes()).toBe(4);
    // A quick take still promises at least a minute.
    const small = createTicketService(db, { now: clock.now, waitSample: 1 });
    const quick = open(CITIZEN + 10);
    clock.advance(5_000);
    tickets.takeTicket(quick.id, BORIS);
    expect(small.expectedWaitMinutes()).toBe(1);
    // Only the last `waitSample` taken tickets count.
    const two = createTicketService(db, { now: clock.now, waitSample: 2 });
    expect(two.expectedWaitMinutes()).toBe(6); // median of 10 min and 5 s, rounded up
  });

  it("counts today's tickets, median wait and handling, and ratings", () => {
    const { tickets, clock, open } = setup();
    const yesterday = open(CITIZEN + 9);
    tickets.takeTicket(yesterday.id, ANNA);
    tickets.close(yesterday.id, ANNA);
    tickets.rate(yesterday.id, CITIZEN + 9, 1, false);

    clock.advance(24 * 60 * MINUTE);
    const midnight = clock.now();
    const handled = [
      { wait: 2, handle: 10, rating: 5, solved: true },
      { wait: 6, handle: 20, rating: 3, solved: false },
      { wait: 4, handle: 30, rating: undefined, solved: undefined },
    ];
    for (const [n, t] of handled.entries()) {
      const ticket = open(CITIZEN + n);
      clock.advance(t.wait * MINUTE);
      tickets.takeTicket(ticket.id, BORIS);
      clock.advance(t.handle * MINUTE);
      tickets.close(ticket.id, BORIS);
      if (t.rating) tickets.rate(ticket.id, CITIZEN + n, t.rating, t.solved);
    }
    open(CITIZEN + 20);
    open(CITIZEN + 21);
    tickets.cancel(CITIZEN + 21);
    const talking = open(CITIZEN + 22);
    tickets.takeTicket(talking.id, ANNA);

    expect(tickets.stats(midnight)).toEqual({
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
    expect(tickets.stats(clock.now() + 1)).toMatchObject({
      opened: 0,
      medianWaitMs: undefined,
      medianHandlingMs: undefined,
      averageRating: undefined,
      rated: 0,
    });
  });
});

describe("a ticket change and its outbox rows", () => {
  it("commit together or not at all", () => {
    const { db, tickets, assigned } = setup();
    const outbox = createOutbox(db);
    const ticket = assigned(ANNA);
    const reply = (text: string, fail: boolean) =>
      db.transaction(() => {
        const sent = tickets.addMessage({
          ticketId: ticket.id,
          direction: "operator",
          operatorId: ANNA,
          text,
        });
        if (!sent.ok) return sent;
        outbox.enqueue({
          chatId: sent.ticket.chatId,
          ticketId: ticket.id,
          message: { kind: "text", text },
        });
        if (fail) throw new Error("disk full");
        return sent;
      })();
    expect(() => reply("lost", true)).toThrow("disk full");
    expect(reply("kept", false)).toMatchObject({ ok: true });
    expect(tickets.transcript(ticket.id)?.messages.map((m) => m.text)).toEqual(["kept"]);
    const claimed = outbox.claimNext();
    expect(claimed?.message).toEqual({ kind: "text", text: "kept" });
    expect(outbox.claimNext()).toBeUndefined();
  });
});
