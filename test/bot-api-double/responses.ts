import type { ApiFailure, ApiSuccess } from "./types.ts";

/** A successful answer; some methods (setWebhook) also carry a description. */
export function ok(result: unknown, description?: string): ApiSuccess {
  return description === undefined ? { ok: true, result } : { ok: true, result, description };
}

/** Any failure, in Telegram's shape. */
export function failure(
  errorCode: number,
  description: string,
  parameters?: ApiFailure["parameters"],
): ApiFailure {
  return parameters === undefined
    ? { ok: false, error_code: errorCode, description }
    : { ok: false, error_code: errorCode, description, parameters };
}

/** @example badRequest("chat not found") // 400 "Bad Request: chat not found" */
export function badRequest(detail: string): ApiFailure {
  return failure(400, `Bad Request: ${detail}`);
}

/** @example forbidden("bot was blocked by the user") */
export function forbidden(detail: string): ApiFailure {
  return failure(403, `Forbidden: ${detail}`);
}

/** 409, as getUpdates answers when a webhook is set or another poll took over. */
export function conflict(detail: string): ApiFailure {
  return failure(409, `Conflict: ${detail}`);
}

/** 429 with `parameters.retry_after`, as Telegram's flood control answers. */
export function tooManyRequests(retryAfter: number): ApiFailure {
  return failure(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
}

/** A wrong token. */
export const UNAUTHORIZED: ApiFailure = failure(401, "Unauthorized");

/** A method the double (or Telegram) does not know. */
export const METHOD_NOT_FOUND: ApiFailure = failure(404, "Not Found: method not found");

/** A path that is neither a method nor a file. */
export const NOT_FOUND: ApiFailure = failure(404, "Not Found");
