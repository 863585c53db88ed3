import { failure, forbidden, tooManyRequests } from "./responses.ts";
import type { ApiFailure, Fault } from "./types.ts";

/** Errors a test arranged: the next calls of a method, or every send to a chat. */
export interface Faults {
  failNext(method: string, fault: Fault): void;
  /** The failure this call of `method` must answer with, if one is queued (consumes it). */
  take(method: string): ApiFailure | undefined;
  block(chatId: number): void;
  unblock(chatId: number): void;
  isBlocked(chatId: number): boolean;
}

const DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden: bot was blocked by the user",
  404: "Not Found",
  409: "Conflict",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

/** The answer a fault makes, in Telegram's words. */
export function faultResponse(fault: Fault): ApiFailure {
  if (fault.status === 429 && fault.description === undefined)
    return tooManyRequests(fault.retryAfter ?? 1);
  const description = fault.description ?? DESCRIPTIONS[fault.status] ?? "Error";
  return failure(
    fault.status,
    description,
    fault.retryAfter === undefined ? undefined : { retry_after: fault.retryAfter },
  );
}

/** Answered to any send to a chat that blocked the bot. */
export const BLOCKED = forbidden("bot was blocked by the user");

/** @example const faults = createFaults(); faults.failNext("sendMessage", { status: 500 }) */
export function createFaults(): Faults {
  const queued = new Map<string, { fault: Fault; left: number }[]>();
  const blocked = new Set<number>();
  return {
    failNext(method, fault) {
      const key = method.toLowerCase();
      const list = queued.get(key) ?? [];
      list.push({ fault, left: fault.times ?? 1 });
      queued.set(key, list);
    },
    take(method) {
      const list = queued.get(method.toLowerCase());
      const first = list?.[0];
      if (!list || !first) return undefined;
      first.left--;
      if (first.left <= 0) list.shift();
      return faultResponse(first.fault);
    },
    block: (chatId) => void blocked.add(chatId),
    unblock: (chatId) => void blocked.delete(chatId),
    isBlocked: (chatId) => blocked.has(chatId),
  };
}
