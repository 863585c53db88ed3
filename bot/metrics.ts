import type { Transformer } from "grammy";
import type { Update } from "grammy/types";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { TicketCounts } from "../handoff/index.ts";

/** What the bot decided about a question. */
export type DecisionKind = "answer" | "clarify" | "escalate";

/** Which Bot API client made a call: the bot's own, or the outbox delivery worker's. */
export type TelegramClient = "bot" | "delivery";

/** The bot's Prometheus metrics: recorders the bot calls, and the registry to serve. */
export interface Metrics {
  /** Its own registry (not prom-client's global one), for `/metrics`. */
  registry: Registry;
  /**
   * Counts an update by its type (`message`, `callback_query`, …) and starts
   * its latency clock; call the function it returns when the handler is done.
   */
  updateStarted(update: Update): () => void;
  /** Counts the bot's decision about a citizen's question. */
  decision(kind: DecisionKind): void;
  /**
   * A grammY API transformer that counts failed calls by method and error
   * code (`network` when no answer came) and notes each successful call's
   * time. Install it first (innermost), so that each attempt auto-retry
   * makes is seen.
   */
  telegramTransformer(client: TelegramClient): Transformer;
  /** When a Bot API call last succeeded (ms since the epoch), undefined before any did. */
  lastTelegramOkAt(): number | undefined;
}

/** Figures read at each scrape. */
export interface MetricsDeps {
  /** Tickets by state now (`createTicketCounts` of the handoff database). */
  ticketCounts?: () => Promise<TicketCounts> | TicketCounts;
  /** How long the oldest undelivered outbox row has waited, in ms (`outbox.lag`). */
  outboxLagMs?: () => Promise<number> | number;
}

export interface MetricsOptions {
  /** The wall clock for "last successful call". Defaults to Date.now. */
  now?: () => number;
  /** A monotonic clock in ms for latencies. Defaults to performance.now. */
  monotonicNow?: () => number;
  /** Also collect prom-client's default process and Node.js metrics. Defaults to true. */
  defaultMetrics?: boolean;
}

/** Update-to-done latency buckets, in seconds: a reply takes milliseconds, a 429 wait minutes. */
const LATENCY_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DECISIONS: readonly DecisionKind[] = ["answer", "clarify", "escalate"];

/**
 * Creates the metrics on a registry of their own: `bot_updates_total{type}`,
 * `bot_reply_latency_seconds{type}`, `bot_decisions_total{kind}`,
 * `bot_telegram_errors_total{client,method,code}`,
 * `bot_telegram_last_success_timestamp_seconds`, and, read at scrape time,
 * `bot_tickets{state}` and `bot_outbox_lag_seconds`; plus prom-client's
 * default process metrics.
 *
 * @example const metrics = createMetrics({ ticketCounts, outboxLagMs: () => outbox.lag() });
 */
export function createMetrics(deps: MetricsDeps = {}, options: MetricsOptions = {}): Metrics {
  const { now = Date.now, monotonicNow = () => performance.now(), defaultMetrics = true } = options;
  const { ticketCounts, outboxLagMs } = deps;
  const registry = new Registry();
  const registers = [registry];
  let lastOk: number | undefined;

  const updates = new Counter({
    name: "bot_updates_total",
    help: "Telegram updates received, by type",
    labelNames: ["type"] as const,
    registers,
  });
  const latency = new Histogram({
    name: "bot_reply_latency_seconds",
    help: "Time from an update's arrival to its handler finishing, by update type",
    labelNames: ["type"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const decisions = new Counter({
    name: "bot_decisions_total",
    help: "Decisions about citizens' questions, by kind",
    labelNames: ["kind"] as const,
    registers,
  });
  for (const kind of DECISIONS) decisions.inc({ kind }, 0);
  const telegramErrors = new Counter({
    name: "bot_telegram_errors_total",
    help: "Failed Bot API calls (each attempt), by client, method and error code (network: no answer)",
    labelNames: ["client", "method", "code"] as const,
    registers,
  });
  new Gauge({
    name: "bot_telegram_last_success_timestamp_seconds",
    help: "When a Bot API call last succeeded, in seconds since the epoch (0: none yet)",
    registers,
    collect() {
      this.set(lastOk === undefined ? 0 : lastOk / 1000);
    },
  });
  if (ticketCounts) {
    new Gauge({
      name: "bot_tickets",
      help: "Tickets by state, read from the database at scrape time",
      labelNames: ["state"] as const,
      registers,
      async collect() {
        for (const [state, count] of Object.entries(await ticketCounts())) {
          this.set({ state }, count);
        }
      },
    });
  }
  if (outboxLagMs) {
    new Gauge({
      name: "bot_outbox_lag_seconds",
      help: "How long the oldest undelivered outbox message has waited (0: none waits)",
      registers,
      async collect() {
        this.set((await outboxLagMs()) / 1000);
      },
    });
  }
  if (defaultMetrics) collectDefaultMetrics({ register: registry });

  return {
    registry,
    updateStarted(update) {
      const type = updateTypeOf(update);
      updates.inc({ type });
      const started = monotonicNow();
      return () => latency.observe({ type }, Math.max(0, monotonicNow() - started) / 1000);
    },
    decision(kind) {
      decisions.inc({ kind });
    },
    telegramTransformer(client) {
      return async (prev, method, payload, signal) => {
        try {
          const result = await prev(method, payload, signal);
          if (result.ok) lastOk = now();
          else telegramErrors.inc({ client, method, code: String(result.error_code) });
          return result;
        } catch (error) {
          // A call aborted on purpose (the runner stopping) is no failure.
          if (!signal?.aborted) telegramErrors.inc({ client, method, code: "network" });
          throw error;
        }
      };
    },
    lastTelegramOkAt: () => lastOk,
  };
}

/** The update's kind: its one field besides update_id. */
function updateTypeOf(update: Update): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
}
