import type { StorageMonitor } from "./database-probe.ts";
import type { Outbox, OutboxItem } from "./ports.ts";

/**
 * What `send` reports. A failure with `retryAfterMs` (Telegram's 429
 * `retry_after`) is tried again after exactly that; a `permanent` one (403
 * blocked by the user, 400 bad request) never again; any other (5xx, network)
 * after an exponential backoff.
 */
export type SendResult =
  | { ok: true; messageId?: number }
  | {
      ok: false;
      error: string;
      retryAfterMs?: number;
      permanent?: boolean;
      /** The recipient blocked the bot (Telegram's 403): nothing will reach them. */
      blocked?: boolean;
    };

/** What happened to one claimed row; `idle` when nothing was due. */
export type DeliveryOutcome = "idle" | "sent" | "retry" | "failed";

/** The subset of a pino logger the worker writes to. */
export interface DeliveryLog {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface DeliveryDeps {
  outbox: Outbox;
  /** Sends one row to Telegram. A thrown error counts as a transient failure. */
  send: (item: OutboxItem) => Promise<SendResult>;
  /**
   * Told of a row that will never be delivered (permanent failure or too many
   * attempts): mark a citizen who blocked the bot, and tell the operator.
   * Runs after the row is marked failed; its errors are logged, not thrown.
   */
  onFailed?: (item: OutboxItem, error: string, blocked: boolean) => void | Promise<void>;
  /** Defaults to no logging. */
  log?: DeliveryLog;
  /** Told of database faults (it logs a run of them once); without it each is logged here. */
  storage?: Pick<StorageMonitor, "observe">;
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** Waits between polls of an empty outbox. Defaults to a setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface DeliveryOptions {
  /** How long to wait before looking again when nothing is due, in ms. Defaults to 250. */
  idleMs?: number;
  /** The first backoff after a transient failure, doubled each attempt, in ms. Defaults to 1000. */
  baseBackoffMs?: number;
  /** The longest backoff, in ms. Defaults to 300000 (5 minutes). */
  maxBackoffMs?: number;
  /**
   * Attempts after which a row failing without `retryAfterMs` is given up as
   * failed. Defaults to 20 (about 1.3 hours with the default backoff).
   */
  maxAttempts?: number;
  /** Rows sent at the same time, to different chats. Defaults to 1. */
  concurrency?: number;
}

export interface DeliveryWorker {
  /** Starts delivering in the background; does nothing if running. */
  start(): void;
  /** Stops after the sends in hand are done and recorded. */
  stop(): Promise<void>;
  /** Looks at the outbox now instead of after the idle wait (call after an enqueue). */
  wake(): void;
  /** Claims, sends and records one row; for tests and tools that drive delivery by hand. */
  deliverOnce(): Promise<DeliveryOutcome>;
  readonly running: boolean;
}

/**
 * The loop that empties the outbox through `send`.
 *
 * @example
 * const worker = createDeliveryWorker({ outbox, send: (item) => sendWithGrammy(api, item), log });
 * outbox.recoverStale(0);
 * worker.start();
 * // on shutdown:
 * await worker.stop();
 */
export function createDeliveryWorker(
  deps: DeliveryDeps,
  options: DeliveryOptions = {},
): DeliveryWorker {
  const { outbox, send, onFailed, log, storage, now = Date.now, sleep = defaultSleep } = deps;
  const {
    idleMs = 250,
    baseBackoffMs = 1000,
    maxBackoffMs = 300_000,
    maxAttempts = 20,
    concurrency = 1,
  } = options;
  let running = false;
  let lanes: Promise<void>[] = [];
  const sleepers = new Set<() => void>();

  const wake = () => {
    for (const resolve of sleepers) resolve();
    sleepers.clear();
  };
  const idle = () =>
    new Promise<void>((resolve) => {
      sleepers.add(resolve);
      sleep(idleMs).then(resolve, resolve);
    });

  const fail = async (
    item: OutboxItem,
    error: string,
    blocked = false,
  ): Promise<DeliveryOutcome> => {
    await outbox.markFailed(item.id, error);
    log?.warn({ outboxId: item.id, chatId: item.chatId, error }, "message not deliverable");
    try {
      await onFailed?.(item, error, blocked);
    } catch (cause) {
      log?.error({ outboxId: item.id, err: cause }, "onFailed threw");
    }
    return "failed";
  };

  /** Records what Telegram made of a claimed row. */
  const record = async (item: OutboxItem, result: SendResult): Promise<DeliveryOutcome> => {
    if (result.ok) {
      await outbox.markSent(item.id, result.messageId);
      return "sent";
    }
    if (result.permanent) return fail(item, result.error, result.blocked === true);
    if (result.retryAfterMs !== undefined) {
      // Not a failed attempt: a 429 storm must neither stretch the backoff
      // of a later 5xx nor use up the attempts before the row is given up.
      await outbox.postpone(item.id, result.error, result.retryAfterMs);
      return "retry";
    }
    if (item.attempts + 1 >= maxAttempts) return fail(item, result.error);
    const backoff = Math.min(maxBackoffMs, baseBackoffMs * 2 ** item.attempts);
    await outbox.markRetry(item.id, result.error, backoff);
    log?.warn(
      { outboxId: item.id, chatId: item.chatId, error: result.error, backoff },
      "send failed, will retry",
    );
    return "retry";
  };

  /**
   * Sends done whose outcome the database did not take (it failed between
   * the send and its record), by row id. Their rows stay 'sending', which
   * holds back the rest of their chat: recorded before anything new is
   * claimed, they are neither sent again nor left blocking until a restart.
   */
  const unrecorded = new Map<number, () => Promise<DeliveryOutcome>>();
  const recordLeftovers = async () => {
    for (const [id, again] of [...unrecorded]) {
      // Taken out first: another lane must not record it a second time.
      unrecorded.delete(id);
      try {
        await again();
      } catch (cause) {
        unrecorded.set(id, again);
        throw cause;
      }
    }
  };

  const deliverOnce = async (): Promise<DeliveryOutcome> => {
    await recordLeftovers();
    const item = await outbox.claimNext(now());
    if (!item) return "idle";
    let result: SendResult;
    try {
      result = await send(item);
    } catch (cause) {
      result = { ok: false, error: cause instanceof Error ? cause.message : String(cause) };
    }
    const again = () => record(item, result);
    try {
      return await again();
    } catch (cause) {
      unrecorded.set(item.id, again);
      throw cause;
    }
  };

  const lane = async () => {
    while (running) {
      let outcome: DeliveryOutcome;
      try {
        outcome = await deliverOnce();
      } catch (cause) {
        // The database failed: keep the loop alive and look again later.
        if (!storage?.observe(cause)) log?.error({ err: cause }, "delivery failed");
        outcome = "idle";
      }
      if (outcome === "idle" && running) await idle();
    }
  };

  return {
    start: () => {
      if (running) return;
      running = true;
      lanes = Array.from({ length: concurrency }, lane);
    },
    stop: async () => {
      running = false;
      wake();
      await Promise.all(lanes);
      lanes = [];
    },
    wake,
    deliverOnce,
    get running() {
      return running;
    },
  };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
