import { openDedicatedSession } from "./session.ts";

export interface LeadershipOptions {
  /** How often a process that is not the leader asks again, in ms. Defaults to 2,000. */
  retryMs?: number;
  /** How often the leader checks its session still lives, in ms. Defaults to 2,000. */
  checkMs?: number;
  /** Told when this process becomes the leader. */
  onLead: () => void;
  /** Told when it learns that another process leads now. */
  onFollow: () => void;
  onBroken?: (error: Error) => void;
}

export interface Leadership {
  readonly leading: boolean;
  stop(): Promise<void>;
}

/**
 * At most one process leads at a time: the one holding the session advisory
 * lock `key`, for work only one may do (long polling: Telegram answers a
 * second poller with 409). The lock lives as long as the leader's
 * connection, so when the leader dies PostgreSQL frees it and another
 * process takes over at its next try (within `retryMs`).
 *
 * A leader whose own session breaks (the server restarted) goes on leading
 * until it is connected again and finds the lock taken by another: a
 * database outage does not stop the only poller, and two lead at once only
 * for the moments until the old leader reconnects.
 *
 * @example const poll = leadWith(url, POLLER_LOCK, { onLead: startPolling, onFollow: stopPolling });
 */
export function leadWith(url: string, key: number, options: LeadershipOptions): Leadership {
  const { retryMs = 2_000, checkMs = 2_000, onLead, onFollow, onBroken } = options;
  let leading = false;
  /** The lock is held by the session open now (it goes with the session). */
  let held = false;
  const tryLock = async (client: import("pg").Client) => {
    if (held) {
      await client.query("SELECT 1");
      return;
    }
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1) AS locked",
      [key],
    );
    if (rows[0]?.locked) {
      held = true;
      if (!leading) {
        leading = true;
        onLead();
      }
    } else if (leading) {
      leading = false;
      onFollow();
    }
  };
  const session = openDedicatedSession(url, {
    retryMs,
    checkMs: Math.min(retryMs, checkMs),
    onSession: tryLock,
    onCheck: tryLock,
    ...(onBroken ? { onBroken } : {}),
    onEnded: () => {
      held = false;
    },
  });
  return {
    get leading() {
      return leading;
    },
    stop: async () => {
      await session.stop();
      leading = false;
    },
  };
}
