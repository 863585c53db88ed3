import type { ApiCall, Params } from "./types.ts";

/** Which requests a hold keeps: by method name (as the double spells it) and parameters. */
export type HoldPredicate = (method: string, params: Params) => boolean;

/** A request a hold keeps waiting: not executed, not answered, not in `calls`. */
export interface HeldRequest {
  /** The method as the double spells it ("sendMessage" for "sendmessage"). */
  method: string;
  params: Params;
  /** When it arrived (the double's clock). */
  time: number;
}

/** Options of `waitForHeld`. */
export interface HoldWaitOptions {
  /** Give up after this long. Defaults to 5000. */
  timeoutMs?: number;
}

/**
 * Requests the double keeps without executing or answering them, to test what
 * a bot does while Telegram has not answered yet (a crash in mid-send).
 *
 * A held request is not in `double.calls` and changed nothing; it enters
 * `calls` (with the time of its release) only when `release()` executes it.
 * One whose client closed the connection (the bot process was killed) or that
 * `drop()` gave up is never executed: as if it never reached Telegram.
 */
export interface Hold {
  /** Whether new matching requests are still held: until release(), drop() or stop(). */
  readonly active: boolean;
  /** How many requests are waiting now (not those released, dropped or abandoned). */
  held(): number;
  /** The waiting requests, in arrival order. */
  requests(): HeldRequest[];
  /** How many held requests were given up because their client closed the connection. */
  abandoned(): number;
  /**
   * Resolves with the waiting requests once at least `count` (default 1) wait
   * at the same time; rejects after `timeoutMs`, on release()/drop(), or when
   * the double stops.
   *
   * @example await hold.waitForHeld(1, { timeoutMs: 10_000 })
   */
  waitForHeld(count?: number, options?: HoldWaitOptions): Promise<HeldRequest[]>;
  /**
   * Stops holding and executes the waiting requests normally, in arrival order,
   * answering each to its client. Resolves with their calls once all are answered.
   */
  release(): Promise<ApiCall[]>;
  /**
   * Stops holding and gives up the waiting requests: never executed, never in
   * `calls`, their connections closed without an answer (the client sees a
   * network error, as when a connection to Telegram breaks).
   */
  drop(): void;
}

/** The holds of one double, and the requests they keep. */
export interface HoldBook {
  hold(predicate: HoldPredicate, name: string): Hold;
  /**
   * Offers an arriving request to the active holds, oldest first. `undefined`
   * when none takes it: run it now. Otherwise a promise that settles when the
   * hold lets go: with `execute()`'s call on release, with `undefined` when the
   * request is dropped or `signal` aborts (its client went away). Throws when
   * a predicate throws (a broken test: its waits reject too).
   */
  intercept(
    method: string,
    params: Params,
    signal: AbortSignal,
    execute: () => Promise<ApiCall>,
  ): Promise<ApiCall | undefined> | undefined;
  /** The double stops: every hold drops its requests and rejects its waits. */
  close(): void;
}

interface Entry {
  request: HeldRequest;
  execute: () => Promise<ApiCall>;
  settle(call: Promise<ApiCall> | undefined): void;
}

interface HoldWaiter {
  count: number;
  resolve(requests: HeldRequest[]): void;
  reject(error: Error): void;
}

interface HoldState {
  hold: Hold;
  /** Takes the request if the predicate matches; throws what the predicate throws. */
  take(
    method: string,
    params: Params,
    signal: AbortSignal,
    execute: () => Promise<ApiCall>,
  ): Promise<ApiCall | undefined> | undefined;
  end(reason: string): void;
}

/**
 * `now` stamps held requests (the double's clock).
 *
 * @example const hold = createHoldBook(Date.now).hold((m) => m === "sendMessage", "sendMessage")
 */
export function createHoldBook(now: () => number): HoldBook {
  const active: HoldState[] = [];

  function createHold(predicate: HoldPredicate, name: string): HoldState {
    const entries: Entry[] = [];
    const waiters = new Set<HoldWaiter>();
    let isActive = true;
    let abandoned = 0;

    const snapshot = () => entries.map((entry) => entry.request);

    function notify(): void {
      for (const waiter of waiters) {
        if (entries.length < waiter.count) continue;
        waiters.delete(waiter);
        waiter.resolve(snapshot());
      }
    }

    function rejectWaiters(error: Error): void {
      for (const waiter of waiters) waiter.reject(error);
      waiters.clear();
    }

    /** Stops holding; takes the waiting entries out and returns them. */
    function end(reason: string): Entry[] {
      if (isActive) {
        isActive = false;
        const at = active.indexOf(state);
        if (at >= 0) active.splice(at, 1);
      }
      rejectWaiters(new Error(`waitForHeld: the hold on ${name} ${reason} while waiting`));
      return entries.splice(0);
    }

    const hold: Hold = {
      get active() {
        return isActive;
      },
      held: () => entries.length,
      requests: snapshot,
      abandoned: () => abandoned,
      waitForHeld(count = 1, options = {}) {
        const { timeoutMs = 5000 } = options;
        if (entries.length >= count) return Promise.resolve(snapshot());
        if (!isActive)
          return Promise.reject(
            new Error(`waitForHeld: the hold on ${name} no longer holds (released or dropped)`),
          );
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(waiter);
            const gone = abandoned > 0 ? `, ${abandoned} abandoned by their client` : "";
            reject(
              new Error(
                `waitForHeld: ${entries.length} of ${count} request(s) to ${name} held after ${timeoutMs} ms${gone}.`,
              ),
            );
          }, timeoutMs);
          const waiter: HoldWaiter = {
            count,
            resolve(requests) {
              clearTimeout(timer);
              resolve(requests);
            },
            reject(error) {
              clearTimeout(timer);
              reject(error);
            },
          };
          waiters.add(waiter);
        });
      },
      release() {
        // Started one after another: each call is logged and run up to its
        // first await before the next begins, so they execute in arrival order.
        const calls = end("was released").map((entry) => {
          const call = entry.execute();
          entry.settle(call);
          return call;
        });
        return Promise.all(calls);
      },
      drop() {
        for (const entry of end("was dropped")) entry.settle(undefined);
      },
    };

    const state: HoldState = {
      hold,
      take(method, params, signal, execute) {
        let matches: boolean;
        try {
          matches = predicate(method, params);
        } catch (error) {
          const reason = error instanceof Error ? error : new Error(String(error));
          rejectWaiters(reason);
          throw reason;
        }
        if (!matches) return undefined;
        if (signal.aborted) {
          abandoned++;
          return Promise.resolve(undefined);
        }
        return new Promise<ApiCall | undefined>((resolve, reject) => {
          const onAbort = () => {
            const at = entries.indexOf(entry);
            if (at < 0) return;
            entries.splice(at, 1);
            abandoned++;
            resolve(undefined);
          };
          const entry: Entry = {
            request: { method, params, time: now() },
            execute,
            settle(call) {
              signal.removeEventListener("abort", onAbort);
              if (call) call.then(resolve, reject);
              else resolve(undefined);
            },
          };
          signal.addEventListener("abort", onAbort, { once: true });
          entries.push(entry);
          notify();
        });
      },
      end(reason) {
        for (const entry of end(reason)) entry.settle(undefined);
      },
    };
    return state;
  }

  return {
    hold(predicate, name) {
      const state = createHold(predicate, name);
      active.push(state);
      return state.hold;
    },
    intercept(method, params, signal, execute) {
      for (const state of [...active]) {
        const taken = state.take(method, params, signal, execute);
        if (taken) return taken;
      }
      return undefined;
    },
    close() {
      for (const state of [...active]) state.end("was ended by stop()");
    },
  };
}
