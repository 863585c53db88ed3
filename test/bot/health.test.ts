import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createHealthServer, type HealthServer } from "../../bot/health.ts";
import { createMetrics } from "../../bot/metrics.ts";
import {
  createOutbox,
  createStorageMonitor,
  createStore,
  createTicketCounts,
} from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { createHarness } from "./harness.ts";
import { parsePrometheusText } from "./prometheus-text.ts";

const MINUTE = 60_000;
const QUESTION = {
  chatId: 1,
  text: "",
  language: "ru" as const,
  decision: "answer" as const,
  intent: "contacts.hotline",
  confidence: 0.9,
  candidates: [],
};
let servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

/** A health server on a free loopback port over an in-memory database and a clock to move. */
async function serve(path = ":memory:") {
  const db = openSqlite(path);
  const clock = { at: Date.parse("2026-11-25T09:00:00Z") };
  const now = () => clock.at;
  const outbox = createOutbox(db, { now });
  const metrics = createMetrics(
    { ticketCounts: createTicketCounts(db), outboxLagMs: () => outbox.lag() },
    { now },
  );
  const storage = createStorageMonitor(db, { now });
  const server = createHealthServer({ db, storage, outbox, metrics }, { port: 0, now });
  servers.push(server);
  const { address, port } = await server.listen();
  const get = (path: string, init?: RequestInit) => fetch(`http://${address}:${port}${path}`, init);
  const health = async () => {
    const response = await get("/healthz");
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** A successful Bot API call at the clock's time, through the metrics' transformer. */
  const telegramOk = () =>
    metrics.telegramTransformer("bot")(
      async () => ({ ok: true, result: true }) as never,
      "getMe",
      {} as never,
    );
  return { db, storage, outbox, metrics, clock, address, get, health, telegramOk };
}

describe("GET /healthz", () => {
  it("answers 200 with the checks when all is well, on 127.0.0.1 by default", async () => {
    const s = await serve();
    expect(s.address).toBe("127.0.0.1");
    await s.telegramOk();
    const { status, body } = await s.health();
    expect(status).toBe(200);
    expect(body).toEqual({
      status: "ok",
      database: "writable",
      lastTelegramOkAt: "2026-11-25T09:00:00.000Z",
      outboxLagMs: 0,
    });
  });

  it("answers 503 naming the database when it is read-only or closed", async () => {
    const s = await serve();
    s.db.connection.pragma("query_only = ON");
    const readOnly = await s.health();
    expect(readOnly.status).toBe(503);
    expect(readOnly.body).toMatchObject({
      status: "degraded",
      failing: ["database not writable"],
      database: expect.stringMatching(/^not writable: .*readonly/),
    });
    s.db.connection.pragma("query_only = OFF");
    expect((await s.health()).status).toBe(200);

    await s.db.close();
    const closed = await s.health();
    expect(closed.status).toBe(503);
    expect(closed.body.failing).toEqual(["database not writable", "outbox unreadable"]);
    expect(closed.body.outboxLagMs).toBeNull();
  });

  it("answers 503 while the bot's own writes fail (a full disk), though the probe's one row still commits", async () => {
    const s = await serve();
    await s.telegramOk();
    const store = createStore(s.db, { storage: s.storage });
    s.db.connection.pragma(
      `max_page_count = ${s.db.connection.pragma("page_count", { simple: true })}`,
    );
    // A long question needs new pages; the probe's row does not.
    const long = "я подал заявление на загранпаспорт и ".repeat(300);
    await store.recordQuestion({ ...QUESTION, text: long });
    const full = await s.health();
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({
      failing: ["database not writable"],
      database: expect.stringMatching(/^not writable: SQLITE_FULL/),
    });
    s.db.connection.pragma("max_page_count = 1000000");
    await store.recordQuestion({ ...QUESTION, text: long });
    expect(await s.health()).toMatchObject({ status: 200, body: { database: "writable" } });
  });

  it("answers 503 naming damage the bot met, and a database file deleted under it", async () => {
    const damaged = await serve();
    await damaged.telegramOk();
    damaged.storage.observe(
      new Database.SqliteError("database disk image is malformed", "SQLITE_CORRUPT"),
    );
    expect(await damaged.health()).toMatchObject({
      status: 503,
      body: {
        failing: ["database damaged"],
        database: expect.stringMatching(/^damaged: SQLITE_CORRUPT/),
      },
    });

    const dir = mkdtempSync(join(tmpdir(), "health-"));
    try {
      const path = join(dir, "bot.sqlite");
      const s = await serve(path);
      await s.telegramOk();
      expect((await s.health()).status).toBe(200);
      rmSync(path);
      expect(await s.health()).toMatchObject({
        status: 503,
        body: {
          failing: ["database file missing"],
          database: `missing: ${path} was deleted while the bot ran`,
        },
      });
      await s.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers 503 'telegram stale' when no Bot API call succeeded for over 5 minutes", async () => {
    const s = await serve();
    // Before any call the server's start counts as the last contact.
    s.clock.at += 5 * MINUTE;
    expect(await s.health()).toMatchObject({ status: 200, body: { lastTelegramOkAt: null } });
    s.clock.at += 1;
    expect(await s.health()).toMatchObject({
      status: 503,
      body: { failing: ["telegram stale"], lastTelegramOkAt: null },
    });
    await s.telegramOk();
    expect((await s.health()).status).toBe(200);
    s.clock.at += 5 * MINUTE + 1;
    expect(await s.health()).toMatchObject({ status: 503, body: { failing: ["telegram stale"] } });
  });

  it("reports the outbox's lag, and answers 503 once it passes 5 minutes", async () => {
    const s = await serve();
    await s.outbox.enqueue({ chatId: 5, message: { kind: "text", text: "ответ оператора" } });
    s.clock.at += 90_000;
    await s.telegramOk();
    expect(await s.health()).toMatchObject({ status: 200, body: { outboxLagMs: 90_000 } });
    const metrics = parsePrometheusText(await (await s.get("/metrics")).text());
    expect(metrics.value("bot_outbox_lag_seconds")).toBe(90);

    s.clock.at += 4 * MINUTE;
    await s.telegramOk();
    expect(await s.health()).toMatchObject({
      status: 503,
      body: { failing: ["outbox lagging"], outboxLagMs: 330_000 },
    });
    const item = await s.outbox.claimNext();
    if (item) await s.outbox.markSent(item.id, 1);
    expect(await s.health()).toMatchObject({ status: 200, body: { outboxLagMs: 0 } });
  });

  it("answers 404 elsewhere and 405 to other methods", async () => {
    const s = await serve();
    expect((await s.get("/")).status).toBe(404);
    expect((await s.get("/healthz/x")).status).toBe(404);
    expect((await s.get("/healthz?verbose=1")).status).toBe(200);
    const post = await s.get("/metrics", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("GET /metrics", () => {
  it("serves the bot's series in Prometheus text, with the process metrics", async () => {
    const db = openSqlite(":memory:");
    const metrics = createMetrics({ ticketCounts: createTicketCounts(db) });
    const h = createHarness({ db, metrics });
    await h.handle(h.text("как восстановить пароль от госуслуг"));
    await h.handle(h.text("какая погода завтра в москве"));
    await h.deliver();
    await h.handle(h.press("hy"));
    const server = createHealthServer(
      { db, storage: h.handoff.storage, outbox: h.handoff.outbox, metrics },
      { port: 0, now: () => Date.now() },
    );
    servers.push(server);
    const { address, port } = await server.listen();

    const response = await fetch(`http://${address}:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheusText(await response.text());
    expect(m.types.get("bot_updates_total")).toBe("counter");
    expect(m.types.get("bot_tickets")).toBe("gauge");
    expect(m.value("bot_updates_total", { type: "message" })).toBe(2);
    expect(m.value("bot_updates_total", { type: "callback_query" })).toBe(1);
    expect(m.value("bot_decisions_total", { kind: "answer" })).toBe(1);
    expect(m.value("bot_decisions_total", { kind: "escalate" })).toBe(1);
    expect(m.value("bot_tickets", { state: "waiting" })).toBe(1);
    expect(m.value("bot_reply_latency_seconds_count", { type: "callback_query" })).toBe(1);
    expect(m.value("bot_telegram_last_success_timestamp_seconds")).toBeGreaterThan(0);
    expect(m.value("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(m.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
  });

  it("fails the scrape with 500 when the database under a gauge is gone", async () => {
    const s = await serve();
    await s.db.close();
    const response = await s.get("/metrics");
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/^metrics failed: /);
  });
});

describe("GET /healthz while Telegram is not reached", () => {
  it("answers 503 naming Telegram unreachable, with the last failure", async () => {
    const db = openSqlite(":memory:");
    const outbox = createOutbox(db);
    const metrics = createMetrics({
      ticketCounts: createTicketCounts(db),
      outboxLagMs: () => outbox.lag(),
    });
    let link: { reachable: true } | { reachable: false; reason: string } = {
      reachable: false,
      reason: "no answer (ECONNREFUSED)",
    };
    const storage = createStorageMonitor(db);
    const server = createHealthServer(
      { db, storage, outbox, metrics, telegram: () => link },
      { port: 0 },
    );
    servers.push(server);
    const { address, port } = await server.listen();
    const response = await fetch(`http://${address}:${port}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "degraded",
      failing: ["Telegram unreachable"],
      telegram: "unreachable: no answer (ECONNREFUSED)",
    });
    link = { reachable: true };
    expect(await server.check()).toMatchObject({ status: "ok", telegram: "reachable" });
  });
});
