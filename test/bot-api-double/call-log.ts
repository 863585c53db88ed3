import type { Message } from "grammy/types";
import type { ApiCall, ApiResponse, Params } from "./types.ts";

/** Options of `waitFor`. */
export interface WaitOptions {
  /** Give up after this long. Defaults to 5000. */
  timeoutMs?: number;
  /** Only consider calls from this index of `calls` on. Defaults to 0 (all calls). */
  since?: number;
}

/** Every call in arrival order, and waiting for one to match. */
export interface CallLog {
  readonly calls: readonly ApiCall[];
  begin(method: string, params: Params, time: number): ApiCall;
  finish(call: ApiCall, response: ApiResponse, message: Message | undefined): void;
  /**
   * The first call (from `since`) matching, already made or still to come. A
   * call is offered when it arrives and again when answered, so a predicate
   * on `method` matches a long poll at once, one on `response` or `message`
   * once it is answered.
   */
  waitFor(predicate: (call: ApiCall) => boolean, options?: WaitOptions): Promise<ApiCall>;
  /** Rejects every pending wait: the double stopped. */
  close(): void;
}

interface Waiter {
  predicate: (call: ApiCall) => boolean;
  since: number;
  resolve(call: ApiCall): void;
  reject(error: Error): void;
}

/** @example const log = createCallLog(); await log.waitFor((call) => call.method === "sendMessage") */
export function createCallLog(): CallLog {
  const calls: ApiCall[] = [];
  const waiters = new Set<Waiter>();

  // A predicate that throws rejects its wait: a broken assertion should say so.
  function offer(waiter: Waiter, call: ApiCall): boolean {
    try {
      if (!waiter.predicate(call)) return false;
      waiter.resolve(call);
    } catch (error) {
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return true;
  }

  function offerAll(call: ApiCall): void {
    for (const waiter of waiters) {
      if (call.index >= waiter.since && offer(waiter, call)) waiters.delete(waiter);
    }
  }

  return {
    calls,
    begin(method, params, time) {
      const call: ApiCall = { index: calls.length, method, params, time };
      calls.push(call);
      offerAll(call);
      return call;
    },
    finish(call, response, message) {
      call.response = response;
      if (message) call.message = message;
      offerAll(call);
    },
    waitFor(predicate, options = {}) {
      const { timeoutMs = 5000, since = 0 } = options;
      return new Promise<ApiCall>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(describeTimeout(calls, since, timeoutMs)));
        }, timeoutMs);
        const waiter: Waiter = {
          predicate,
          since,
          resolve: (call) => {
            clearTimeout(timer);
            resolve(call);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        for (const call of calls.slice(since)) {
          if (offer(waiter, call)) return;
        }
        waiters.add(waiter);
      });
    },
    close() {
      for (const waiter of waiters)
        waiter.reject(new Error("waitFor: the Bot API double was stopped while waiting"));
      waiters.clear();
    },
  };
}

function describeTimeout(calls: readonly ApiCall[], since: number, timeoutMs: number): string {
  const seen = calls.slice(since);
  const lines: string[] = [];
  let polls = 0;
  const flushPolls = () => {
    if (polls > 0) lines.push(`  getUpdates ×${polls}`);
    polls = 0;
  };
  for (const call of seen) {
    // Long polls are noise here; they are counted, not listed.
    if (call.method === "getUpdates" && call.response?.ok !== false) {
      polls++;
      continue;
    }
    flushPolls();
    lines.push(`  #${call.index} ${describeCall(call)}`);
  }
  flushPolls();
  const from = since > 0 ? ` since #${since}` : "";
  return lines.length === 0
    ? `waitFor: nothing matched within ${timeoutMs} ms, and the bot made no calls${from}.`
    : `waitFor: nothing matched within ${timeoutMs} ms. The bot made ${seen.length} call(s)${from}:\n${lines.join("\n")}`;
}

function describeCall(call: ApiCall): string {
  const params = JSON.stringify(call.params, (_key, value: unknown) =>
    value instanceof Uint8Array ? `<${value.length} bytes>` : value,
  );
  const shown = params.length > 300 ? `${params.slice(0, 300)}…` : params;
  const { response } = call;
  const outcome = !response
    ? "(not answered yet)"
    : response.ok
      ? "→ ok"
      : `→ ${response.error_code} ${response.description}`;
  return `${call.method} ${shown} ${outcome}`;
}
