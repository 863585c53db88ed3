import { inject, onTestFinished } from "vitest";
import type { SqlDatabase } from "../handoff/index.ts";
import { openSqlite } from "../handoff/sqlite/index.ts";
import { freshPostgres } from "./postgres/fresh.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The engine the storage-generic tests run on: the "postgres" project sets it; else SQLite. */
    storageEngine?: "sqlite" | "postgres";
  }
}

/** The engine this test run's storage-generic tests use. */
export const TEST_ENGINE: "sqlite" | "postgres" = inject("storageEngine") ?? "sqlite";

/**
 * A fresh, empty database with the bot's schema on this run's engine: an
 * in-memory SQLite database, or (in the "postgres" project) a new database
 * on the tests' PostgreSQL server. Opened inside a test, it is closed when
 * the test ends (closing it earlier, as a handoff does, is fine).
 */
export async function openTestDatabase(): Promise<SqlDatabase> {
  const db = await open();
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= db.close();
    return closed;
  };
  try {
    onTestFinished(() => close());
  } catch {
    // Not inside a test (a beforeAll): the caller closes it.
  }
  return Object.assign(Object.create(db) as SqlDatabase, { close });
}

async function open(): Promise<SqlDatabase> {
  if (TEST_ENGINE === "sqlite") return openSqlite(":memory:");
  const { db, drop } = await freshPostgres({ migrated: true });
  return Object.assign(Object.create(db) as SqlDatabase, { close: drop });
}
