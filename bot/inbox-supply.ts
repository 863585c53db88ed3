import { type Api, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import { type Store, storageFaultCode } from "../handoff/index.ts";

export interface InboxSupplyDeps {
  /**
   * One getUpdates from `offset` (Telegram then forgets every update below
   * it; 0 forgets none), up to `limit`, waiting for updates as long polling
   * does; retries network trouble itself.
   */
  fetchFrom(offset: number, limit: number, signal: AbortSignal): Promise<Update[]>;
  store: Pick<Store, "saveUpdates" | "markHandled">;
}

export interface InboxSupplyOptions {
  /** The first pause before polling again while the inbox takes no writes, in ms; it doubles. Defaults to 1000. */
  retryMs?: number;
  /** The longest such pause, in ms. Defaults to 15000. */
  maxRetryMs?: number;
  /** Waits `ms` unless `signal` aborts first (rejecting then). Defaults to a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface InboxSupply {
  /** The runner's supply: the next updates to handle. */
  supply(batchSize: number, signal: AbortSignal): Promise<Update[]>;
  /** Told when the bot has finished an update (handled or failed). */
  finished(updateId: number): void;
  /** Whether the last batch could not be saved (updates handled, not confirmed to Telegram). */
  readonly degraded: boolean;
}

/**
 * Long polling's supply of updates that confirms to Telegram only what the
 * inbox saved. Each batch is saved before the next getUpdates moves the offset
 * past it. When the save fails on a storage fault (disk full, I/O error,
 * read-only or deleted file, locked), the batch is still handed to the bot,
 * so citizens get what can be answered without writing, but the offset stays:
 * Telegram keeps those updates and the next polls (paused 1 s, then longer)
 * fetch them again with anything new, handing on only the new ones. Once a
 * save works, the updates still in the bot's hands are saved, those it
 * already finished are marked handled, and the offset moves on. A crash while
 * saves fail loses nothing: Telegram delivers those updates again (an answer
 * may then come twice). While saves fail only the first 100 waiting updates
 * are seen. Other errors (bugs) are thrown.
 *
 * @example const inbox = createInboxSupply({ fetchFrom, store }); createSource({ supply: inbox.supply });
 */
export function createInboxSupply(deps: InboxSupplyDeps, options: InboxSupplyOptions = {}) {
  const { retryMs = 1000, maxRetryMs = 15_000, sleep = abortableSleep } = options;
  const { fetchFrom, store } = deps;
  let offset = 0;
  let pause = 0;
  /** Handed to the bot while not saved (all at or above `offset`), and which of them it finished. */
  const unsaved = new Set<number>();
  const finishedUnsaved = new Set<number>();

  const supply = async (batchSize: number, signal: AbortSignal): Promise<Update[]> => {
    if (pause > 0) await sleep(pause, signal);
    const updates = await fetchFrom(offset, batchSize, signal);
    const fresh = updates.filter((update) => !unsaved.has(update.update_id));
    try {
      await store.saveUpdates(updates.filter((update) => !finishedUnsaved.has(update.update_id)));
    } catch (error) {
      if (storageFaultCode(error) === undefined) throw error;
      // The store's monitor logged the fault; the offset stays where it was.
      pause = pause === 0 ? retryMs : Math.min(pause * 2, maxRetryMs);
      for (const update of fresh) unsaved.add(update.update_id);
      return fresh;
    }
    for (const updateId of finishedUnsaved) await store.markHandled(updateId);
    unsaved.clear();
    finishedUnsaved.clear();
    pause = 0;
    const last = updates.at(-1);
    if (last) offset = last.update_id + 1;
    return fresh;
  };

  return {
    supply,
    finished: (updateId: number) => {
      if (unsaved.has(updateId)) finishedUnsaved.add(updateId);
    },
    get degraded() {
      return pause > 0;
    },
  } satisfies InboxSupply;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}

export interface UpdatesFromOptions {
  allowedUpdates: readonly string[];
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
  /** The long poll's wait, in seconds. Defaults to 30. */
  timeoutSeconds?: number;
  /** Waits between failed polls (1 s, doubling to 20 s). Defaults to a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * `fetchFrom` for `createInboxSupply` over the Bot API: getUpdates from an
 * offset, retried after network trouble and 5xx (logged once until a poll
 * works); a 401 (bad token) or 409 (another poller or a webhook) is thrown.
 *
 * @example const fetchFrom = updatesFrom(bot.api, { allowedUpdates: ["message"], log });
 */
export function updatesFrom(
  api: Pick<Api, "getUpdates">,
  options: UpdatesFromOptions,
): InboxSupplyDeps["fetchFrom"] {
  const { allowedUpdates, log, timeoutSeconds = 30, sleep = abortableSleep } = options;
  let failing = false;
  return async (offset, limit, signal) => {
    for (let retryIn = 1000; ; retryIn = Math.min(retryIn * 2, 20_000)) {
      try {
        const updates = await api.getUpdates(
          {
            offset,
            limit: Math.max(1, Math.min(limit, 100)),
            timeout: timeoutSeconds,
            allowed_updates: allowedUpdates as never,
          },
          // grammY types its signal as abort-controller's shim; Node's is the same at run time.
          signal as Parameters<Api["getUpdates"]>[1],
        );
        if (failing) log.info({}, "getUpdates works again");
        failing = false;
        return updates;
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 409))
          throw error;
        if (!failing) log.warn({ error }, "getUpdates failed: polling again with a pause");
        failing = true;
        await sleep(retryIn, signal);
      }
    }
  };
}
