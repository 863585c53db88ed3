import type { Database } from "better-sqlite3";
import { type AuditAction, createAuditLog } from "./audit.ts";
import { type Operator, type OperatorRow, toOperator } from "./operators.ts";
import type { Language } from "./store.ts";
import {
  type IntentGuess,
  type MessageDirection,
  type Ticket,
  type TicketFile,
  type TicketMessage,
  type TicketMessageRow,
  type TicketRow,
  toTicket,
  toTicketMessage,
} from "./ticket-model.ts";
import { createTicketStatistics, type TicketStats } from "./ticket-stats.ts";

/** What the bot knows when a citizen confirms they want an operator. */
export interface NewTicket {
  chatId: number;
  language: Language;
  /** The citizen's question, personal data already masked. */
  question: string;
  /** What the bot tried, best first. */
  topIntents: readonly IntentGuess[];
}

/** What a message carries: text, a file, or both (a caption). */
export interface MessageContent {
  ticketId: number;
  text?: string;
  file?: TicketFile;
  /** The Telegram message id in the sender's chat. */
  telegramMessageId?: number;
}

/** A message to record: the citizen's, an operator's to the citizen, or an internal note. */
export type NewTicketMessage =
  | (MessageContent & { direction: "citizen" })
  | (MessageContent & { direction: "operator" | "note"; operatorId: number });

/** Why an operator may not act on a ticket. */
export type ActRefusal = "not_found" | "closed" | "not_assigned" | "not_operator" | "not_yours";

export type OpenTicketResult =
  /** `position`: 1 is next in line. */
  | { ok: true; ticket: Ticket; position: number }
  | { ok: false; reason: "already_open"; ticket: Ticket };

export type TakeResult =
  | { ok: true; ticket: Ticket }
  /** `ticket` says who has it. */
  | { ok: false; reason: "already_taken"; ticket: Ticket }
  | { ok: false; reason: "not_found" | "closed" | "not_operator" | "off_shift" };

export type TakeNextResult =
  | { ok: true; ticket: Ticket }
  | { ok: false; reason: "queue_empty" | "not_operator" | "off_shift" };

export type ReleaseResult =
  | { ok: true; ticket: Ticket; previousOperatorId: number; position: number }
  | { ok: false; reason: ActRefusal };

export type TransferResult =
  | { ok: true; ticket: Ticket; previousOperatorId: number }
  | {
      ok: false;
      reason: ActRefusal | "target_not_operator" | "target_off_shift" | "same_operator";
    };

export type CloseResult = { ok: true; ticket: Ticket } | { ok: false; reason: ActRefusal };

export type RateResult =
  | { ok: true; ticket: Ticket }
  | {
      ok: false;
      reason: "not_found" | "not_yours" | "not_closed" | "already_rated" | "invalid_rating";
    };

export type CancelResult =
  /** `ticket.operatorId` is the operator to tell, or null if it was still waiting. */
  { ok: true; ticket: Ticket } | { ok: false; reason: "no_open_ticket" };

export type AddMessageResult =
  /** `ticket` says where to relay it: its state and operator. */
  { ok: true; message: TicketMessage; ticket: Ticket } | { ok: false; reason: ActRefusal };

/**
 * Tickets and their life. Every operation is one synchronous transaction
 * (IMMEDIATE, or a savepoint inside the caller's transaction), so a caller can
 * wrap a ticket change and its outbox rows in one `db.transaction`. Operator
 * actions, refused ones included, write an audit row in the same transaction.
 *
 * Who may do what: only current operators take, release, transfer, close and
 * write; taking needs them on shift; acting on an assigned ticket needs it to
 * be theirs, unless they are a supervisor.
 */
export interface TicketService {
  /** Opens a waiting ticket; a citizen has at most one open (waiting or assigned) ticket. */
  openTicket(ticket: NewTicket): OpenTicketResult;
  /** Gives a waiting ticket to an operator; of two operators taking it at once, exactly one wins. */
  takeTicket(ticketId: number, operatorId: number): TakeResult;
  /** Takes the ticket that has waited longest. */
  takeNext(operatorId: number): TakeNextResult;
  /** Puts an assigned ticket back in the queue, in its original place. */
  release(ticketId: number, operatorId: number): ReleaseResult;
  /** Hands an assigned ticket to another on-shift operator, or back to the queue. */
  transfer(ticketId: number, fromOperatorId: number, to: number | "queue"): TransferResult;
  /** Closes an assigned ticket; the citizen may then rate it. */
  close(ticketId: number, operatorId: number): CloseResult;
  /** The citizen rates a closed ticket of theirs 1 to 5, once, and may say whether it was solved. */
  rate(ticketId: number, citizenChatId: number, rating: number, solved?: boolean): RateResult;
  /** The citizen leaves: their open ticket, waiting or assigned, is closed. */
  cancel(citizenChatId: number): CancelResult;
  /** Records a message of the conversation (the caller relays it through the outbox). */
  addMessage(message: NewTicketMessage): AddMessageResult;
  ticket(ticketId: number): Ticket | undefined;
  /** The citizen's waiting or assigned ticket. */
  openTicketOf(citizenChatId: number): Ticket | undefined;
  /** An operator's assigned tickets, taken first first. */
  ticketsOf(operatorId: number): Ticket[];
  /** Waiting tickets, the one that has waited longest first. */
  queue(): Ticket[];
  /** A waiting ticket's place in the queue (1 is next); undefined unless it is waiting. */
  positionOf(ticketId: number): number | undefined;
  /** The median wait of recently taken tickets in minutes; undefined before any was taken. */
  expectedWaitMinutes(): number | undefined;
  /** Figures since a moment, e.g. today's midnight. */
  stats(sinceMs: number): TicketStats;
  /** A ticket's latest message from one side (e.g. the citizen's), if any. */
  lastMessage(ticketId: number, direction: MessageDirection): TicketMessage | undefined;
  /** The ticket and all its messages, notes included, oldest first. */
  transcript(ticketId: number): { ticket: Ticket; messages: TicketMessage[] } | undefined;
}

export interface TicketServiceOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** How many of the last taken tickets the expected wait looks at. Defaults to 50. */
  waitSample?: number;
}

type Authorized =
  | { ok: true; operator: Operator; ticket: Ticket }
  | { ok: false; reason: ActRefusal };

/**
 * The ticket service on `db` (from `openDatabase`; give the outbox the same
 * connection).
 *
 * @example
 * const tickets = createTicketService(db);
 * const opened = tickets.openTicket({ chatId, language: "ru", question, topIntents });
 * if (opened.ok) tell(`Ticket #${opened.ticket.id}, place ${opened.position}`);
 * const taken = tickets.takeTicket(opened.ticket.id, operatorId);
 */
export function createTicketService(
  db: Database,
  options: TicketServiceOptions = {},
): TicketService {
  const { now = Date.now, waitSample = 50 } = options;
  const audit = createAuditLog(db, { now });
  const statistics = createTicketStatistics(db, { waitSample });

  const byId = db.prepare<[number], TicketRow>("SELECT * FROM tickets WHERE id = ?");
  const openOfChat = db.prepare<[number], TicketRow>(
    "SELECT * FROM tickets WHERE chat_id = ? AND state <> 'closed'",
  );
  const insertTicket = db.prepare<[number, Language, string, string, number], TicketRow>(
    `INSERT INTO tickets (chat_id, language, question, top_intents, state, created_at)
     VALUES (?, ?, ?, ?, 'waiting', ?) RETURNING *`,
  );
  const currentOperator = db.prepare<[number], OperatorRow>(
    "SELECT * FROM operators WHERE user_id = ? AND removed_at IS NULL",
  );
  // The guard `state = 'waiting'` is what makes taking atomic: of two
  // connections running this for the same ticket, the second changes nothing.
  const takeWaiting = db.prepare<{ id: number; operator: number; now: number }, TicketRow>(
    `UPDATE tickets SET state = 'assigned', operator_id = :operator, assigned_at = :now,
       first_assigned_at = coalesce(first_assigned_at, :now)
     WHERE id = :id AND state = 'waiting' RETURNING *`,
  );
  const takeOldest = db.prepare<{ operator: number; now: number }, TicketRow>(
    `UPDATE tickets SET state = 'assigned', operator_id = :operator, assigned_at = :now,
       first_assigned_at = coalesce(first_assigned_at, :now)
     WHERE id = (SELECT id FROM tickets WHERE state = 'waiting' ORDER BY created_at, id LIMIT 1)
       AND state = 'waiting'
     RETURNING *`,
  );
  const requeue = db.prepare<[number, number], TicketRow>(
    `UPDATE tickets SET state = 'waiting', operator_id = NULL, assigned_at = NULL
     WHERE id = ? AND state = 'assigned' AND operator_id = ? RETURNING *`,
  );
  const reassign = db.prepare<[number, number, number, number], TicketRow>(
    `UPDATE tickets SET operator_id = ?, assigned_at = ?
     WHERE id = ? AND state = 'assigned' AND operator_id = ? RETURNING *`,
  );
  const closeAssigned = db.prepare<[number, number, number], TicketRow>(
    `UPDATE tickets SET state = 'closed', closed_at = ?, closed_by = 'operator'
     WHERE id = ? AND state = 'assigned' AND operator_id = ? RETURNING *`,
  );
  const cancelOpen = db.prepare<[number, number], TicketRow>(
    `UPDATE tickets SET state = 'closed', closed_at = ?, closed_by = 'citizen'
     WHERE chat_id = ? AND state <> 'closed' RETURNING *`,
  );
  const rateClosed = db.prepare<[number, number | null, number, number], TicketRow>(
    `UPDATE tickets SET rating = ?, solved = coalesce(?, solved)
     WHERE id = ? AND chat_id = ? AND state = 'closed' AND rating IS NULL RETURNING *`,
  );
  const waiting = db.prepare<[], TicketRow>(
    "SELECT * FROM tickets WHERE state = 'waiting' ORDER BY created_at, id",
  );
  const assignedTo = db.prepare<[number], TicketRow>(
    "SELECT * FROM tickets WHERE state = 'assigned' AND operator_id = ? ORDER BY assigned_at, id",
  );
  const position = db.prepare<[number], { position: number }>(
    `SELECT 1 + (SELECT count(*) FROM tickets w WHERE w.state = 'waiting'
       AND (w.created_at < t.created_at OR (w.created_at = t.created_at AND w.id < t.id))) AS position
     FROM tickets t WHERE t.id = ? AND t.state = 'waiting'`,
  );
  const insertMessage = db.prepare<
    [
      number,
      string,
      number | null,
      string | null,
      string | null,
      string | null,
      number | null,
      number,
    ],
    TicketMessageRow
  >(
    `INSERT INTO ticket_messages
       (ticket_id, direction, operator_id, text, file_id, file_kind, telegram_message_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const lastMessageOf = db.prepare<[number, MessageDirection], TicketMessageRow>(
    "SELECT * FROM ticket_messages WHERE ticket_id = ? AND direction = ? ORDER BY id DESC LIMIT 1",
  );
  const messagesOf = db.prepare<[number], TicketMessageRow>(
    "SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY id",
  );

  const ticketOf = (id: number) => {
    const row = byId.get(id);
    return row ? toTicket(row) : undefined;
  };
  const operatorOf = (userId: number) => {
    const row = currentOperator.get(userId);
    return row ? toOperator(row) : undefined;
  };
  const positionOf = (id: number) => position.get(id)?.position;
  // Inside our own write transaction nothing else can change the row between
  // the checks and the guarded UPDATE, so a guard that misses is a bug.
  const changed = (row: TicketRow | undefined): Ticket => {
    if (!row) throw new Error("A ticket changed during its own write transaction: report this bug");
    return toTicket(row);
  };
  const refuse = <R extends string>(
    operatorId: number,
    action: AuditAction,
    ticketId: number | null,
    reason: R,
  ): { ok: false; reason: R } => {
    audit.record({ operatorId, action, ticketId, details: { refused: reason } });
    return { ok: false, reason };
  };
  /** The acting operator and the ticket, if they may act on it. */
  const authorize = (
    operatorId: number,
    ticketId: number,
    action: AuditAction,
    { waitingForSupervisors = false } = {},
  ): Authorized => {
    const operator = operatorOf(operatorId);
    if (!operator) return refuse(operatorId, action, ticketId, "not_operator");
    const ticket = ticketOf(ticketId);
    if (!ticket) return refuse(operatorId, action, ticketId, "not_found");
    if (ticket.state === "closed") return refuse(operatorId, action, ticketId, "closed");
    if (ticket.state === "waiting" && !(waitingForSupervisors && operator.role === "supervisor")) {
      return refuse(operatorId, action, ticketId, "not_assigned");
    }
    if (operator.role !== "supervisor" && ticket.operatorId !== operatorId) {
      return refuse(operatorId, action, ticketId, "not_yours");
    }
    return { ok: true, operator, ticket };
  };

  const open = db.transaction((input: NewTicket): OpenTicketResult => {
    const existing = openOfChat.get(input.chatId);
    if (existing) return { ok: false, reason: "already_open", ticket: toTicket(existing) };
    const ticket = toTicket(
      insertTicket.get(
        input.chatId,
        input.language,
        input.question,
        JSON.stringify(input.topIntents),
        now(),
      ) as TicketRow,
    );
    return { ok: true, ticket, position: positionOf(ticket.id) as number };
  });

  const take = db.transaction((ticketId: number, operatorId: number): TakeResult => {
    const operator = operatorOf(operatorId);
    if (!operator) return refuse(operatorId, "take", ticketId, "not_operator");
    if (!operator.onShift) return refuse(operatorId, "take", ticketId, "off_shift");
    const row = takeWaiting.get({ id: ticketId, operator: operatorId, now: now() });
    if (!row) {
      const ticket = ticketOf(ticketId);
      if (!ticket) return refuse(operatorId, "take", ticketId, "not_found");
      if (ticket.state === "closed") return refuse(operatorId, "take", ticketId, "closed");
      audit.record({
        operatorId,
        action: "take",
        ticketId,
        details: { refused: "already_taken", by: ticket.operatorId },
      });
      return { ok: false, reason: "already_taken", ticket };
    }
    const ticket = toTicket(row);
    audit.record({ operatorId, action: "take", ticketId, details: waitDetails(ticket) });
    return { ok: true, ticket };
  });

  const next = db.transaction((operatorId: number): TakeNextResult => {
    const operator = operatorOf(operatorId);
    if (!operator) return refuse(operatorId, "take_next", null, "not_operator");
    if (!operator.onShift) return refuse(operatorId, "take_next", null, "off_shift");
    const row = takeOldest.get({ operator: operatorId, now: now() });
    if (!row) return refuse(operatorId, "take_next", null, "queue_empty");
    const ticket = toTicket(row);
    audit.record({
      operatorId,
      action: "take_next",
      ticketId: ticket.id,
      details: waitDetails(ticket),
    });
    return { ok: true, ticket };
  });

  const moveToQueue = (ticket: Ticket, operatorId: number, action: AuditAction) => {
    const previousOperatorId = ticket.operatorId as number;
    const moved = changed(requeue.get(ticket.id, previousOperatorId));
    audit.record({
      operatorId,
      action,
      ticketId: ticket.id,
      details: { from: previousOperatorId, to: "queue" },
    });
    return { ticket: moved, previousOperatorId };
  };

  const release = db.transaction((ticketId: number, operatorId: number): ReleaseResult => {
    const allowed = authorize(operatorId, ticketId, "release");
    if (!allowed.ok) return allowed;
    const { ticket, previousOperatorId } = moveToQueue(allowed.ticket, operatorId, "release");
    return { ok: true, ticket, previousOperatorId, position: positionOf(ticket.id) as number };
  });

  const transfer = db.transaction(
    (ticketId: number, operatorId: number, to: number | "queue"): TransferResult => {
      const allowed = authorize(operatorId, ticketId, "transfer");
      if (!allowed.ok) return allowed;
      if (to === "queue") {
        return { ok: true, ...moveToQueue(allowed.ticket, operatorId, "transfer") };
      }
      const previousOperatorId = allowed.ticket.operatorId as number;
      if (to === previousOperatorId) {
        return refuse(operatorId, "transfer", ticketId, "same_operator");
      }
      const target = operatorOf(to);
      if (!target) return refuse(operatorId, "transfer", ticketId, "target_not_operator");
      if (!target.onShift) return refuse(operatorId, "transfer", ticketId, "target_off_shift");
      const ticket = changed(reassign.get(to, now(), ticketId, previousOperatorId));
      audit.record({
        operatorId,
        action: "transfer",
        ticketId,
        details: { from: previousOperatorId, to },
      });
      return { ok: true, ticket, previousOperatorId };
    },
  );

  const close = db.transaction((ticketId: number, operatorId: number): CloseResult => {
    const allowed = authorize(operatorId, ticketId, "close");
    if (!allowed.ok) return allowed;
    const ticket = changed(closeAssigned.get(now(), ticketId, allowed.ticket.operatorId as number));
    const handlingMs = (ticket.closedAt as number) - (ticket.firstAssignedAt as number);
    audit.record({ operatorId, action: "close", ticketId, details: { handlingMs } });
    return { ok: true, ticket };
  });

  const rate = db.transaction(
    (ticketId: number, chatId: number, rating: number, solved: boolean | undefined): RateResult => {
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
        return { ok: false, reason: "invalid_rating" };
      }
      const solvedValue = solved === undefined ? null : solved ? 1 : 0;
      const row = rateClosed.get(rating, solvedValue, ticketId, chatId);
      if (row) return { ok: true, ticket: toTicket(row) };
      const ticket = ticketOf(ticketId);
      if (!ticket) return { ok: false, reason: "not_found" };
      if (ticket.chatId !== chatId) return { ok: false, reason: "not_yours" };
      if (ticket.state !== "closed") return { ok: false, reason: "not_closed" };
      return { ok: false, reason: "already_rated" };
    },
  );

  const cancel = db.transaction((chatId: number): CancelResult => {
    const row = cancelOpen.get(now(), chatId);
    return row ? { ok: true, ticket: toTicket(row) } : { ok: false, reason: "no_open_ticket" };
  });

  const addMessage = db.transaction((input: NewTicketMessage): AddMessageResult => {
    if (input.text === undefined && input.file === undefined) {
      throw new TypeError("addMessage needs text, a file or both: got neither");
    }
    let ticket: Ticket;
    let operatorId: number | null = null;
    if (input.direction === "citizen") {
      const found = ticketOf(input.ticketId);
      if (!found) return { ok: false, reason: "not_found" };
      if (found.state === "closed") return { ok: false, reason: "closed" };
      ticket = found;
    } else {
      const action = input.direction === "note" ? "note" : "message";
      const allowed = authorize(input.operatorId, input.ticketId, action, {
        waitingForSupervisors: input.direction === "note",
      });
      if (!allowed.ok) return allowed;
      ticket = allowed.ticket;
      operatorId = input.operatorId;
    }
    const message = toTicketMessage(
      insertMessage.get(
        input.ticketId,
        input.direction,
        operatorId,
        input.text ?? null,
        input.file?.id ?? null,
        input.file?.kind ?? null,
        input.telegramMessageId ?? null,
        now(),
      ) as TicketMessageRow,
    );
    if (operatorId !== null) {
      audit.record({
        operatorId,
        action: input.direction === "note" ? "note" : "message",
        ticketId: input.ticketId,
        details: { messageId: message.id },
      });
    }
    return { ok: true, message, ticket };
  });

  return {
    openTicket: (ticket) => open.immediate(ticket),
    takeTicket: (ticketId, operatorId) => take.immediate(ticketId, operatorId),
    takeNext: (operatorId) => next.immediate(operatorId),
    release: (ticketId, operatorId) => release.immediate(ticketId, operatorId),
    transfer: (ticketId, from, to) => transfer.immediate(ticketId, from, to),
    close: (ticketId, operatorId) => close.immediate(ticketId, operatorId),
    rate: (ticketId, chatId, rating, solved) => rate.immediate(ticketId, chatId, rating, solved),
    cancel: (chatId) => cancel.immediate(chatId),
    addMessage: (message) => addMessage.immediate(message),
    ticket: ticketOf,
    openTicketOf: (chatId) => {
      const row = openOfChat.get(chatId);
      return row ? toTicket(row) : undefined;
    },
    ticketsOf: (operatorId) => assignedTo.all(operatorId).map(toTicket),
    queue: () => waiting.all().map(toTicket),
    positionOf,
    expectedWaitMinutes: statistics.expectedWaitMinutes,
    stats: statistics.stats,
    lastMessage: (ticketId, direction) => {
      const row = lastMessageOf.get(ticketId, direction);
      return row && toTicketMessage(row);
    },
    transcript: (ticketId) => {
      const ticket = ticketOf(ticketId);
      return ticket
        ? { ticket, messages: messagesOf.all(ticketId).map(toTicketMessage) }
        : undefined;
    },
  };
}

function waitDetails(ticket: Ticket): Record<string, unknown> {
  return { sinceOpenedMs: (ticket.assignedAt as number) - ticket.createdAt };
}
