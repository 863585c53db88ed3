// What the soak reads from the bot's SQLite file while it runs, and while it
// lies dead after the kill. Read only: the bot is the only writer.
import Database from "better-sqlite3";

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
  undelivered(): number;
  /** Rows being sent: read right after a kill, those are the sends in flight at the crash. */
  sending(): ProbedRow[];
  /** Rows the delivery worker gave up on. */
  failed(): ProbedRow[];
  /** Rows still to deliver, oldest first. */
  undeliveredRows(): ProbedRow[];
  /** Messages recorded in a ticket more than once (same ticket, direction and text). */
  recordedTwice(): { ticketId: number; direction: string; text: string; copies: number }[];
  close(): void;
}

interface Row {
  id: number;
  chat_id: number;
  ticket_id: number | null;
  kind: string;
  payload: string;
}

function toRow(row: Row): ProbedRow {
  const payload = JSON.parse(row.payload) as { text?: string; caption?: string };
  return {
    id: row.id,
    chatId: row.chat_id,
    ticketId: row.ticket_id,
    kind: row.kind,
    text: payload.text ?? payload.caption,
  };
}

/**
 * Opens the bot's database file (it must exist: start the bot first). Not a
 * read-only connection: after a SIGKILL the first connection to open the file
 * may have to rebuild the WAL index, which a read-only one cannot do.
 *
 * @example const probe = openSoakProbe("/tmp/soak-x/bot.sqlite"); probe.undelivered()
 */
export function openSoakProbe(path: string): SoakProbe {
  const db = new Database(path, { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  const undelivered = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'sending')",
  );
  const byState = db.prepare<[string], Row>(
    "SELECT id, chat_id, ticket_id, kind, payload FROM outbox WHERE state = ? ORDER BY id",
  );
  const waiting = db.prepare<[], Row>(
    `SELECT id, chat_id, ticket_id, kind, payload FROM outbox
     WHERE state IN ('pending', 'sending') ORDER BY id`,
  );
  const twice = db.prepare<
    [],
    { ticketId: number; direction: string; text: string; copies: number }
  >(
    `SELECT ticket_id AS ticketId, direction, text, count(*) AS copies FROM ticket_messages
     WHERE text IS NOT NULL GROUP BY ticket_id, direction, text HAVING count(*) > 1`,
  );
  return {
    undelivered: () => undelivered.get()?.n ?? 0,
    sending: () => byState.all("sending").map(toRow),
    failed: () => byState.all("failed").map(toRow),
    undeliveredRows: () => waiting.all().map(toRow),
    recordedTwice: () => twice.all(),
    close: () => db.close(),
  };
}
