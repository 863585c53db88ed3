import type { ApiCallFn } from "grammy";
import { describe, expect, it } from "vitest";
import { createMetrics, type MetricsOptions } from "../../bot/metrics.ts";
import { createTicketCounts } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { createHarness } from "./harness.ts";
import { parsePrometheusText } from "./prometheus-text.ts";

/**
 * The bot with metrics on: a clock `at` (wall, ms) for "last successful
 * call", and a monotonic clock that moves 30 ms each time it is read, so each
 * update (handled one at a time) takes exactly 30 ms.
 */
function withMetrics(options: MetricsOptions = {}) {
  const db = openSqlite(":memory:");
  const clock = { at: 1_800_000_000_000, monotonic: 0 };
  const metrics = createMetrics(
    { ticketCounts: createTicketCounts(db) },
    {
      now: () => clock.at,
      monotonicNow: () => (clock.monotonic += 30),
      defaultMetrics: false,
      ...options,
    },
  );
  const h = createHarness({ db, metrics });
  const scrape = async () => parsePrometheusText(await metrics.registry.metrics());
  return { h, metrics, clock, scrape };
}

describe("metrics recorded by the bot", () => {
  it("counts updates by type, decisions by kind, and times each update in seconds", async () => {
    const { h, scrape } = withMetrics();
    await h.handle(h.text("как восстановить пароль от госуслуг"));
    await h.handle(h.text("какая погода завтра в москве"));
    await h.deliver();
    await h.handle(h.press("hy"));

    const m = await scrape();
    expect(m.value("bot_updates_total", { type: "message" })).toBe(2);
    expect(m.value("bot_updates_total", { type: "callback_query" })).toBe(1);
    expect(m.value("bot_decisions_total", { kind: "answer" })).toBe(1);
    expect(m.value("bot_decisions_total", { kind: "escalate" })).toBe(1);
    expect(m.value("bot_decisions_total", { kind: "clarify" })).toBe(0);
    // The press opened a ticket: the gauge reads the database at scrape time.
    expect((await h.handoff.tickets.openTicketOf(777))?.state).toBe("waiting");
    expect(m.value("bot_tickets", { state: "waiting" })).toBe(1);
    expect(m.value("bot_tickets", { state: "assigned" })).toBe(0);
    expect(m.value("bot_tickets", { state: "closed" })).toBe(0);
    // 30 ms each: above the 0.025 s bucket, within the 0.05 s one.
    expect(m.types.get("bot_reply_latency_seconds")).toBe("histogram");
    const bucket = (type: string, le: string) =>
      m.value("bot_reply_latency_seconds_bucket", { type, le });
    expect(bucket("message", "0.025")).toBe(0);
    expect(bucket("message", "0.05")).toBe(2);
    expect(bucket("callback_query", "0.05")).toBe(1);
    expect(m.value("bot_reply_latency_seconds_count", { type: "message" })).toBe(2);
    expect(m.value("bot_reply_latency_seconds_sum", { type: "message" })).toBeCloseTo(0.06, 9);
  });

  it("counts an update on arrival, even one delivered again and skipped", async () => {
    const { h, scrape } = withMetrics();
    await h.handle({ ...h.text("/help"), update_id: 50 });
    await h.handle({ ...h.text("/help"), update_id: 50 });
    expect(h.calls.filter((c) => c.method === "sendMessage")).toHaveLength(1);
    const m = await scrape();
    expect(m.value("bot_updates_total", { type: "message" })).toBe(2);
    expect(m.value("bot_reply_latency_seconds_count", { type: "message" })).toBe(2);
  });

  it("counts the bot's failed Telegram calls by method and code, and notes the last success", async () => {
    const { h, metrics, clock, scrape } = withMetrics();
    expect(metrics.lastTelegramOkAt()).toBeUndefined();
    expect((await scrape()).value("bot_telegram_last_success_timestamp_seconds")).toBe(0);
    await h.handle(h.text("/help"));
    expect(metrics.lastTelegramOkAt()).toBe(clock.at);

    const before = h.calls.length;
    clock.at += 60_000;
    h.failures.set("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    await h.handle(h.text("/help"));
    // The handler's reply failed, then the error boundary's apology did too.
    const failed = h.calls.slice(before).filter((c) => c.method === "sendMessage").length;
    expect(failed).toBeGreaterThan(0);

    const m = await scrape();
    expect(
      m.value("bot_telegram_errors_total", { client: "bot", method: "sendMessage", code: "400" }),
    ).toBe(failed);
    expect(metrics.lastTelegramOkAt()).toBe(clock.at - 60_000);
    expect(m.value("bot_telegram_last_success_timestamp_seconds")).toBe((clock.at - 60_000) / 1000);
  });

  it("counts a call that got no answer as a network error, unless it was aborted on purpose", async () => {
    const metrics = createMetrics({}, { defaultMetrics: false });
    const transformer = metrics.telegramTransformer("delivery");
    const unreachable = (async () => {
      throw new Error("connect ECONNREFUSED");
    }) as unknown as ApiCallFn;
    await expect(
      transformer(unreachable, "sendMessage", { chat_id: 1, text: "x" }),
    ).rejects.toThrow("ECONNREFUSED");
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      transformer(unreachable, "getUpdates", { timeout: 30 }, aborted.signal as never),
    ).rejects.toThrow();
    const m = parsePrometheusText(await metrics.registry.metrics());
    expect(
      m.value("bot_telegram_errors_total", {
        client: "delivery",
        method: "sendMessage",
        code: "network",
      }),
    ).toBe(1);
    expect(m.samples.filter((s) => s.name === "bot_telegram_errors_total")).toHaveLength(1);
    expect(metrics.lastTelegramOkAt()).toBeUndefined();
  });

  it("keeps its own registry: two instances do not share series, the global one stays empty", async () => {
    const { register } = await import("prom-client");
    const a = createMetrics({}, { defaultMetrics: false });
    const b = createMetrics({}, { defaultMetrics: false });
    a.decision("answer");
    const valueIn = async (m: typeof a) =>
      parsePrometheusText(await m.registry.metrics()).value("bot_decisions_total", {
        kind: "answer",
      });
    expect(await valueIn(a)).toBe(1);
    expect(await valueIn(b)).toBe(0);
    expect(register.getSingleMetric("bot_decisions_total")).toBeUndefined();
  });
});
