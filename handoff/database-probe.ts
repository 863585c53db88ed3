import type { Database } from "better-sqlite3";

export type WritableProbe = { ok: true } | { ok: false; error: string };

export interface WritableProbeOptions {
  /** How long to wait for another connection's write lock, in ms. Defaults to 250. */
  busyTimeoutMs?: number;
}

/**
 * Whether `db` can take a write now: takes the write lock and runs a write
 * that changes nothing, then rolls back, so nothing is written. Fails when the
 * connection is closed, read-only (`readonly`, `query_only`), or another
 * connection holds the write lock for longer than `busyTimeoutMs` (the
 * connection's own busy timeout is put back after). It blocks the thread for
 * at most about that long. A full disk only shows at a commit, not here.
 *
 * @example if (!probeWritable(db).ok) status = 503;
 */
export function probeWritable(db: Database, options: WritableProbeOptions = {}): WritableProbe {
  const { busyTimeoutMs = 250 } = options;
  if (!db.open) return { ok: false, error: "the database connection is closed" };
  const previous = db.pragma("busy_timeout", { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec("DELETE FROM tickets WHERE 0");
    } finally {
      db.exec("ROLLBACK");
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}
