import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { type SqliteDatabase, sqliteClient } from "./client.ts";
import { type DatabaseFile, databaseFileOf, rememberFile } from "./files.ts";
import { MIGRATIONS, migrate } from "./migrations.ts";

/** Why a database could not be opened. */
export type DatabaseErrorCode = "missing" | "unreadable" | "corrupt" | "newer_schema";

/**
 * A database file the bot or a tool cannot work on. The message names the
 * file and says what to do; `code` says which case it is.
 */
export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
  constructor(
    readonly code: DatabaseErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface OpenDatabaseOptions {
  /**
   * Creates the file (and its folder) when it does not exist; when false, a
   * missing file is a `DatabaseError` with code "missing". Defaults to true
   * (the bot creates its database on first start; the tools pass false).
   */
  create?: boolean;
  /** Runs `PRAGMA quick_check` before using the file. Defaults to true. */
  check?: boolean;
}

/** The file a connection was opened on, as it was then (to notice it deleted or replaced). */

/**
 * Opens the SQLite database at `path` in WAL mode, waits up to 5 s for another
 * connection's write lock, checks it (`quick_check`; a schema newer than this
 * code knows is refused) and brings the schema up to date. `":memory:"` gives
 * a private in-memory database. A file that is missing (with `create: false`),
 * unreadable, corrupt or too new throws a `DatabaseError` whose message names
 * the file and what to do. The store, the ticket service, the operators and
 * the outbox all take the connection this returns; give them the same one so
 * that a ticket change and its outbox rows commit together.
 *
 * @example const db = openDatabase("./data/bot.sqlite", { create: false });
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  const { create = true, check = true } = options;
  const memory = path === ":memory:";
  const where = memory ? path : resolve(path);
  if (!memory && !existsSync(path)) {
    if (!create) {
      throw new DatabaseError(
        "missing",
        where,
        `there is no database at ${where}: set DATABASE_PATH to the bot's database file (the bot creates it on its first start)`,
      );
    }
    mkdirSync(dirname(path), { recursive: true });
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: !memory && !create });
    db.pragma("busy_timeout = 5000");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    if (check) quickCheck(db, where);
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new DatabaseError(
        "newer_schema",
        where,
        `the database ${where} has schema version ${version}, newer than this code knows (${MIGRATIONS.length}): run the newer version of the bot, or restore a backup made by this one`,
      );
    }
    migrate(db);
  } catch (error) {
    db?.close();
    throw explainOpenError(error, where);
  }
  if (!memory) {
    const { dev, ino } = statSync(path);
    rememberFile(db, { path: where, dev, ino });
  }
  return db;
}

function quickCheck(db: Database.Database, where: string) {
  const problems = db.pragma("quick_check(3)", { simple: false }) as { quick_check: string }[];
  const found = problems.map((row) => row.quick_check).filter((text) => text !== "ok");
  if (found.length > 0) {
    throw new DatabaseError(
      "corrupt",
      where,
      `the database ${where} is damaged (${found.join("; ")}): stop the bot and restore the latest backup (see "Personal data, backup and restore" in the README)`,
    );
  }
}

/** SQLite's reasons for not opening a file, said in terms of what to do. */
function explainOpenError(error: unknown, where: string): unknown {
  if (error instanceof DatabaseError || !(error instanceof Database.SqliteError)) return error;
  if (error.code === "SQLITE_NOTADB" || error.code.startsWith("SQLITE_CORRUPT")) {
    return new DatabaseError(
      "corrupt",
      where,
      `the database ${where} is damaged or not a SQLite file (${error.message}): check DATABASE_PATH, or restore the latest backup (see "Personal data, backup and restore" in the README)`,
    );
  }
  if (error.code.startsWith("SQLITE_CANTOPEN") || error.code === "SQLITE_PERM") {
    return new DatabaseError(
      "unreadable",
      where,
      `cannot open the database ${where} (${error.message}): check that DATABASE_PATH is a file the bot's user may read and write, in a folder it may write`,
    );
  }
  if (error.code.startsWith("SQLITE_READONLY") || error.code.startsWith("SQLITE_IOERR")) {
    return new DatabaseError(
      "unreadable",
      where,
      `cannot write the database ${where} (${error.message}): check the disk (space, errors) and that the file and its folder are writable by the bot's user`,
    );
  }
  return error;
}

/**
 * Opens the SQLite database at `path` as `openDatabase` does, behind the
 * handoff's SQL port: what the bot, the desk and the tools take.
 *
 * @example const db = openSqlite("./data/bot.sqlite", { create: false }); … await db.close();
 */
export function openSqlite(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  return sqliteClient(openDatabase(path, options));
}

export { type DatabaseFile, databaseFileOf };
