import type { SqlClient } from "./client.ts";

/** A running bot process, as the database knows it. */
export interface Instance {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  seenAt: number;
}

/**
 * The bot processes sharing a database. Each keeps its row fresh
 * (`heartbeat`) while it runs; one not seen for longer than the stale limit
 * is dead, and the rows it was sending may be sent by others.
 */
export interface Instances {
  /** Records this process (again, after a database outage); keeps its first start time. */
  register(instance: { id: string; host: string; pid: number }): Promise<void>;
  /** This process is alive at `now`; false if its row was gone (it re-registers). */
  heartbeat(id: string): Promise<boolean>;
  /** Processes seen within `withinMs`. */
  alive(withinMs: number): Promise<Instance[]>;
  /** A clean stop: the row goes, so nobody waits for it to go stale. */
  leave(id: string): Promise<void>;
  /** Removes rows not seen for `olderThanMs` and returns how many. */
  forgetDead(olderThanMs: number): Promise<number>;
}

interface InstanceRow {
  id: string;
  host: string;
  pid: number;
  started_at: number;
  seen_at: number;
}

/**
 * The instances repository on `sql`.
 *
 * @example await createInstances(db).register({ id, host: hostname(), pid: process.pid });
 */
export function createInstances(sql: SqlClient, options: { now?: () => number } = {}): Instances {
  const { now = Date.now } = options;
  return {
    register: async ({ id, host, pid }) => {
      const at = now();
      await sql.run(
        `INSERT INTO instances (id, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
        [id, host, pid, at, at],
      );
    },
    heartbeat: async (id) =>
      (await sql.run("UPDATE instances SET seen_at = ? WHERE id = ?", [now(), id])) > 0,
    alive: async (withinMs) =>
      (
        await sql.all<InstanceRow>(
          "SELECT * FROM instances WHERE seen_at >= ? ORDER BY started_at, id",
          [now() - withinMs],
        )
      ).map((row) => ({
        id: row.id,
        host: row.host,
        pid: row.pid,
        startedAt: row.started_at,
        seenAt: row.seen_at,
      })),
    leave: async (id) => {
      await sql.run("DELETE FROM instances WHERE id = ?", [id]);
    },
    forgetDead: (olderThanMs) =>
      sql.run("DELETE FROM instances WHERE seen_at < ?", [now() - olderThanMs]),
  };
}
