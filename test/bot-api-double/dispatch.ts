import type { Message } from "grammy/types";
import type { CallLog } from "./call-log.ts";
import { BLOCKED, type Faults } from "./faults.ts";
import type { HoldBook } from "./holds.ts";
import { CHAT_METHODS, type DoubleState, METHODS } from "./methods/index.ts";
import { failure, METHOD_NOT_FOUND, UNAUTHORIZED } from "./responses.ts";
import type { ApiCall, ApiFailure, ApiResponse, Params } from "./types.ts";

/** Runs calls: checks the token, records them, applies faults and holds, answers. */
export interface Dispatcher {
  /**
   * A request as it came over HTTP, its parameters read (or not). Resolves
   * with `undefined` when a hold dropped it: close the connection unanswered.
   */
  request(
    token: string,
    method: string,
    params: { ok: true; params: Params } | ApiFailure,
    signal: AbortSignal,
  ): Promise<ApiResponse | undefined>;
  /** An authorised call from inside (a webhook reply), recorded like the others. */
  execute(method: string, params: Params): Promise<ApiResponse>;
}

/** What the dispatcher needs. */
export interface DispatchDeps {
  token: string;
  state: DoubleState;
  faults: Faults;
  log: CallLog;
  /** Holds apply to HTTP requests only, not to a webhook's reply method. */
  holds: HoldBook;
}

/** @example createDispatcher({ token, state, faults, log, holds }).execute("getMe", {}) */
export function createDispatcher(deps: DispatchDeps): Dispatcher {
  const { token, state, faults, log, holds } = deps;

  async function answer(method: string, params: Params, signal: AbortSignal): Promise<ApiResponse> {
    const entry = METHODS.get(method.toLowerCase());
    if (!entry) return METHOD_NOT_FOUND;
    const fault = faults.take(entry.name);
    if (fault) return fault;
    if (CHAT_METHODS.has(entry.name)) {
      const target = state.chats.lookup(params.chat_id);
      if (target.ok && faults.isBlocked(target.chat.id)) return BLOCKED;
    }
    try {
      return await entry.handler(params, state, signal);
    } catch (error) {
      // A bug in the double: answer like a Telegram outage, and say what broke.
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      return failure(500, `Internal Server Error: the Bot API double failed: ${detail}`);
    }
  }

  /** Logs the call at once, then answers it; resolves with the call, answered. */
  async function record(
    method: string,
    params: Params,
    signal: AbortSignal,
    refused?: ApiFailure,
  ): Promise<ApiCall> {
    const name = nameOf(method);
    const call = log.begin(name, params, state.now());
    const response = refused ?? (await answer(name, params, signal));
    log.finish(call, response, messageOf(response, params, state));
    return call;
  }

  async function run(
    method: string,
    params: Params,
    signal: AbortSignal,
    refused?: ApiFailure,
  ): Promise<ApiResponse> {
    return (await record(method, params, signal, refused)).response as ApiResponse;
  }

  function held(
    method: string,
    params: Params,
    signal: AbortSignal,
  ): Promise<ApiResponse | undefined> | undefined {
    const name = nameOf(method);
    let taken: Promise<ApiCall | undefined> | undefined;
    try {
      taken = holds.intercept(name, params, signal, () => record(name, params, signal));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return run(
        name,
        params,
        signal,
        failure(500, `Internal Server Error: a hold's predicate threw: ${detail}`),
      );
    }
    return taken?.then((call) => call?.response);
  }

  return {
    request(given, method, params, signal) {
      if (given !== token) return run(method, params.ok ? params.params : {}, signal, UNAUTHORIZED);
      if (!params.ok) return run(method, {}, signal, params);
      return held(method, params.params, signal) ?? run(method, params.params, signal);
    },
    execute: (method, params) => run(method, params, new AbortController().signal),
  };
}

/** The method as the double spells it; an unknown one as given. */
function nameOf(method: string): string {
  return METHODS.get(method.toLowerCase())?.name ?? method;
}

/** The bot message a successful call sent, copied or edited, as it is now. */
function messageOf(response: ApiResponse, params: Params, state: DoubleState): Message | undefined {
  if (!response.ok || typeof response.result !== "object" || response.result === null) return;
  const result = response.result as { message_id?: unknown; chat?: { id: number } };
  if (typeof result.message_id !== "number") return;
  const chat =
    result.chat ??
    (() => {
      const target = state.chats.lookup(params.chat_id);
      return target.ok ? target.chat : undefined;
    })();
  if (!chat) return;
  const stored = state.chats.find(chat.id, result.message_id);
  return stored?.fromBot ? stored.message : undefined;
}
