import type { Database } from "better-sqlite3";
import type { KnowledgeBase, Matcher } from "../knowledge/index.ts";
import { openDatabase } from "./database.ts";
import { createStorageMonitor, type StorageLog, type StorageMonitor } from "./database-probe.ts";
import { createDesk, type Desk, type DeskLog, type DeskOptions } from "./desk.ts";
import { createOperators, type Operators } from "./operators.ts";
import { createOutbox, type Outbox } from "./outbox.ts";
import { createStore, type Store } from "./store.ts";
import { createSuggestions, type Suggestions } from "./suggestions.ts";
import { createTicketService, type TicketService } from "./tickets.ts";

/** Everything the handoff keeps in SQLite, on one connection, and the desk over it. */
export interface Handoff {
  db: Database;
  /** What the running bot learned about the database (write failures, damage, a deleted file). */
  storage: StorageMonitor;
  store: Store;
  tickets: TicketService;
  operators: Operators;
  outbox: Outbox;
  suggestions: Suggestions;
  desk: Desk;
  close(): void;
}

export interface HandoffOptions extends DeskOptions {
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  /** Told after a change that queued messages (wake the delivery worker). */
  onEnqueued?: () => void;
  /** The desk's log; when it has `error`, storage faults are logged there too. */
  log?: DeskLog & Partial<Pick<StorageLog, "error">>;
  now?: () => number;
}

/**
 * Opens the database at `path` (or uses a connection) and builds the store,
 * tickets, operators, outbox and desk on that one connection, so a ticket
 * change and the messages it sends commit together.
 *
 * @example const handoff = openHandoff("./data/bot.sqlite", { knowledge: () => current });
 */
export function openHandoff(path: string | Database, options: HandoffOptions): Handoff {
  const { knowledge, onEnqueued, log, now, ...deskOptions } = options;
  const db = typeof path === "string" ? openDatabase(path) : path;
  const clock = now ? { now } : {};
  const errorLog = log?.error;
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
  const parts = {
    db,
    storage,
    store: createStore(db, { ...clock, storage }),
    tickets: createTicketService(db, clock),
    operators: createOperators(db, clock),
    outbox: createOutbox(db, clock),
    suggestions: createSuggestions(db, clock),
  };
  const desk = createDesk(
    {
      ...parts,
      knowledge,
      ...(onEnqueued ? { onEnqueued } : {}),
      ...(log ? { log } : {}),
      ...clock,
    },
    deskOptions,
  );
  return {
    ...parts,
    desk,
    close: () => db.close(),
  };
}
