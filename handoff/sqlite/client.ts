import { statSync } from "node:fs";
import type Database from "better-sqlite3";
import type { SqlClient, SqlDatabase, SqlParams } from "../sql/client.ts";
import { databaseFileOf } from "./files.ts";

/** The SQLite client, with the better-sqlite3 connection under it for what only SQLite has (backup, pragmas). */
export interface SqliteDatabase extends SqlDatabase {
  readonly engine: "sqlite";
  readonly connection: Database.Database;
}

/**
 * A `SqlClient` over one better-sqlite3 connection. better-sqlite3 is
 * synchronous, so a statement runs at once and its promise is already
 * settled; but a transaction spans awaits, and on one connection everything
 * run meanwhile would join it. So transactions take turns behind a lock, and
 * a statement outside them waits while one is open. Transactions start with
 * BEGIN IMMEDIATE: another process (a CLI) waits for the write lock at the
 * start (busy_timeout), never in the middle. Prepared statements are cached
 * by their text.
 *
 * @example const db = sqliteClient(new Database("./data/bot.sqlite"));
 */
export function sqliteClient(connection: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  const prepare = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = connection.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const bind = (params: SqlParams | undefined): unknown[] =>
    params === undefined ? [] : Array.isArray(params) ? params : [params];

  const all = <Row>(text: string, params?: SqlParams) =>
    prepare(text).all(...bind(params)) as Row[];
  const get = <Row>(text: string, params?: SqlParams) => {
    const statement = prepare(text);
    if (!statement.reader) {
      statement.run(...bind(params));
      return undefined;
    }
    return statement.get(...bind(params)) as Row | undefined;
  };
  const run = (text: string, params?: SqlParams) => {
    const statement = prepare(text);
    if (statement.reader) return statement.all(...bind(params)).length;
    return statement.run(...bind(params)).changes;
  };
  const exec = (text: string) => {
    connection.exec(text);
  };

  /** Settled when the open transaction ends; undefined when none is open. */
  let turn: Promise<void> | undefined;
  // The check and the take are one synchronous step after each await, so two
  // waiters woken by the same commit never both take the turn.
  const whenFree = async (): Promise<void> => {
    while (turn) await turn;
  };
  /** Runs a synchronous statement now when no transaction is open, else after it. */
  const outside = <T>(statement: () => T): Promise<T> => {
    if (!turn) {
      try {
        return Promise.resolve(statement());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return whenFree().then(() => outside(statement));
  };

  let savepoints = 0;
  const inside = (depth: number): SqlClient => {
    const client: SqlClient = {
      engine: "sqlite",
      inTransaction: true,
      all: async (text, params) => all(text, params),
      get: async (text, params) => get(text, params),
      run: async (text, params) => run(text, params),
      exec: async (text) => exec(text),
      transaction: async (work) => {
        const name = `sp${depth}_${++savepoints}`;
        connection.exec(`SAVEPOINT ${name}`);
        try {
          const value = await work(inside(depth + 1));
          connection.exec(`RELEASE ${name}`);
          return value;
        } catch (error) {
          if (connection.inTransaction) {
            connection.exec(`ROLLBACK TO ${name}`);
            connection.exec(`RELEASE ${name}`);
          }
          throw error;
        }
      },
    };
    return client;
  };

  const transaction = async <T>(work: (tx: SqlClient) => Promise<T>): Promise<T> => {
    while (turn) await turn;
    let end!: () => void;
    turn = new Promise<void>((resolve) => {
      end = resolve;
    });
    try {
      connection.exec("BEGIN IMMEDIATE");
      try {
        const value = await work(inside(1));
        connection.exec("COMMIT");
        return value;
      } catch (error) {
        // SQLite may have rolled back already (some I/O errors do).
        if (connection.inTransaction) connection.exec("ROLLBACK");
        throw error;
      }
    } finally {
      turn = undefined;
      end();
    }
  };

  const probeWrite = async (text: string, params: SqlParams, busyTimeoutMs: number) => {
    if (!connection.open) throw new Error("the database connection is closed");
    // The probe writes on the connection itself, with a busy timeout of its
    // own, once the bot's own transactions are done (a write while one is
    // open would join it).
    do await outside(() => get("SELECT 1"));
    while (connection.inTransaction);
    if (!connection.open) throw new Error("the database connection is closed");
    const previous = connection.pragma("busy_timeout", { simple: true }) as number;
    connection.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    try {
      connection.prepare(text).run(...bind(params));
    } finally {
      connection.pragma(`busy_timeout = ${previous}`);
    }
  };

  const opened = databaseFileOf(connection);
  const file = opened && {
    path: opened.path,
    gone: () => {
      let reason: string | undefined;
      try {
        const { dev, ino } = statSync(opened.path);
        if (dev !== opened.dev || ino !== opened.ino) reason = "replaced by another file";
      } catch {
        reason = "deleted";
      }
      // Nothing more is written into a file that is gone.
      if (reason !== undefined && connection.open) connection.pragma("query_only = ON");
      return reason;
    },
  };

  return {
    engine: "sqlite",
    inTransaction: false,
    connection,
    probeWrite,
    ...(file ? { file } : {}),
    all: (text, params) => outside(() => all(text, params)),
    get: (text, params) => outside(() => get(text, params)),
    run: (text, params) => outside(() => run(text, params)),
    exec: (text) => outside(() => exec(text)),
    transaction,
    close: async () => {
      while (turn) await turn;
      statements.clear();
      if (connection.open) connection.close();
    },
  };
}
