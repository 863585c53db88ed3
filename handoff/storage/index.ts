// Which database, and opening it: the one place that picks a storage adapter,
// for every composition root (the bot, the web console, the tools). Only
// they import it: the handoff's core stays free of drivers.
import { migratePostgres, openPostgres, PostgresSchemaError } from "../postgres/index.ts";
import type { SqlDatabase } from "../sql/client.ts";
import { DatabaseError, openSqlite } from "../sqlite/index.ts";
import type { DatabaseConfig } from "./config.ts";

export {
  type DatabaseConfig,
  DEFAULT_DATABASE_PATH,
  databaseOf,
  databasePathOf,
} from "./config.ts";

export interface OpenStorageOptions {
  /**
   * SQLite: create the file when it is missing (the bot does; the tools
   * open an existing database only). Defaults to true.
   */
  create?: boolean;
  /** Told of a pooled PostgreSQL connection that failed while idle (the pool replaces it). */
  onIdleError?: (error: Error) => void;
}

/** A database that cannot be used: a message that names it (never its password) and what to do. */
export class StorageOpenError extends Error {
  override readonly name = "StorageOpenError";
}

/**
 * Opens the configured database with its schema up to date: the SQLite file
 * (checked, migrated) or a PostgreSQL pool (migrated under a lock, so
 * processes starting together take turns). The one place that picks an
 * adapter, for the bot and the tools alike. Throws `DatabaseError` (SQLite)
 * or `StorageOpenError` (PostgreSQL) with a message that says what to do.
 *
 * @example const db = await openStorage(config.database);
 */
export async function openStorage(
  database: DatabaseConfig,
  options: OpenStorageOptions = {},
): Promise<SqlDatabase> {
  const { create = true, onIdleError } = options;
  if (database.engine === "sqlite") {
    return openSqlite(database.path, { create });
  }
  const db = openPostgres(database.url, {
    max: database.poolSize,
    ...(onIdleError ? { onIdleError } : {}),
  });
  try {
    await migratePostgres(db);
  } catch (error) {
    await db.close().catch(() => {});
    throw explainPostgresError(error, database.url);
  }
  return db;
}

/** The URL with its password hidden, for messages and logs. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(DATABASE_URL)";
  }
}

function explainPostgresError(error: unknown, url: string): unknown {
  if (error instanceof DatabaseError) return error;
  const where = shownUrl(url);
  if (error instanceof PostgresSchemaError) {
    return new StorageOpenError(`the database ${where}: ${error.message}`);
  }
  const code = (error as { code?: string }).code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  if (code === "28P01" || code === "28000") {
    return new StorageOpenError(
      `PostgreSQL at ${where} refused the login (${message}): check the user and password in DATABASE_URL`,
    );
  }
  if (code === "3D000") {
    return new StorageOpenError(
      `PostgreSQL at ${where} has no such database (${message}): create it (createdb) or fix the name in DATABASE_URL`,
    );
  }
  if (code === "42501") {
    return new StorageOpenError(
      `PostgreSQL at ${where} does not let this user create the bot's tables (${message}): grant it CREATE on the database, or run the bot as its owner`,
    );
  }
  if (
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)$/.test(code) ||
    /timeout/i.test(message)
  ) {
    return new StorageOpenError(
      `cannot reach PostgreSQL at ${where} (${code || message}): check DATABASE_URL and that the server runs and accepts connections from here`,
    );
  }
  return error;
}
