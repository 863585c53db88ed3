import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { SqlDatabase } from "../../handoff/index.ts";
import { openPostgres } from "../../handoff/postgres/client.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { freshPostgres } from "../postgres/fresh.ts";
import { TEST_ENGINE } from "../storage.ts";

/** A database for a command-line tool's test on this run's engine. */
export interface ToolDatabase {
  /** The environment that points the tool at it: DATABASE_PATH, or DATABASE_URL. */
  env: Record<string, string>;
  /** How the tool names it in its messages: the file's path, or the URL. */
  name: string;
  /** A new connection to it, to fill it or look at it (the caller closes it). */
  open: () => Promise<SqlDatabase>;
}

/**
 * The database a tool's test runs it on: the SQLite file `dir/bot.sqlite`
 * (made by the first `open`, with the schema), or (in the "postgres"
 * project) a fresh PostgreSQL database with the schema, given as
 * DATABASE_URL. Made inside a test, the PostgreSQL one is dropped when it ends.
 */
export async function toolDatabase(dir: string, file = "bot.sqlite"): Promise<ToolDatabase> {
  if (TEST_ENGINE === "sqlite") {
    const path = join(dir, file);
    return {
      env: { DATABASE_PATH: path, DATABASE_URL: "" },
      name: path,
      open: async () => openSqlite(path),
    };
  }
  const { url, drop } = await freshPostgres({ migrated: true });
  try {
    onTestFinished(() => drop());
  } catch {
    // Not inside a test: the run's server goes with the run.
  }
  return {
    env: { DATABASE_URL: url },
    name: url,
    open: async () => openPostgres(url, { max: 2 }),
  };
}
