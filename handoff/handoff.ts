import type { KnowledgeBase, Matcher } from "../knowledge/index.ts";
import { createStorageMonitor, type StorageLog, type StorageMonitor } from "./database-probe.ts";
import { createDesk, type Desk, type DeskLog, type DeskOptions } from "./desk.ts";
import type { DeskChannel } from "./effects.ts";
import type {
  AuditChannel,
  Outbox,
  Repositories,
  Staff,
  Store,
  Suggestions,
  TicketService,
} from "./ports.ts";
import type { SqlClient, SqlDatabase } from "./sql/client.ts";
import { repositoriesOn } from "./sql/repositories.ts";

/**
 * Everything the handoff keeps in its database, and the desk over it. The
 * repositories here work on `db` outside any transaction; a change that must
 * commit with others runs in `db.transaction(async (tx) => …)` on
 * repositories built there (`repositoriesOn(tx)`).
 */
export interface Handoff {
  db: SqlDatabase;
  /** What the running bot learned about the database (write failures, damage, a deleted file). */
  storage: StorageMonitor;
  store: Store;
  tickets: TicketService;
  staff: Staff;
  outbox: Outbox;
  suggestions: Suggestions;
  desk: Desk;
  /** Every repository on a client (a transaction's), with this handoff's clock and storage monitor. */
  repositories: (sql: SqlClient) => Repositories;
  /** Waits for the transactions under way, then closes the database. */
  close(): Promise<void>;
}

export interface HandoffOptions extends DeskOptions {
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  /**
   * How the desk's effects reach people, built on each step's repositories
   * (the bot's `createTelegramChannel`, the terminal chat's own).
   */
  channel: (repositories: Repositories) => DeskChannel;
  /** Told after a change that queued messages (wake the delivery worker). */
  onEnqueued?: () => void;
  /** The desk's log; when it has `error`, storage faults are logged there too. */
  log?: DeskLog & Partial<Pick<StorageLog, "error">>;
  now?: () => number;
  /** This process among those sharing the database (recorded on the outbox rows it sends). */
  instance?: string;
  /** The channel this process's audited actions come from (the bot: telegram, the console: web). */
  via?: AuditChannel;
  /**
   * The least gap between two messages the outbox sends one chat, in ms
   * (the bot: Telegram's second). Defaults to none.
   */
  chatGapMs?: number;
}

/**
 * Builds the store, tickets, staff, outbox and desk over an open
 * database of either engine (the composition root opens it: openSqlite from
 * handoff/sqlite, openPostgres from handoff/postgres).
 *
 * @example const handoff = openHandoff(openSqlite("./data/bot.sqlite"), { knowledge, channel: createTelegramChannel({ knowledge }) });
 */
export function openHandoff(db: SqlDatabase, options: HandoffOptions): Handoff {
  const { knowledge, channel, onEnqueued, log, now, instance, via, chatGapMs, ...deskOptions } =
    options;
  const clock = now ? { now } : {};
  const errorLog = log?.error;
  // The file check (deleted or replaced under the bot) is SQLite's.
  const storage = createStorageMonitor(db, {
    ...clock,
    ...(log && errorLog
      ? {
          log: {
            info: (object: object, message: string) => log.info(object, message),
            error: (object: object, message: string) => errorLog.call(log, object, message),
          },
        }
      : {}),
  });
  const { store, tickets, staff, outbox, suggestions } = repositoriesOn(db, {
    ...clock,
    storage,
    ...(via ? { via } : {}),
    ...(instance ? { instance } : {}),
    ...(chatGapMs ? { chatGapMs } : {}),
  });
  const repositories = (sql: SqlClient) =>
    repositoriesOn(sql, { ...clock, storage, ...(via ? { via } : {}) });
  const desk = createDesk(
    {
      db,
      repositories,
      channel,
      knowledge,
      ...(onEnqueued ? { onEnqueued } : {}),
      ...(log ? { log } : {}),
      ...clock,
    },
    deskOptions,
  );
  return {
    db,
    storage,
    store,
    tickets,
    staff,
    outbox,
    suggestions,
    desk,
    repositories,
    close: () => db.close(),
  };
}
