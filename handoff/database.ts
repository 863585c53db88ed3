import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { migrate } from "./migrations.ts";

/**
 * Opens (creating it and its folder if needed) the SQLite database at `path`
 * in WAL mode, waits up to 5 s for another connection's write lock, and brings
 * the schema up to date. `":memory:"` gives a private in-memory database.
 * The store, the ticket service, the operators and the outbox all take the
 * connection this returns; give them the same one so that a ticket change and
 * its outbox rows commit together.
 *
 * @example const db = openDatabase("./data/bot.sqlite");
 */
export function openDatabase(path: string): Database.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}
