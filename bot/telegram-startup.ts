import { type Api, GrammyError, HttpError } from "grammy";

/** The AbortSignal type grammY's Node build declares (its polyfill's), the same object at run time. */
export type ApiSignal = Parameters<Api["getMe"]>[0];
const forApi = (signal: AbortSignal | undefined) => signal as unknown as ApiSignal;

/** The subset of a pino logger the start-up calls write to. */
export interface StartupLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** How Telegram is doing as the bot starts, for /healthz. */
export type TelegramLink =
  | { reachable: true }
  | { reachable: false; reason: string; nextTryAt?: number | undefined };

/** What a start-up call came to: Telegram's answer, a refusal to report, or a stop asked for. */
export type StartupCallResult<T> =
  | { ok: true; value: T }
  | { ok: false; kind: "refused"; message: string }
  | { ok: false; kind: "stopped" };

export interface RetryOptions {
  /** The first pause after a failed try, in ms, doubled each try. Defaults to 1000. */
  firstDelayMs?: number;
  /** The longest pause, in ms. Defaults to 60000. */
  maxDelayMs?: number;
  /** Ends the waiting (shutdown). Defaults to never. */
  signal?: AbortSignal;
  /** Told of each failed try and of the success. Defaults to nothing. */
  onLink?: (link: TelegramLink) => void;
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** Waits `ms` or until `signal` aborts. Defaults to a setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Whether a failed Bot API call is worth trying again: no answer (network,
 * timeout), 429 (with Telegram's `retry_after`, in ms) or 5xx. Any other
 * answer (401 revoked token, 400, 404) is Telegram refusing.
 */
export function classifyFailure(
  error: unknown,
):
  | { transient: true; reason: string; retryAfterMs?: number }
  | { transient: false; reason: string } {
  if (error instanceof GrammyError) {
    const reason = `${error.error_code} ${error.description}`;
    if (error.error_code === 429) {
      const after = error.parameters.retry_after;
      return after === undefined
        ? { transient: true, reason }
        : { transient: true, reason, retryAfterMs: after * 1000 };
    }
    return error.error_code >= 500 ? { transient: true, reason } : { transient: false, reason };
  }
  if (error instanceof HttpError) {
    const cause = error.error as { cause?: { code?: unknown } } | undefined;
    const code = typeof cause?.cause?.code === "string" ? `${cause.cause.code}: ` : "";
    return { transient: true, reason: `no answer (${code}${error.message})` };
  }
  return { transient: true, reason: error instanceof Error ? error.message : String(error) };
}

/**
 * Makes a Bot API call the bot cannot start without (getMe, deleteWebhook,
 * setWebhook) until Telegram answers: each failed try is logged with the
 * time of the next one, the pause doubling up to `maxDelayMs` (or Telegram's
 * `retry_after`). A refusal ends it with `advice(reason)`, one line that says
 * what to do.
 *
 * @example const me = await callUntilAnswered("getMe", (s) => api.getMe(s), log, tokenAdvice);
 */
export async function callUntilAnswered<T>(
  method: string,
  call: (signal: ApiSignal) => Promise<T>,
  log: StartupLog,
  advice: (reason: string) => string,
  options: RetryOptions = {},
): Promise<StartupCallResult<T>> {
  const {
    firstDelayMs = 1000,
    maxDelayMs = 60_000,
    signal,
    onLink,
    now = Date.now,
    sleep = abortableSleep,
  } = options;
  for (
    let attempt = 1, delay = firstDelayMs;
    ;
    attempt++, delay = Math.min(maxDelayMs, delay * 2)
  ) {
    if (signal?.aborted) return { ok: false, kind: "stopped" };
    try {
      const value = await call(forApi(signal));
      onLink?.({ reachable: true });
      if (attempt > 1) log.info({ method, attempt }, "Telegram answered");
      return { ok: true, value };
    } catch (error) {
      if (signal?.aborted) return { ok: false, kind: "stopped" };
      const failure = classifyFailure(error);
      if (!failure.transient) {
        onLink?.({ reachable: true });
        return { ok: false, kind: "refused", message: advice(failure.reason) };
      }
      const wait = Math.max(delay, failure.retryAfterMs ?? 0);
      const nextTryAt = now() + wait;
      onLink?.({ reachable: false, reason: failure.reason, nextTryAt });
      log.warn(
        { method, attempt, error: failure.reason, nextTryAt: new Date(nextTryAt).toISOString() },
        `Telegram did not answer ${method}: trying again`,
      );
      await sleep(wait, signal);
    }
  }
}

/** What to do when Telegram refuses getMe: the token. */
export const tokenAdvice = (reason: string) =>
  `Telegram refused BOT_TOKEN (getMe: ${reason}): the token is wrong or was revoked. Get the current one from @BotFather (/mybots → API Token), set BOT_TOKEN and start again.`;

/** What to do when Telegram refuses deleteWebhook (long polling cannot start while a webhook is set). */
export const deleteWebhookAdvice = (reason: string) =>
  `Telegram refused deleteWebhook (${reason}): long polling cannot start while a webhook is set. Set WEBHOOK_URL and WEBHOOK_SECRET to run in webhook mode, or check that TELEGRAM_API_ROOT is a Bot API server.`;

/** What to do when Telegram refuses setWebhook: the URL. */
export const setWebhookAdvice = (reason: string) =>
  `Telegram refused setWebhook (${reason}): check that WEBHOOK_URL is a public https:// address Telegram accepts (ports 443, 80, 88 or 8443) and that it reaches PORT.`;

export interface CommandsOptions {
  /** The first pause after a failed try, in ms, doubled each try. Defaults to 60000. */
  firstDelayMs?: number;
  /** The longest pause, in ms. Defaults to 3600000 (an hour). */
  maxDelayMs?: number;
  /** Ends the tries (shutdown). Defaults to never. */
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Sets the bot's command menus in the background: they are cosmetic, so a
 * failure (404 from a Bot API server without the method, 429, 5xx, no
 * answer) is a warning with the time of the next try, never a reason to stop.
 * Resolves once all are set, or when `signal` aborts.
 *
 * @example void registerCommands([() => api.setMyCommands(TEXTS.ru.commands)], log, { signal });
 */
export async function registerCommands(
  calls: readonly ((signal: ApiSignal) => Promise<unknown>)[],
  log: StartupLog,
  options: CommandsOptions = {},
): Promise<"set" | "stopped"> {
  const {
    firstDelayMs = 60_000,
    maxDelayMs = 3_600_000,
    signal,
    now = Date.now,
    sleep = abortableSleep,
  } = options;
  let left = [...calls];
  for (
    let attempt = 1, delay = firstDelayMs;
    ;
    attempt++, delay = Math.min(maxDelayMs, delay * 2)
  ) {
    const failed: typeof left = [];
    let reason = "";
    let retryAfterMs = 0;
    for (const call of left) {
      if (signal?.aborted) return "stopped";
      try {
        await call(forApi(signal));
      } catch (error) {
        if (signal?.aborted) return "stopped";
        const failure = classifyFailure(error);
        reason = failure.reason;
        if (failure.transient) retryAfterMs = Math.max(retryAfterMs, failure.retryAfterMs ?? 0);
        failed.push(call);
      }
    }
    if (failed.length === 0) {
      if (attempt > 1) log.info({ attempt }, "bot commands set");
      return "set";
    }
    left = failed;
    const wait = Math.max(delay, retryAfterMs);
    log.warn(
      {
        method: "setMyCommands",
        attempt,
        error: reason,
        nextTryAt: new Date(now() + wait).toISOString(),
      },
      "bot commands not set (the menu only; the bot works without it): trying again later",
    );
    await sleep(wait, signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
