import type { SqlDatabase } from "./sql/client.ts";

export type WritableProbe = { ok: true } | { ok: false; error: string };

export interface WritableProbeOptions {
  /** How long to wait for another connection's write lock, in ms. Defaults to 250. */
  busyTimeoutMs?: number;
  /** The clock (what the probe writes). Defaults to Date.now. */
  now?: () => number;
}

const PROBE = `INSERT INTO health_probe (id, written_at) VALUES (1, ?)
  ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at`;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Whether `db` can commit a write now: rewrites the one row of `health_probe`
 * and commits, on the database given (the bot's own, so a read-only handle,
 * `query_only`, a full disk at the commit or an I/O error show as they would to
 * the bot), by the adapter's `probeWrite`: on SQLite it fails when the
 * connection is closed, or another connection holds the write lock for longer
 * than `busyTimeoutMs`; it blocks the thread for at most about that long.
 *
 * @example if (!(await probeWritable(db)).ok) status = 503;
 */
export async function probeWritable(
  db: SqlDatabase,
  options: WritableProbeOptions = {},
): Promise<WritableProbe> {
  const { busyTimeoutMs = 250, now = Date.now } = options;
  try {
    if (db.probeWrite) await db.probeWrite(PROBE, [now()], busyTimeoutMs);
    else await db.run(PROBE, [now()]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

/** What is wrong with the database, as the bot found out while running. */
export type StorageFault =
  /** Writes failed (disk full, I/O error, read-only file, locked) and none succeeded since. */
  | { kind: "write_failed"; error: string; since: number; failures: number }
  /** SQLite found damaged pages; this does not heal: restore a backup. */
  | { kind: "corrupt"; error: string; since: number }
  /** The file was deleted or replaced after the bot opened it; writing to it stopped. */
  | { kind: "missing"; error: string; since: number };

export interface StorageLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface StorageMonitor {
  /**
   * Looks at an error thrown by the database. A storage fault (disk full, I/O
   * error, read-only file, database locked, damaged pages) is recorded, the
   * first of a run logged, and true returned; anything else (a bug) returns
   * false and stays the caller's to handle.
   */
  observe(error: unknown): boolean;
  /** A write committed: a run of write failures is over (logged once). Damage and a missing file stay. */
  wrote(): void;
  /**
   * Whether the file the connection was opened on is still at its path (one
   * `stat`). When it was deleted or replaced, the connection is made
   * `query_only`, so nothing more is written into a file that is gone.
   */
  checkFile(): void;
  /** The worst current fault (missing, then corrupt, then write failures), or undefined. */
  fault(): StorageFault | undefined;
}

export interface StorageMonitorOptions {
  /** Where faults and recoveries are logged. Defaults to logging nothing. */
  log?: StorageLog;
  /** The clock. Defaults to Date.now. */
  now?: () => number;
}

const FAULT_CODES = [
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_CORRUPT",
  "SQLITE_NOTADB",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_PERM",
  "SQLITE_PROTOCOL",
];

/**
 * PostgreSQL's faults of the storage rather than of the statement: the
 * connection lost or refused (class 08, the pool's timeouts, the network's
 * codes), the server shutting down or restarting (57P01-57P03), out of
 * resources (53: disk full, out of memory, too many connections), a system
 * or I/O error (58), read-only (25006, a standby), and data corruption (XX001, XX002).
 */
const POSTGRES_FAULT = /^(08|53|58|57P0[123]$|25006$|XX00[12]$)/;
const NETWORK_FAULT =
  /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/;
const POOL_FAULT =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** The fault's code when `error` is a storage fault rather than a bug (a constraint, bad SQL): SQLite's, or PostgreSQL's as "PG_" and its SQLSTATE. */
export function storageFaultCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  // better-sqlite3's SqliteError carries SQLite's own code ("SQLITE_IOERR_WRITE").
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    return FAULT_CODES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))
      ? code
      : undefined;
  }
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && POSTGRES_FAULT.test(code)) {
    return `PG_${code}`;
  }
  if (typeof code === "string" && NETWORK_FAULT.test(code)) return code;
  if (POOL_FAULT.test(error.message)) return "PG_CONNECTION";
  return undefined;
}

const isDamage = (code: string) =>
  code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB" || /^PG_XX00[12]$/.test(code);

/**
 * Keeps what the running bot learns about its database: write failures until
 * a write works again, damaged pages, the file deleted under it. /healthz
 * reads `fault()`; the store and the bot's error boundary `observe` errors.
 * Given a database opened on a file (SQLite's `file`), it also notices the file
 * deleted or replaced (`checkFile`); given none, or PostgreSQL, that check
 * does nothing.
 *
 * @example const storage = createStorageMonitor(db, { log }); if (!storage.observe(error)) throw error;
 */
export function createStorageMonitor(
  database?: SqlDatabase,
  options: StorageMonitorOptions = {},
): StorageMonitor {
  const { log, now = Date.now } = options;
  const file = database?.file;
  let writeFailure: Extract<StorageFault, { kind: "write_failed" }> | undefined;
  let damage: Extract<StorageFault, { kind: "corrupt" }> | undefined;
  let missing: Extract<StorageFault, { kind: "missing" }> | undefined;

  const observe = (error: unknown) => {
    const code = storageFaultCode(error);
    if (code === undefined) return false;
    const message = `${code}: ${(error as Error).message}`;
    if (isDamage(code)) {
      if (!damage) {
        damage = { kind: "corrupt", error: message, since: now() };
        log?.error(
          { code, file: file?.path },
          "the database is damaged: stop the bot and restore the latest backup",
        );
      }
    } else if (writeFailure) {
      writeFailure.failures++;
    } else {
      writeFailure = { kind: "write_failed", error: message, since: now(), failures: 1 };
      log?.error(
        { code, error: (error as Error).message, file: file?.path },
        "database writes are failing: answering from the knowledge base only, no tickets, no updates confirmed to Telegram until writes work again",
      );
    }
    return true;
  };

  return {
    observe,
    wrote: () => {
      if (!writeFailure) return;
      const { failures, since } = writeFailure;
      writeFailure = undefined;
      log?.info({ failures, failingForMs: now() - since }, "database writes work again");
    },
    checkFile: () => {
      if (!file || missing) return;
      const reason = file.gone();
      if (reason === undefined) return;
      missing = {
        kind: "missing",
        error: `${file.path} was ${reason} while the bot ran`,
        since: now(),
      };
      log?.error(
        { file: file.path },
        `the database file was ${reason} while the bot ran: writes stopped; put the file back (or restore the latest backup) and restart the bot`,
      );
    },
    fault: () => missing ?? damage ?? writeFailure,
  };
}
