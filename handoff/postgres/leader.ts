import { openDedicatedSession } from "./session.ts";

export interface LeadershipOptions {
  /** How often a process that is not the leader asks again, in ms. Defaults to 2,000. */
  retryMs?: number;
  /** How often the leader checks its session still lives, in ms. Defaults to 2,000. */
  checkMs?: number;
  /** Told when this process becomes the leader. */
  onLead: () => void;
  /** Told when it stops being the leader (its session broke, or `stop`). */
  onFollow: () => void;
  onBroken?: (error: Error) => void;
}

export interface Leadership {
  readonly leading: boolean;
  stop(): Promise<void>;
}

/**
 * At most one process leads at a time: the one holding the session advisory
 * lock `key`. The lock lives as long as the leader's connection, so when the
 * leader dies PostgreSQL frees it and another process takes over at its next
 * try (within `retryMs`). For work only one process may do at a time, such
 * as long polling (Telegram answers a second poller with 409).
 *
 * @example const poll = leadWith(url, POLLER_LOCK, { onLead: startPolling, onFollow: stopPolling });
 */
export function leadWith(url: string, key: number, options: LeadershipOptions): Leadership {
  const { retryMs = 2_000, checkMs = 2_000, onLead, onFollow, onBroken } = options;
  let leading = false;
  const follow = () => {
    if (!leading) return;
    leading = false;
    onFollow();
  };
  const tryLock = async (client: import("pg").Client) => {
    if (leading) {
      await client.query("SELECT 1");
      return;
    }
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1) AS locked",
      [key],
    );
    if (rows[0]?.locked) {
      leading = true;
      onLead();
    }
  };
  const session = openDedicatedSession(url, {
    retryMs,
    checkMs: Math.min(retryMs, checkMs),
    onSession: tryLock,
    onCheck: tryLock,
    ...(onBroken ? { onBroken } : {}),
    onEnded: follow,
  });
  return {
    get leading() {
      return leading;
    },
    stop: () => session.stop(),
  };
}
