import type pg from "pg";
import { type Signals, signalChannel } from "../signals.ts";
import type { PostgresDatabase } from "./client.ts";
import { openDedicatedSession } from "./session.ts";

export interface PostgresSignalsOptions {
  /** Told when the listening session broke (it is opened again by itself). */
  onBroken?: (error: Error) => void;
  /** How long to wait before listening again after a break, in ms. Defaults to 1,000. */
  retryMs?: number;
}

/**
 * Signals between processes by LISTEN/NOTIFY: `publish` is `pg_notify` on the
 * pool, and one dedicated session (never through a transaction-mode pooler)
 * listens. After that session breaks and comes back, listeners are told to
 * resync, since NOTIFY has no replay.
 *
 * @example const signals = createPostgresSignals(db, url);
 */
export function createPostgresSignals(
  db: PostgresDatabase,
  url: string,
  options: PostgresSignalsOptions = {},
): Signals {
  const { onBroken, retryMs = 1_000 } = options;
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const resyncs = new Set<() => void>();
  let sessions = 0;
  // One query at a time on the session: LISTENs queue behind each other.
  let queue: Promise<unknown> = Promise.resolve();
  const listen = (client: pg.Client, channel: string) => {
    queue = queue.then(() => client.query(`LISTEN ${channel}`)).catch(() => {});
    return queue;
  };
  const session = openDedicatedSession(url, {
    retryMs,
    onSession: async (client) => {
      client.on("notification", (message) => {
        for (const listener of listeners.get(message.channel) ?? [])
          listener(message.payload ?? "");
      });
      for (const channel of listeners.keys()) await listen(client, channel);
      if (sessions++ > 0) for (const listener of resyncs) listener();
    },
    ...(onBroken ? { onBroken } : {}),
  });
  const checked = signalChannel;
  return {
    publish: async (channel, payload = "") => {
      await db.run("SELECT pg_notify(?, ?)", [checked(channel), payload]);
    },
    subscribe: (channel, listener) => {
      let set = listeners.get(checked(channel));
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        const client = session.client;
        if (client) void listen(client, channel);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
    onResync: (listener) => {
      resyncs.add(listener);
      return () => resyncs.delete(listener);
    },
    close: () => session.stop(),
  };
}
