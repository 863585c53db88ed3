import type { SqlClient } from "./client.ts";

/**
 * Periodic work (wait reminders, retention) done once a period however many
 * processes share the database: each process's timer asks, and the first to
 * ask after the period has passed gets the run.
 */
export interface PeriodicRuns {
  /**
   * True if `instance` may run `name` now: it last ran `everyMs` or more ago
   * (or never). Recorded as run at once, so of processes asking together
   * exactly one gets true. One statement, so it holds under PostgreSQL's
   * READ COMMITTED and across SQLite processes alike.
   */
  claim(name: string, everyMs: number, instance: string): Promise<boolean>;
  /** When `name` last ran, if ever. */
  lastRun(name: string): Promise<{ at: number; instance: string } | undefined>;
}

/**
 * The periodic-runs repository on `sql`.
 *
 * @example if (await createPeriodicRuns(db).claim("reminders", 60_000, instanceId)) await remind();
 */
export function createPeriodicRuns(
  sql: SqlClient,
  options: { now?: () => number } = {},
): PeriodicRuns {
  const { now = Date.now } = options;
  return {
    claim: async (name, everyMs, instance) => {
      const at = now();
      const won = await sql.get<{ name: string }>(
        `INSERT INTO periodic_runs (name, last_run_at, instance) VALUES (:name, :at, :instance)
         ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at, instance = excluded.instance
         WHERE periodic_runs.last_run_at <= :due
         RETURNING name`,
        { name, at, instance, due: at - everyMs },
      );
      return won !== undefined;
    },
    lastRun: async (name) => {
      const row = await sql.get<{ last_run_at: number; instance: string }>(
        "SELECT last_run_at, instance FROM periodic_runs WHERE name = ?",
        [name],
      );
      return row ? { at: row.last_run_at, instance: row.instance } : undefined;
    },
  };
}
