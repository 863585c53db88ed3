import type { Database } from "better-sqlite3";

/**
 * Extra Telegram parameters for the send method (`parse_mode`,
 * `reply_markup`, `reply_parameters`…), stored as JSON and passed as they are.
 */
export type SendOptions = Readonly<Record<string, unknown>>;

/** A message to deliver, by the Telegram method that sends it. */
export type OutboxMessage =
  | { kind: "text"; text: string; options?: SendOptions }
  | { kind: "photo"; fileId: string; caption?: string; options?: SendOptions }
  | { kind: "document"; fileId: string; caption?: string; options?: SendOptions }
  /** `copyMessage`: relays a message as it is, files and captions included. */
  | { kind: "copy"; fromChatId: number; messageId: number; options?: SendOptions }
  /**
   * `editMessageText` of a message this outbox sent before to the same chat
   * (row `outboxId`); skipped if that row was never delivered.
   */
  | { kind: "edit"; outboxId: number; text: string; options?: SendOptions };

export type OutboxState = "pending" | "sending" | "sent" | "failed";

/** One row of the outbox. */
export interface OutboxItem {
  id: number;
  chatId: number;
  message: OutboxMessage;
  ticketId: number | null;
  /** What the row is for, to find it again (e.g. "card": a new-ticket card). */
  tag: string | null;
  state: OutboxState;
  /** Failed attempts so far; a 429 is not one (`postpone`: Telegram only said "later"). */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** The Telegram message id, once sent (routes an operator's reply to its ticket). */
  messageId: number | null;
  createdAt: number;
  sentAt: number | null;
}

/**
 * Messages still to deliver to Telegram, kept in SQLite so a crash loses none.
 *
 * Delivery is at least once: a row is claimed (`sending`), sent, then marked
 * `sent`. If the process dies after Telegram accepted the message but before
 * `markSent` committed, `recoverStale` puts the row back to `pending` and it
 * is sent again. That window, one send per crash, is the only way to get a
 * duplicate; nothing is ever lost.
 *
 * Order: a chat's rows are claimed one at a time, oldest first; while an
 * older row of a chat is pending (waiting for a retry too) or being sent, its
 * newer rows wait. Different chats go in parallel.
 */
export interface Outbox {
  /**
   * Adds a message to deliver and returns its id. A single INSERT on the
   * outbox's connection: call it inside the `db.transaction` that makes the
   * change it reports, so both commit or neither does.
   */
  enqueue(item: {
    chatId: number;
    message: OutboxMessage;
    ticketId?: number;
    tag?: string;
  }): number;
  /**
   * Claims the oldest row that is due at `now` and whose chat has no older
   * row pending or being sent: marks it `sending` and returns it. With
   * `chatId`, only that chat's rows (a terminal console reads its own).
   */
  claimNext(now?: number, chatId?: number): OutboxItem | undefined;
  /** Telegram accepted it. Returns false if the row was not being sent or pending. */
  markSent(id: number, messageId?: number): boolean;
  /** A transient failure: back to pending, tried again after `retryAfterMs`. */
  markRetry(id: number, error: string, retryAfterMs: number): boolean;
  /**
   * Telegram asked to wait (429 with retry_after): back to pending, tried
   * again after `delayMs`, without counting a failed attempt (attempts set
   * the backoff and when to give up). Returns false if the row was not being sent.
   */
  postpone(id: number, error: string, delayMs: number): boolean;
  /** A permanent failure (blocked by the user, bad request): never tried again. */
  markFailed(id: number, error: string): boolean;
  /**
   * Puts rows claimed (`sending`) more than `olderThanMs` ago back to
   * `pending`, and returns how many. Call it with 0 at start-up, before the
   * delivery worker starts: every `sending` row then was left by a crash.
   * While a worker runs, only a threshold longer than any send may be used,
   * or a slow send is sent twice.
   */
  recoverStale(olderThanMs: number): number;
  /** How long the oldest undelivered row has waited, in ms; 0 when none waits. */
  lag(): number;
  get(id: number): OutboxItem | undefined;
  /** The ticket of a message the outbox delivered to `chatId` (an operator replied to it). */
  ticketOfMessage(chatId: number, messageId: number): number | undefined;
  /** A ticket's rows with a tag, oldest first (e.g. its cards, to edit them). */
  tagged(ticketId: number, tag: string): OutboxItem[];
}

export interface OutboxOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
}

interface OutboxRow {
  id: number;
  chat_id: number;
  kind: OutboxMessage["kind"];
  payload: string;
  ticket_id: number | null;
  tag: string | null;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  claimed_at: number | null;
  last_error: string | null;
  message_id: number | null;
  created_at: number;
  sent_at: number | null;
}

function toItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    chatId: row.chat_id,
    message: { kind: row.kind, ...JSON.parse(row.payload) } as OutboxMessage,
    ticketId: row.ticket_id,
    tag: row.tag,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    messageId: row.message_id,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

/**
 * The outbox on `db`; give it the connection the ticket service uses.
 *
 * @example
 * db.transaction(() => {
 *   const sent = tickets.addMessage({ ticketId, direction: "operator", operatorId, text });
 *   if (sent.ok) outbox.enqueue({ chatId: sent.ticket.chatId, message: { kind: "text", text }, ticketId });
 * }).immediate();
 */
export function createOutbox(db: Database, options: OutboxOptions = {}): Outbox {
  const { now = Date.now } = options;
  const insert = db.prepare<[number, string, string, number | null, string | null, number, number]>(
    `INSERT INTO outbox (chat_id, kind, payload, ticket_id, tag, state, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
  );
  // One statement, so two workers never claim the same row. The unary + keeps
  // SQLite on the (state, id) index: it walks pending rows oldest first and
  // stops at the first one due, instead of sorting every due row (a backlog
  // of 20,000 rows took 7 ms a claim that way, 0.15 ms this way).
  const claim = db.prepare<{ now: number; chat: number | null }, OutboxRow>(
    `UPDATE outbox SET state = 'sending', claimed_at = :now
     WHERE id = (
       SELECT o.id FROM outbox o
       WHERE o.state = 'pending' AND +o.next_attempt_at <= :now
         AND (:chat IS NULL OR o.chat_id = :chat)
         AND NOT EXISTS (
           SELECT 1 FROM outbox p
           WHERE p.chat_id = o.chat_id AND p.id < o.id AND p.state IN ('pending', 'sending'))
       ORDER BY o.id LIMIT 1)
     RETURNING *`,
  );
  const sent = db.prepare<[number, number | null, number]>(
    `UPDATE outbox SET state = 'sent', sent_at = ?, message_id = ?, claimed_at = NULL
     WHERE id = ? AND state IN ('sending', 'pending')`,
  );
  const retry = db.prepare<[number, string, number]>(
    `UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?,
       last_error = ?, claimed_at = NULL
     WHERE id = ? AND state = 'sending'`,
  );
  const postpone = db.prepare<[number, string, number]>(
    `UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, claimed_at = NULL
     WHERE id = ? AND state = 'sending'`,
  );
  const failed = db.prepare<[string, number]>(
    `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, claimed_at = NULL
     WHERE id = ? AND state IN ('sending', 'pending')`,
  );
  const recover = db.prepare<[number]>(
    `UPDATE outbox SET state = 'pending', claimed_at = NULL
     WHERE state = 'sending' AND claimed_at <= ?`,
  );
  const oldest = db.prepare<[], { created_at: number | null }>(
    "SELECT min(created_at) AS created_at FROM outbox WHERE state IN ('pending', 'sending')",
  );
  const byId = db.prepare<[number], OutboxRow>("SELECT * FROM outbox WHERE id = ?");
  const byMessage = db.prepare<[number, number], { ticket_id: number | null }>(
    "SELECT ticket_id FROM outbox WHERE chat_id = ? AND message_id = ? ORDER BY id DESC LIMIT 1",
  );
  const byTag = db.prepare<[number, string], OutboxRow>(
    "SELECT * FROM outbox WHERE ticket_id = ? AND tag = ? ORDER BY id",
  );

  return {
    enqueue: ({ chatId, message, ticketId, tag }) => {
      const { kind, ...payload } = message;
      const at = now();
      const payloadJson = JSON.stringify(payload);
      return Number(
        insert.run(chatId, kind, payloadJson, ticketId ?? null, tag ?? null, at, at)
          .lastInsertRowid,
      );
    },
    claimNext: (at = now(), chatId) => {
      const row = claim.get({ now: at, chat: chatId ?? null });
      return row ? toItem(row) : undefined;
    },
    markSent: (id, messageId) => sent.run(now(), messageId ?? null, id).changes > 0,
    markRetry: (id, error, retryAfterMs) =>
      retry.run(now() + Math.max(0, retryAfterMs), error, id).changes > 0,
    postpone: (id, error, delayMs) =>
      postpone.run(now() + Math.max(0, delayMs), error, id).changes > 0,
    markFailed: (id, error) => failed.run(error, id).changes > 0,
    recoverStale: (olderThanMs) => recover.run(now() - olderThanMs).changes,
    lag: () => {
      const since = oldest.get()?.created_at;
      return since == null ? 0 : Math.max(0, now() - since);
    },
    get: (id) => {
      const row = byId.get(id);
      return row ? toItem(row) : undefined;
    },
    ticketOfMessage: (chatId, messageId) =>
      byMessage.get(chatId, messageId)?.ticket_id ?? undefined,
    tagged: (ticketId, tag) => byTag.all(ticketId, tag).map(toItem),
  };
}
