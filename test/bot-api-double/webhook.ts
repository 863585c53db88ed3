import type { Update, WebhookInfo } from "grammy/types";
import type { ApiResponse, Params } from "./types.ts";
import type { UpdateQueue } from "./update-queue.ts";

/** The webhook as setWebhook configured it. */
export interface WebhookSettings {
  url: string;
  secretToken?: string;
  maxConnections?: number;
}

/**
 * Delivers queued updates to the webhook as Telegram does: up to
 * `max_connections` (default 40) at once, one chat's updates one at a time
 * and in order (the next waits for the answer to the one before), different
 * chats in parallel. An update is confirmed by a 2xx answer and retried
 * otherwise (its chat waits meanwhile). A JSON answer with a `method` field
 * is executed, like Telegram's webhook replies.
 */
export interface WebhookSender {
  /** Sets the webhook; the same URL, secret and connections again change nothing ("already set"). */
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

const DEFAULT_MAX_CONNECTIONS = 40;

/**
 * The chat an update belongs to (its message's, or the presser's for a
 * callback query without one); an update of no chat goes on its own.
 */
function chatKey(update: Update): string {
  for (const value of Object.values(update)) {
    if (typeof value !== "object" || value === null) continue;
    const record = value as {
      chat?: { id?: unknown };
      message?: { chat?: { id?: unknown } };
      from?: { id?: unknown };
    };
    const id = record.chat?.id ?? record.message?.chat?.id ?? record.from?.id;
    if (typeof id === "number") return `chat ${id}`;
  }
  return `update ${update.update_id}`;
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
  /** Chats with an update being delivered, or waiting to retry one. */
  const busy = new Set<string>();
  const inFlight = new Set<AbortController>();
  const retryTimers = new Set<NodeJS.Timeout>();
  let lastError: { date: number; message: string } | undefined;

  function pump(): void {
    const current = settings;
    if (!current) return;
    const max = current.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    // A chat met once is passed over after: its later updates wait for this one.
    const met = new Set<string>();
    for (const update of queue.peek(Number.MAX_SAFE_INTEGER)) {
      if (inFlight.size >= max) return;
      const key = chatKey(update);
      if (met.has(key)) continue;
      met.add(key);
      if (!busy.has(key)) void send(current, update, key);
    }
  }

  async function send(current: WebhookSettings, update: Update, key: string): Promise<void> {
    const mine = generation;
    busy.add(key);
    const error = await deliver(current, update);
    if (mine !== generation) return;
    if (error) {
      lastError = { date: Math.floor(now() / 1000), message: error };
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        busy.delete(key);
        pump();
      }, retryMs);
      retryTimers.add(timer);
      return;
    }
    queue.remove(update.update_id);
    busy.delete(key);
    pump();
  }

  async function deliver(current: WebhookSettings, update: Update): Promise<string | undefined> {
    const controller = new AbortController();
    inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), timeoutMs);
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
        signal: controller.signal,
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
      inFlight.delete(controller);
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
    for (const timer of retryTimers) clearTimeout(timer);
    retryTimers.clear();
    for (const controller of inFlight) controller.abort();
    inFlight.clear();
    busy.clear();
    lastError = undefined;
  }

  const unsubscribe = queue.subscribe(() => pump());

  return {
    set(next) {
      const same =
        settings !== undefined &&
        settings.url === next.url &&
        settings.secretToken === next.secretToken &&
        settings.maxConnections === next.maxConnections;
      if (!same) {
        reset();
        settings = next;
      }
      pump();
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
        max_connections: settings.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
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
