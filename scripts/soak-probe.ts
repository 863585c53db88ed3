// What the soak reads from the bot processes' database while they run, and
// while one lies dead after the kill. Read only: the bots are the writers.
import {
  createInstances,
  createOutbox,
  createTicketService,
  type OutboxItem,
  type SqlDatabase,
} from "../handoff/index.ts";

/** An outbox row as the soak sees it. */
export interface ProbedRow {
  id: number;
  chatId: number;
  ticketId: number | null;
  kind: string;
  /** The text or caption sent, if any (Telegram HTML). */
  text: string | undefined;
}

/** Queries on the bots' database, on a connection of the soak's own kept for the run. */
export interface SoakProbe {
  /** Rows still to deliver (pending, waiting for a retry, or being sent). */
  undelivered(): Promise<number>;
  /** Rows being sent: read right after a kill of the only process, those are its sends in flight. */
  sending(): Promise<ProbedRow[]>;
  /** Rows being sent by the process with this pid (several processes on PostgreSQL). */
  sendingByPid(pid: number): Promise<ProbedRow[]>;
  /** Rows the delivery worker gave up on. */
  failed(): Promise<ProbedRow[]>;
  /** Rows still to deliver, oldest first. */
  undeliveredRows(): Promise<ProbedRow[]>;
  /** Messages recorded in a ticket more than once (same ticket, direction and text). */
  recordedTwice(): Promise<{ ticketId: number; direction: string; text: string; copies: number }[]>;
  /** The texts a ticket recorded, citizen's and operator's, in order. */
  recorded(ticketId: number): Promise<{ citizen: string[]; operator: string[] }>;
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
 * The probe on `db` (the soak's own connection: see SoakDatabase.open);
 * `close` closes it.
 *
 * @example const probe = openSoakProbe(await database.open()); await probe.undelivered()
 */
export function openSoakProbe(db: SqlDatabase): SoakProbe {
  const outbox = createOutbox(db);
  const tickets = createTicketService(db);
  const instances = createInstances(db);
  return {
    undelivered: async () => (await outbox.inState("undelivered")).length,
    sending: async () => (await outbox.inState("sending")).map(toRow),
    sendingByPid: async (pid) => {
      const known = await instances.alive(Number.MAX_SAFE_INTEGER);
      const rows = await Promise.all(
        known.filter((i) => i.pid === pid).map((i) => outbox.sendingBy(i.id)),
      );
      return rows.flat().map(toRow);
    },
    failed: async () => (await outbox.inState("failed")).map(toRow),
    undeliveredRows: async () => (await outbox.inState("undelivered")).map(toRow),
    recordedTwice: () => tickets.recordedTwice(),
    recorded: async (ticketId) => {
      const messages = (await tickets.transcript(ticketId))?.messages ?? [];
      const of = (direction: string) =>
        messages.flatMap((m) => (m.direction === direction && m.text !== null ? [m.text] : []));
      return { citizen: of("citizen"), operator: of("operator") };
    },
    close: () => db.close(),
  };
}
