import type { WebhookInfo } from "grammy/types";
import type { ApiResponse, Params } from "./types.ts";
import type { UpdateQueue } from "./update-queue.ts";

/** The webhook as setWebhook configured it. */
export interface WebhookSettings {
  url: string;
  secretToken?: string;
  maxConnections?: number;
}

/**
 * Delivers queued updates to the webhook, one at a time and in order; an
 * update is confirmed by a 2xx answer and retried otherwise. A JSON answer
 * with a `method` field is executed, like Telegram's webhook replies.
 */
export interface WebhookSender {
  set(settings: WebhookSettings): void;
  delete(): void;
  readonly active: boolean;
  info(): WebhookInfo;
  stop(): void;
}

/** What the sender needs: the queue, a way to run webhook replies, the clock. */
export interface WebhookDeps {
  queue: UpdateQueue;
  execute(method: string, params: Params): Promise<ApiResponse>;
  now(): number;
}

/**
 * @param options.retryMs pause before retrying a failed delivery. Defaults to 100.
 * @param options.timeoutMs how long a delivery may take. Defaults to 10_000.
 * @example const webhook = createWebhookSender({ queue, execute, now: Date.now }); webhook.set({ url })
 */
export function createWebhookSender(
  deps: WebhookDeps,
  options: { retryMs?: number; timeoutMs?: number } = {},
): WebhookSender {
  const { retryMs = 100, timeoutMs = 10_000 } = options;
  const { queue, execute, now } = deps;
  let settings: WebhookSettings | undefined;
  let generation = 0;
  let delivering = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let inFlight: AbortController | undefined;
  let lastError: { date: number; message: string } | undefined;

  async function pump(): Promise<void> {
    if (delivering || !settings || retryTimer) return;
    delivering = true;
    const mine = generation;
    try {
      for (;;) {
        const current = settings;
        const update = queue.peek(1)[0];
        if (!current || !update || mine !== generation) return;
        const error = await deliver(current, update);
        if (mine !== generation) return;
        if (error) {
          lastError = { date: Math.floor(now() / 1000), message: error };
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            void pump();
          }, retryMs);
          return;
        }
        queue.confirm(update.update_id + 1);
      }
    } finally {
      delivering = false;
      // The webhook changed during a delivery: start over with the new one.
      if (mine !== generation) void pump();
    }
  }

  async function deliver(current: WebhookSettings, update: unknown): Promise<string | undefined> {
    inFlight = new AbortController();
    const timer = setTimeout(() => inFlight?.abort(), timeoutMs);
    try {
      const response = await fetch(current.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(current.secretToken
            ? { "x-telegram-bot-api-secret-token": current.secretToken }
            : {}),
        },
        body: JSON.stringify(update),
        signal: inFlight.signal,
      });
      const body = await response.text();
      if (!response.ok)
        return `Wrong response from the webhook: ${response.status} ${response.statusText}`;
      await runWebhookReply(body, response.headers.get("content-type") ?? "");
      return undefined;
    } catch (error) {
      return error instanceof Error && error.name === "AbortError"
        ? "Read timeout expired"
        : "Connection refused";
    } finally {
      clearTimeout(timer);
      inFlight = undefined;
    }
  }

  async function runWebhookReply(body: string, type: string): Promise<void> {
    if (!type.includes("application/json") || body.trim() === "") return;
    try {
      const { method, ...params } = JSON.parse(body) as Params;
      if (typeof method === "string") await execute(method, params);
    } catch {
      // Telegram ignores an answer it cannot read.
    }
  }

  function reset(): void {
    generation++;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    inFlight?.abort();
    lastError = undefined;
  }

  const unsubscribe = queue.subscribe(() => void pump());

  return {
    set(next) {
      reset();
      settings = next;
      void pump();
    },
    delete() {
      reset();
      settings = undefined;
    },
    get active() {
      return settings !== undefined;
    },
    info() {
      const pendingCount = queue.pending.length;
      if (!settings)
        return { url: "", has_custom_certificate: false, pending_update_count: pendingCount };
      const allowed = queue.allowedUpdates;
      return {
        url: settings.url,
        has_custom_certificate: false,
        pending_update_count: pendingCount,
        max_connections: settings.maxConnections ?? 40,
        ip_address: "127.0.0.1",
        ...(allowed && allowed.length > 0
          ? { allowed_updates: [...allowed] as WebhookInfo["allowed_updates"] & {} }
          : {}),
        ...(lastError
          ? { last_error_date: lastError.date, last_error_message: lastError.message }
          : {}),
      };
    },
    stop() {
      reset();
      settings = undefined;
      unsubscribe();
    },
  };
}
