// What the soak reads from the bot's SQLite file while it runs, and while it
// lies dead after the kill. Read only: the bot is the only writer.
import { createOutbox, createTicketService, type OutboxItem } from "../handoff/index.ts";
import { openSqlite } from "../handoff/sqlite/index.ts";

/** An outbox row as the soak sees it. */
export interface ProbedRow {
  id: number;
  chatId: number;
  ticketId: number | null;
  kind: string;
  /** The text or caption sent, if any (Telegram HTML). */
  text: string | undefined;
}

/** Queries on the bot's database, on one connection kept open for the run. */
export interface SoakProbe {
  /** Rows still to deliver (pending, waiting for a retry, or being sent). */
  undelivered(): Promise<number>;
  /** Rows being sent: read right after a kill, those are the sends in flight at the crash. */
  sending(): Promise<ProbedRow[]>;
  /** Rows the delivery worker gave up on. */
  failed(): Promise<ProbedRow[]>;
  /** Rows still to deliver, oldest first. */
  undeliveredRows(): Promise<ProbedRow[]>;
  /** Messages recorded in a ticket more than once (same ticket, direction and text). */
  recordedTwice(): Promise<{ ticketId: number; direction: string; text: string; copies: number }[]>;
  close(): Promise<void>;
}

function toRow(item: OutboxItem): ProbedRow {
  const { message } = item;
  return {
    id: item.id,
    chatId: item.chatId,
    ticketId: item.ticketId,
    kind: message.kind,
    text: "text" in message ? message.text : "caption" in message ? message.caption : undefined,
  };
}

/**
 * Opens the bot's database file (it must exist: start the bot first), without
 * checking it (the bot has). Not a read-only connection: after a SIGKILL the
 * first connection to open the file may have to rebuild the WAL index, which
 * a read-only one cannot do.
 *
 * @example const probe = openSoakProbe("/tmp/soak-x/bot.sqlite"); await probe.undelivered()
 */
export function openSoakProbe(path: string): SoakProbe {
  const db = openSqlite(path, { create: false, check: false });
  const outbox = createOutbox(db);
  const tickets = createTicketService(db);
  return {
    undelivered: async () => (await outbox.inState("undelivered")).length,
    sending: async () => (await outbox.inState("sending")).map(toRow),
    failed: async () => (await outbox.inState("failed")).map(toRow),
    undeliveredRows: async () => (await outbox.inState("undelivered")).map(toRow),
    recordedTwice: () => tickets.recordedTwice(),
    close: () => db.close(),
  };
}
