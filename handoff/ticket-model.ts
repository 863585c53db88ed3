import type { Language } from "../knowledge/stem.ts";

/**
 * Where a ticket is in its life:
 * `waiting` (in the queue) → `assigned` (an operator has it) → `closed`.
 * An assigned ticket goes back to `waiting` when released or transferred to
 * the queue, or to another operator on transfer; a citizen may cancel a
 * waiting or assigned ticket, which closes it.
 */
export type TicketState = "waiting" | "assigned" | "closed";

/** One of the intents the bot considered before escalating. */
export interface IntentGuess {
  intent: string;
  score: number;
}

/** A citizen's request for a live operator, as stored. */
export interface Ticket {
  id: number;
  chatId: number;
  language: Language;
  /** The question that opened the ticket, personal data already masked. */
  question: string;
  /** What the bot tried, best first. */
  topIntents: readonly IntentGuess[];
  state: TicketState;
  /** The operator who has the ticket (or had it, once closed); null while waiting. */
  operatorId: number | null;
  createdAt: number;
  /** When the current (or last) operator took it. */
  assignedAt: number | null;
  /** When an operator first took it: the end of the citizen's wait. */
  firstAssignedAt: number | null;
  closedAt: number | null;
  closedBy: "operator" | "citizen" | null;
  rating: number | null;
  solved: boolean | null;
}

/** Who wrote a ticket message; a `note` is internal and never reaches the citizen. */
export type MessageDirection = "citizen" | "operator" | "note";

/** A Telegram file relayed through a ticket. */
export interface TicketFile {
  id: string;
  kind: "photo" | "document";
}

/** One message of a ticket's conversation. */
export interface TicketMessage {
  id: number;
  ticketId: number;
  direction: MessageDirection;
  /** The operator who wrote an `operator` message or a `note`; null for the citizen's. */
  operatorId: number | null;
  text: string | null;
  file: TicketFile | null;
  /** The Telegram message id in the sender's chat, when known. */
  telegramMessageId: number | null;
  createdAt: number;
}

export interface TicketRow {
  id: number;
  chat_id: number;
  language: Language;
  question: string;
  top_intents: string;
  state: TicketState;
  operator_id: number | null;
  created_at: number;
  assigned_at: number | null;
  first_assigned_at: number | null;
  closed_at: number | null;
  closed_by: "operator" | "citizen" | null;
  rating: number | null;
  solved: number | null;
}

export interface TicketMessageRow {
  id: number;
  ticket_id: number;
  direction: MessageDirection;
  operator_id: number | null;
  text: string | null;
  file_id: string | null;
  file_kind: TicketFile["kind"] | null;
  telegram_message_id: number | null;
  created_at: number;
}

export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    chatId: row.chat_id,
    language: row.language,
    question: row.question,
    topIntents: JSON.parse(row.top_intents) as IntentGuess[],
    state: row.state,
    operatorId: row.operator_id,
    createdAt: row.created_at,
    assignedAt: row.assigned_at,
    firstAssignedAt: row.first_assigned_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    rating: row.rating,
    solved: row.solved === null ? null : row.solved === 1,
  };
}

export function toTicketMessage(row: TicketMessageRow): TicketMessage {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    direction: row.direction,
    operatorId: row.operator_id,
    text: row.text,
    file:
      row.file_id !== null && row.file_kind !== null
        ? { id: row.file_id, kind: row.file_kind }
        : null,
    telegramMessageId: row.telegram_message_id,
    createdAt: row.created_at,
  };
}
