import pg from "pg";

export interface DedicatedSessionOptions {
  /** How long to wait before connecting again after the session broke, in ms. Defaults to 1,000. */
  retryMs?: number;
  /** How often to check that the session still lives, in ms. Defaults to 5,000. */
  checkMs?: number;
  /** Runs on each new session (LISTEN, pg_try_advisory_lock…); a throw ends that session. */
  onSession: (client: pg.Client) => Promise<void>;
  /** Runs on every check of a live session; a throw ends it. Defaults to `SELECT 1`. */
  onCheck?: (client: pg.Client) => Promise<void>;
  /** Told when a session ends by a fault (the server restarted, the network broke). */
  onBroken?: (error: Error) => void;
  /** Told when a session is gone, whatever the reason (also at `stop`). */
  onEnded?: () => void;
}

/** A connection of its own, kept alive and opened again after it breaks. */
export interface DedicatedSession {
  /** The live session's client, if one is open now. */
  readonly client: pg.Client | undefined;
  /** Ends the session and stops reconnecting. */
  stop(): Promise<void>;
}

/**
 * One connection outside the pool, for what belongs to a session: LISTEN,
 * and session advisory locks (the single poller). It must reach PostgreSQL
 * directly: a transaction-mode pooler hands the session to someone else. A
 * session that breaks is opened again after `retryMs`, and `onSession` runs
 * again on it.
 *
 * @example openDedicatedSession(url, { onSession: (c) => c.query("LISTEN outbox").then(() => {}) });
 */
export function openDedicatedSession(
  url: string,
  options: DedicatedSessionOptions,
): DedicatedSession {
  const {
    retryMs = 1_000,
    checkMs = 5_000,
    onSession,
    onCheck = async (client) => {
      await client.query("SELECT 1");
    },
    onBroken,
    onEnded,
  } = options;
  let stopped = false;
  let current: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;

  const end = (client: pg.Client, error?: Error) => {
    if (current !== client) return;
    current = undefined;
    if (timer) clearTimeout(timer);
    client.removeAllListeners("error");
    client.on("error", () => {});
    void client.end().catch(() => {});
    if (error && !stopped) onBroken?.(error);
    onEnded?.();
    if (!stopped) timer = setTimeout(open, retryMs);
  };

  const check = (client: pg.Client) => {
    timer = setTimeout(() => {
      onCheck(client).then(
        () => current === client && check(client),
        (error: Error) => end(client, error),
      );
    }, checkMs);
  };

  const open = () => {
    if (stopped) return;
    const client = new pg.Client({
      connectionString: url,
      application_name: "gosuslugi-bot-session",
    });
    current = client;
    client.on("error", (error) => end(client, error));
    client.on("end", () => end(client, new Error("the session's connection closed")));
    client
      .connect()
      .then(() => onSession(client))
      .then(
        () => current === client && check(client),
        (error: Error) => end(client, error),
      );
  };
  open();

  return {
    get client() {
      return current;
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const client = current;
      if (client) {
        current = undefined;
        client.removeAllListeners("end");
        await client.end().catch(() => {});
        onEnded?.();
      }
    },
  };
}
