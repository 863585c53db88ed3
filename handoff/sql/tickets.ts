import type {
  ActRefusal,
  AddMessageResult,
  AuditAction,
  CloseResult,
  OpenTicketResult,
  RateResult,
  ReleaseResult,
  StaffMember,
  StaffRow,
  TakeNextResult,
  TakeResult,
  TicketService,
  TicketServiceOptions,
  TransferResult,
} from "../ports.ts";
import {
  type Ticket,
  type TicketMessageRow,
  type TicketRow,
  toTicket,
  toTicketMessage,
} from "../ticket-model.ts";
import { createAuditLog } from "./audit.ts";
import type { SqlClient } from "./client.ts";
import { toStaffMember } from "./staff.ts";
import { createTicketStatistics } from "./ticket-stats.ts";

type Authorized =
  | { ok: true; operator: StaffMember; ticket: Ticket }
  | { ok: false; reason: ActRefusal };

const BY_ID = "SELECT * FROM tickets WHERE id = ?";
const OPEN_OF_CHAT = "SELECT * FROM tickets WHERE chat_id = ? AND state <> 'closed'";
const INSERT_TICKET = `INSERT INTO tickets (chat_id, language, question, top_intents, state, created_at)
  VALUES (?, ?, ?, ?, 'waiting', ?) RETURNING *`;
const CURRENT_OPERATOR = "SELECT * FROM staff WHERE id = ? AND removed_at IS NULL";
// The guard `state = 'waiting'` is what makes taking atomic: of two
// connections running this for the same ticket, the second changes nothing.
const TAKE_WAITING = `UPDATE tickets SET state = 'assigned', operator_id = :operator, assigned_at = :now,
    first_assigned_at = coalesce(first_assigned_at, :now)
  WHERE id = :id AND state = 'waiting' RETURNING *`;
const TAKE_OLDEST = `UPDATE tickets SET state = 'assigned', operator_id = :operator, assigned_at = :now,
    first_assigned_at = coalesce(first_assigned_at, :now)
  WHERE id = (SELECT id FROM tickets WHERE state = 'waiting' ORDER BY created_at, id LIMIT 1)
    AND state = 'waiting'
  RETURNING *`;
const REQUEUE = `UPDATE tickets SET state = 'waiting', operator_id = NULL, assigned_at = NULL
  WHERE id = ? AND state = 'assigned' AND operator_id = ? RETURNING *`;
const REASSIGN = `UPDATE tickets SET operator_id = ?, assigned_at = ?
  WHERE id = ? AND state = 'assigned' AND operator_id = ? RETURNING *`;
const CLOSE_ASSIGNED = `UPDATE tickets SET state = 'closed', closed_at = ?, closed_by = 'operator'
  WHERE id = ? AND state = 'assigned' AND operator_id = ? RETURNING *`;
const CANCEL_OPEN = `UPDATE tickets SET state = 'closed', closed_at = ?, closed_by = 'citizen'
  WHERE chat_id = ? AND state <> 'closed' RETURNING *`;
const RATE_CLOSED = `UPDATE tickets SET rating = ?, solved = coalesce(?, solved)
  WHERE id = ? AND chat_id = ? AND state = 'closed' AND rating IS NULL RETURNING *`;
const WAITING = "SELECT * FROM tickets WHERE state = 'waiting' ORDER BY created_at, id";
const ASSIGNED_TO =
  "SELECT * FROM tickets WHERE state = 'assigned' AND operator_id = ? ORDER BY assigned_at, id";
const POSITION = `SELECT 1 + (SELECT count(*) FROM tickets w WHERE w.state = 'waiting'
    AND (w.created_at < t.created_at OR (w.created_at = t.created_at AND w.id < t.id))) AS position
  FROM tickets t WHERE t.id = ? AND t.state = 'waiting'`;
const INSERT_MESSAGE = `INSERT INTO ticket_messages
    (ticket_id, direction, operator_id, text, file_id, file_kind, telegram_message_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`;
const LAST_MESSAGE =
  "SELECT * FROM ticket_messages WHERE ticket_id = ? AND direction = ? ORDER BY id DESC LIMIT 1";
const MESSAGES = "SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY id";
const OVERDUE =
  "SELECT id, created_at FROM tickets WHERE state = 'waiting' AND created_at <= ? ORDER BY created_at";
const LAST_REMINDER = "SELECT max(reminded_at) AS at FROM tickets WHERE state = 'waiting'";
const MARK_REMINDED = "UPDATE tickets SET reminded_at = ? WHERE id = ?";
const RECORDED_TWICE = `SELECT ticket_id, direction, text, count(*) AS copies FROM ticket_messages
  WHERE text IS NOT NULL GROUP BY ticket_id, direction, text HAVING count(*) > 1`;
const LATEST_OF_CHAT = "SELECT max(id) AS id FROM tickets WHERE chat_id = ?";

/**
 * The ticket service on `sql` (the database, or a transaction's client: give
 * the outbox the same one). Cheap to build: it holds SQL text, no statements.
 *
 * @example
 * const tickets = createTicketService(db);
 * const opened = await tickets.openTicket({ chatId, language: "ru", question, topIntents });
 * if (opened.ok) tell(`Ticket #${opened.ticket.id}, place ${opened.position}`);
 * const taken = await tickets.takeTicket(opened.ticket.id, operatorId);
 */
export function createTicketService(
  sql: SqlClient,
  options: TicketServiceOptions = {},
): TicketService {
  const { now = Date.now, waitSample = 50, via } = options;
  const statistics = createTicketStatistics(sql, { waitSample });

  /** The queries and checks, on one client (the database, or an operation's transaction). */
  const on = (tx: SqlClient) => {
    const audit = createAuditLog(tx, { now, ...(via ? { via } : {}) });
    const ticketOf = async (id: number) => {
      const row = await tx.get<TicketRow>(BY_ID, [id]);
      return row ? toTicket(row) : undefined;
    };
    const operatorOf = async (staffId: number) => {
      const row = await tx.get<StaffRow>(CURRENT_OPERATOR, [staffId]);
      return row ? toStaffMember(row) : undefined;
    };
    const positionOf = async (id: number) =>
      (await tx.get<{ position: number }>(POSITION, [id]))?.position;
    const refuse = async <R extends string>(
      operatorId: number,
      action: AuditAction,
      ticketId: number | null,
      reason: R,
    ): Promise<{ ok: false; reason: R }> => {
      await audit.record({ staffId: operatorId, action, ticketId, details: { refused: reason } });
      return { ok: false, reason };
    };
    /** The acting operator and the ticket, if they may act on it. */
    const authorize = async (
      operatorId: number,
      ticketId: number,
      action: AuditAction,
      { waitingForSupervisors = false } = {},
    ): Promise<Authorized> => {
      const operator = await operatorOf(operatorId);
      if (!operator) return refuse(operatorId, action, ticketId, "not_operator");
      const ticket = await ticketOf(ticketId);
      if (!ticket) return refuse(operatorId, action, ticketId, "not_found");
      if (ticket.state === "closed") return refuse(operatorId, action, ticketId, "closed");
      if (
        ticket.state === "waiting" &&
        !(waitingForSupervisors && operator.role === "supervisor")
      ) {
        return refuse(operatorId, action, ticketId, "not_assigned");
      }
      if (operator.role !== "supervisor" && ticket.operatorId !== operatorId) {
        return refuse(operatorId, action, ticketId, "not_yours");
      }
      return { ok: true, operator, ticket };
    };
    const moveToQueue = async (ticket: Ticket, operatorId: number, action: AuditAction) => {
      const previousOperatorId = ticket.operatorId as number;
      const moved = changed(await tx.get<TicketRow>(REQUEUE, [ticket.id, previousOperatorId]));
      await audit.record({
        staffId: operatorId,
        action,
        ticketId: ticket.id,
        details: { from: previousOperatorId, to: "queue" },
      });
      return { ticket: moved, previousOperatorId };
    };
    return { audit, ticketOf, operatorOf, positionOf, refuse, authorize, moveToQueue };
  };
  const read = on(sql);
  /** Runs an operation in a transaction (a savepoint inside the caller's). */
  const atomically = <T>(work: (q: ReturnType<typeof on>, tx: SqlClient) => Promise<T>) =>
    sql.transaction((tx) => work(on(tx), tx));

  return {
    openTicket: (input) =>
      atomically(async (q, tx): Promise<OpenTicketResult> => {
        const existing = await tx.get<TicketRow>(OPEN_OF_CHAT, [input.chatId]);
        if (existing) return { ok: false, reason: "already_open", ticket: toTicket(existing) };
        const row = await tx.get<TicketRow>(INSERT_TICKET, [
          input.chatId,
          input.language,
          input.question,
          JSON.stringify(input.topIntents),
          now(),
        ]);
        const ticket = toTicket(row as TicketRow);
        return { ok: true, ticket, position: (await q.positionOf(ticket.id)) as number };
      }),

    takeTicket: (ticketId, operatorId) =>
      atomically(async (q, tx): Promise<TakeResult> => {
        const operator = await q.operatorOf(operatorId);
        if (!operator) return q.refuse(operatorId, "take", ticketId, "not_operator");
        if (!operator.onShift) return q.refuse(operatorId, "take", ticketId, "off_shift");
        const row = await tx.get<TicketRow>(TAKE_WAITING, {
          id: ticketId,
          operator: operatorId,
          now: now(),
        });
        if (!row) {
          const ticket = await q.ticketOf(ticketId);
          if (!ticket) return q.refuse(operatorId, "take", ticketId, "not_found");
          if (ticket.state === "closed") return q.refuse(operatorId, "take", ticketId, "closed");
          await q.audit.record({
            staffId: operatorId,
            action: "take",
            ticketId,
            details: { refused: "already_taken", by: ticket.operatorId },
          });
          return { ok: false, reason: "already_taken", ticket };
        }
        const ticket = toTicket(row);
        await q.audit.record({
          staffId: operatorId,
          action: "take",
          ticketId,
          details: waitDetails(ticket),
        });
        return { ok: true, ticket };
      }),

    takeNext: (operatorId) =>
      atomically(async (q, tx): Promise<TakeNextResult> => {
        const operator = await q.operatorOf(operatorId);
        if (!operator) return q.refuse(operatorId, "take_next", null, "not_operator");
        if (!operator.onShift) return q.refuse(operatorId, "take_next", null, "off_shift");
        const row = await tx.get<TicketRow>(TAKE_OLDEST, { operator: operatorId, now: now() });
        if (!row) return q.refuse(operatorId, "take_next", null, "queue_empty");
        const ticket = toTicket(row);
        await q.audit.record({
          staffId: operatorId,
          action: "take_next",
          ticketId: ticket.id,
          details: waitDetails(ticket),
        });
        return { ok: true, ticket };
      }),

    release: (ticketId, operatorId) =>
      atomically(async (q): Promise<ReleaseResult> => {
        const allowed = await q.authorize(operatorId, ticketId, "release");
        if (!allowed.ok) return allowed;
        const { ticket, previousOperatorId } = await q.moveToQueue(
          allowed.ticket,
          operatorId,
          "release",
        );
        const position = (await q.positionOf(ticket.id)) as number;
        return { ok: true, ticket, previousOperatorId, position };
      }),

    transfer: (ticketId, operatorId, to) =>
      atomically(async (q, tx): Promise<TransferResult> => {
        const allowed = await q.authorize(operatorId, ticketId, "transfer");
        if (!allowed.ok) return allowed;
        if (to === "queue") {
          return { ok: true, ...(await q.moveToQueue(allowed.ticket, operatorId, "transfer")) };
        }
        const previousOperatorId = allowed.ticket.operatorId as number;
        if (to === previousOperatorId) {
          return q.refuse(operatorId, "transfer", ticketId, "same_operator");
        }
        const target = await q.operatorOf(to);
        if (!target) return q.refuse(operatorId, "transfer", ticketId, "target_not_operator");
        if (!target.onShift) return q.refuse(operatorId, "transfer", ticketId, "target_off_shift");
        const ticket = changed(
          await tx.get<TicketRow>(REASSIGN, [to, now(), ticketId, previousOperatorId]),
        );
        await q.audit.record({
          staffId: operatorId,
          action: "transfer",
          ticketId,
          details: { from: previousOperatorId, to },
        });
        return { ok: true, ticket, previousOperatorId };
      }),

    close: (ticketId, operatorId) =>
      atomically(async (q, tx): Promise<CloseResult> => {
        const allowed = await q.authorize(operatorId, ticketId, "close");
        if (!allowed.ok) return allowed;
        const ticket = changed(
          await tx.get<TicketRow>(CLOSE_ASSIGNED, [
            now(),
            ticketId,
            allowed.ticket.operatorId as number,
          ]),
        );
        const handlingMs = (ticket.closedAt as number) - (ticket.firstAssignedAt as number);
        await q.audit.record({
          staffId: operatorId,
          action: "close",
          ticketId,
          details: { handlingMs },
        });
        return { ok: true, ticket };
      }),

    rate: (ticketId, chatId, rating, solved) =>
      atomically(async (q, tx): Promise<RateResult> => {
        if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
          return { ok: false, reason: "invalid_rating" };
        }
        const solvedValue = solved === undefined ? null : solved ? 1 : 0;
        const row = await tx.get<TicketRow>(RATE_CLOSED, [rating, solvedValue, ticketId, chatId]);
        if (row) return { ok: true, ticket: toTicket(row) };
        const ticket = await q.ticketOf(ticketId);
        if (!ticket) return { ok: false, reason: "not_found" };
        if (ticket.chatId !== chatId) return { ok: false, reason: "not_yours" };
        if (ticket.state !== "closed") return { ok: false, reason: "not_closed" };
        return { ok: false, reason: "already_rated" };
      }),

    cancel: async (chatId) => {
      // One guarded statement: atomic on its own.
      const row = await sql.get<TicketRow>(CANCEL_OPEN, [now(), chatId]);
      return row ? { ok: true, ticket: toTicket(row) } : { ok: false, reason: "no_open_ticket" };
    },

    addMessage: (input) =>
      atomically(async (q, tx): Promise<AddMessageResult> => {
        if (input.text === undefined && input.file === undefined) {
          throw new TypeError("addMessage needs text, a file or both: got neither");
        }
        // One ticket's messages are added one at a time, each with what its
        // step says about it: a second writer (another browser tab, process)
        // waits here for the first's commit, so the order of the messages is
        // the order of what is sent for them. SQLite has one writer anyway.
        if (tx.engine === "postgres") {
          await tx.get("SELECT id FROM tickets WHERE id = ? FOR UPDATE", [input.ticketId]);
        }
        let ticket: Ticket;
        let operatorId: number | null = null;
        if (input.direction === "citizen") {
          const found = await q.ticketOf(input.ticketId);
          if (!found) return { ok: false, reason: "not_found" };
          if (found.state === "closed") return { ok: false, reason: "closed" };
          ticket = found;
        } else {
          const action = input.direction === "note" ? "note" : "message";
          const allowed = await q.authorize(input.operatorId, input.ticketId, action, {
            waitingForSupervisors: input.direction === "note",
          });
          if (!allowed.ok) return allowed;
          ticket = allowed.ticket;
          operatorId = input.operatorId;
        }
        const row = await tx.get<TicketMessageRow>(INSERT_MESSAGE, [
          input.ticketId,
          input.direction,
          operatorId,
          input.text ?? null,
          input.file?.id ?? null,
          input.file?.kind ?? null,
          input.telegramMessageId ?? null,
          now(),
        ]);
        const message = toTicketMessage(row as TicketMessageRow);
        if (operatorId !== null) {
          await q.audit.record({
            staffId: operatorId,
            action: input.direction === "note" ? "note" : "message",
            ticketId: input.ticketId,
            details: { messageId: message.id },
          });
        }
        return { ok: true, message, ticket };
      }),

    ticket: read.ticketOf,
    openTicketOf: async (chatId) => {
      const row = await sql.get<TicketRow>(OPEN_OF_CHAT, [chatId]);
      return row ? toTicket(row) : undefined;
    },
    ticketsOf: async (operatorId) =>
      (await sql.all<TicketRow>(ASSIGNED_TO, [operatorId])).map(toTicket),
    queue: async () => (await sql.all<TicketRow>(WAITING)).map(toTicket),
    positionOf: read.positionOf,
    expectedWaitMinutes: statistics.expectedWaitMinutes,
    stats: (sinceMs) => statistics.stats(sinceMs),
    lastMessage: async (ticketId, direction) => {
      const row = await sql.get<TicketMessageRow>(LAST_MESSAGE, [ticketId, direction]);
      return row && toTicketMessage(row);
    },
    overdue: async (sinceMs) =>
      (await sql.all<{ id: number; created_at: number }>(OVERDUE, [sinceMs])).map((row) => ({
        id: row.id,
        createdAt: row.created_at,
      })),
    lastReminderAt: async () => (await sql.get<{ at: number | null }>(LAST_REMINDER))?.at ?? null,
    markReminded: async (ticketIds, at) => {
      for (const id of ticketIds) await sql.run(MARK_REMINDED, [at, id]);
    },
    latestTicketIdOf: async (chatId) =>
      (await sql.get<{ id: number | null }>(LATEST_OF_CHAT, [chatId]))?.id ?? undefined,
    recordedTwice: async () =>
      (
        await sql.all<{ ticket_id: number; direction: string; text: string; copies: number }>(
          RECORDED_TWICE,
        )
      ).map((row) => ({
        ticketId: row.ticket_id,
        direction: row.direction,
        text: row.text,
        copies: Number(row.copies),
      })),
    transcript: async (ticketId) => {
      const ticket = await read.ticketOf(ticketId);
      if (!ticket) return undefined;
      const rows = await sql.all<TicketMessageRow>(MESSAGES, [ticketId]);
      return { ticket, messages: rows.map(toTicketMessage) };
    },
  };
}

// Inside our own write transaction nothing else can change the row between
// the checks and the guarded UPDATE, so a guard that misses is a bug.
function changed(row: TicketRow | undefined): Ticket {
  if (!row) throw new Error("A ticket changed during its own write transaction: report this bug");
  return toTicket(row);
}

function waitDetails(ticket: Ticket): Record<string, unknown> {
  return { sinceOpenedMs: (ticket.assignedAt as number) - ticket.createdAt };
}
