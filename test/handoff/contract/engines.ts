import type { SqlDatabase } from "../../../handoff/sql/client.ts";
import { openSqlite } from "../../../handoff/sqlite/index.ts";
import { freshPostgres } from "../../postgres/fresh.ts";

/** A database with the bot's schema, and how to be rid of it. */
export interface TestDatabase {
  db: SqlDatabase;
  close(): Promise<void>;
}

/**
 * Each storage engine's way to a fresh database with the schema up to date:
 * run a contract suite over both with `describe.each(ENGINES)`.
 */
export const ENGINES: readonly [string, () => Promise<TestDatabase>][] = [
  [
    "sqlite",
    async () => {
      const db = openSqlite(":memory:");
      return { db, close: () => db.close() };
    },
  ],
  [
    "postgres",
    async () => {
      const { db, drop } = await freshPostgres({ migrated: true });
      return { db, close: drop };
    },
  ],
];
