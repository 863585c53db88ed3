/**
 * The one way the handoff's repositories talk to a database: promise-returning
 * queries and an explicit transaction. Two adapters implement it, SQLite
 * (handoff/sqlite, better-sqlite3, the embedded default) and PostgreSQL
 * (handoff/postgres, a pg pool); repositories are written once against it and
 * branch on `engine` only where the dialects differ.
 *
 * SQL text uses SQLite's placeholders, `?` or `:name` (never both in one
 * statement); the PostgreSQL adapter rewrites them to `$1…`. Integers come
 * back as numbers on both engines (timestamps are milliseconds, ids are far
 * below 2^53).
 */
export type SqlEngine = "sqlite" | "postgres";

export type SqlValue = string | number | bigint | null;
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export interface SqlClient {
  readonly engine: SqlEngine;
  /** True inside `transaction`'s work (the client handed to it). */
  readonly inTransaction: boolean;
  /** Every row the statement returns. */
  all<Row>(text: string, params?: SqlParams): Promise<Row[]>;
  /** The first row the statement returns, if any. */
  get<Row>(text: string, params?: SqlParams): Promise<Row | undefined>;
  /** Runs a statement and returns how many rows it inserted, changed or deleted. */
  run(text: string, params?: SqlParams): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /**
   * Runs `work` in a transaction on one connection and commits when it
   * resolves; rolls back and rethrows when it throws. Inside a transaction
   * it is a savepoint: the inner work's changes go back alone when it throws.
   * Use only the client handed to `work` inside it (the outer one waits for
   * the transaction on SQLite, and is another connection on PostgreSQL), and
   * make no network call from it: a transaction holds locks.
   *
   * @example
   * await db.transaction(async (tx) => {
   *   const taken = await createTicketService(tx).takeTicket(ticketId, operatorId);
   *   if (taken.ok) await createOutbox(tx).enqueue({ chatId, message });
   * });
   */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** A client that owns its connections. */
export interface SqlDatabase extends SqlClient {
  /** Waits for the transactions under way, then closes. */
  close(): Promise<void>;
  /**
   * Commits one small write now, as the bot's own writes would (its health
   * probe), waiting at most `busyTimeoutMs` for another writer: SQLite's
   * adapter writes on its connection itself once the bot's transactions are
   * done, blocking the thread at most about that long. Without it, `run`.
   */
  probeWrite?(text: string, params: SqlParams, busyTimeoutMs: number): Promise<void>;
  /**
   * SQLite: the file the database was opened on. `gone` says whether it was
   * deleted or replaced under the open connection (which then writes no
   * more); undefined in memory and on PostgreSQL.
   */
  readonly file?: { readonly path: string; gone(): string | undefined };
}
