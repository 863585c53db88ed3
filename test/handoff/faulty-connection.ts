import Database from "better-sqlite3";
import { type SqliteDatabase, sqliteClient } from "../../handoff/sqlite/index.ts";

/**
 * `database` with a fault that can be switched on at the better-sqlite3
 * boundary: while `fail` holds an error code, every statement prepared
 * through the returned database's connection (or only those that write)
 * throws a SqliteError with it, as the driver does on EIO or a full disk, and
 * `exec` does too. What is not a statement (pragma, transaction control,
 * close) goes straight to the connection.
 *
 * @example const faulty = faultyConnection(openSqlite(":memory:")); faulty.fail("SQLITE_IOERR_WRITE");
 */
export function faultyConnection(database: SqliteDatabase) {
  const db = database.connection;
  let code: string | undefined;
  let writesOnly = false;
  const raise = (reader: boolean) => {
    if (code && !(writesOnly && reader)) throw new Database.SqliteError(`injected ${code}`, code);
  };
  const wrapStatement = (statement: Database.Statement) => {
    const proxy: Database.Statement = new Proxy(statement, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (prop === "run" || prop === "get" || prop === "all" || prop === "iterate") {
            // An INSERT … RETURNING reads its row back, but writes all the same.
            raise(target.reader && !WRITE.test(target.source));
          }
          const result = value.apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  };
  const connection = new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "prepare") {
        return (sql: string) => wrapStatement(target.prepare(sql));
      }
      if (prop === "exec") {
        return (sql: string) => {
          if (!TRANSACTION_CONTROL.test(sql)) raise(false);
          return target.exec(sql);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    db: sqliteClient(connection as Database.Database),
    /** Makes statements throw this SQLite code from now on (only writes: `"writes"`); undefined stops it. */
    fail: (next: string | undefined, which: "all" | "writes" = "all") => {
      code = next;
      writesOnly = which === "writes";
    },
  };
}

/** What the SQLite client runs through `exec` to begin and end transactions and savepoints. */
const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/;
/** Inserts write, whatever they return (an UPDATE … RETURNING counts as a read here, as before). */
const WRITE = /^\s*INSERT\b/i;
