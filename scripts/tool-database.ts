// The database the command-line tools work on, opened the way the bot opens it.
import { resolve } from "node:path";
import type { DatabaseConfig } from "../bot/config.ts";
import type { SqlDatabase } from "../handoff/index.ts";
import { openStorage, StorageOpenError, shownUrl } from "../handoff/storage/index.ts";

/**
 * How a tool names the database in its messages: the SQLite file's full
 * path, or the PostgreSQL URL with its password hidden.
 *
 * @example databaseName({ engine: "sqlite", path: "./data/bot.sqlite" }) // "/srv/bot/data/bot.sqlite"
 */
export function databaseName(database: DatabaseConfig): string {
  return database.engine === "sqlite" ? resolve(database.path) : shownUrl(database.url);
}

/**
 * Opens the configured database (`databaseOf(env)`) for a tool: an existing
 * SQLite file only, unless `create` (then a missing file is made), or a
 * PostgreSQL pool with its schema migrated (there `create` means nothing: the
 * database itself must exist). Errors say which database and what to do.
 */
export function openToolDatabase(
  database: DatabaseConfig,
  options: { create?: boolean } = {},
): Promise<SqlDatabase> {
  return openStorage(
    database.engine === "postgres"
      ? { ...database, poolSize: Math.min(database.poolSize, 4) }
      : database,
    { create: options.create === true },
  );
}

/**
 * One line on an error while opening or reading the database, naming it once:
 * openStorage's PostgreSQL messages name it already; others get `lead` and
 * its name in front.
 *
 * @example databaseProblem(error, "cannot read the database at /srv/bot.sqlite")
 */
export function databaseProblem(error: unknown, lead: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof StorageOpenError ? message : `${lead}: ${message}`;
}
