import type { Update } from "grammy/types";

/** How a long poll's wait ended. */
export type WaitOutcome = "update" | "timeout" | "aborted" | "terminated" | "webhook" | "closed";

/**
 * Updates waiting for the bot, kept until confirmed, as Telegram keeps them:
 * by a later getUpdates `offset`, or by a webhook's 2xx answer.
 * `allowed_updates` is one setting shared by getUpdates and setWebhook; the
 * types it leaves out are dropped when met.
 */
export interface UpdateQueue {
  push(update: Update): void;
  /** Drops updates below `offset`; a negative offset keeps only the last -offset. */
  confirm(offset: number): void;
  /** Drops the one update (a webhook delivery answered 2xx, others of other chats may still wait before it). */
  remove(updateId: number): void;
  /** Up to `limit` deliverable updates, oldest first (not confirmed by this). */
  peek(limit: number): Update[];
  setAllowedUpdates(types: readonly string[] | undefined): void;
  readonly allowedUpdates: readonly string[] | undefined;
  clear(): void;
  readonly pending: readonly Update[];
  /**
   * Waits until an update is pending, up to `timeoutMs`. One poller at a time,
   * as on Telegram: a new wait ends the previous one with "terminated".
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome>;
  /** Ends the current wait: another poll came, a webhook was set, or the double stops. */
  interrupt(outcome: "terminated" | "webhook" | "closed"): void;
  /** Calls `listener` after each push; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** Not delivered unless asked for by name, as on Telegram. */
const OPT_IN = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

/** The update's type: its one field besides update_id. */
export function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
}

/** @example const queue = createUpdateQueue(); queue.push(update); queue.peek(100) */
export function createUpdateQueue(): UpdateQueue {
  let pending: Update[] = [];
  let allowed: readonly string[] | undefined;
  let waiter: ((outcome: WaitOutcome) => void) | undefined;
  const listeners = new Set<() => void>();

  const deliverable = (update: Update) => {
    const type = updateType(update);
    return allowed && allowed.length > 0 ? allowed.includes(type) : !OPT_IN.has(type);
  };

  return {
    push(update) {
      pending.push(update);
      waiter?.("update");
      for (const listener of listeners) listener();
    },
    confirm(offset) {
      if (offset < 0) pending = pending.slice(offset);
      else pending = pending.filter((update) => update.update_id >= offset);
    },
    remove(updateId) {
      pending = pending.filter((update) => update.update_id !== updateId);
    },
    peek(limit) {
      const batch: Update[] = [];
      const kept: Update[] = [];
      for (const update of pending) {
        if (batch.length >= limit) kept.push(update);
        else if (deliverable(update)) {
          batch.push(update);
          kept.push(update);
        }
      }
      pending = kept;
      return batch;
    },
    setAllowedUpdates(types) {
      allowed = types;
    },
    get allowedUpdates() {
      return allowed;
    },
    clear() {
      pending = [];
    },
    get pending() {
      return pending;
    },
    wait(timeoutMs, signal) {
      waiter?.("terminated");
      return new Promise((resolve) => {
        const finish = (outcome: WaitOutcome) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          if (waiter === finish) waiter = undefined;
          resolve(outcome);
        };
        const onAbort = () => finish("aborted");
        const timer = setTimeout(() => finish("timeout"), timeoutMs);
        signal.addEventListener("abort", onAbort);
        waiter = finish;
        if (signal.aborted) finish("aborted");
      });
    },
    interrupt(outcome) {
      waiter?.(outcome);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
