import { describe, expect, it } from "vitest";
import { createConfig, databaseOf } from "../../bot/config.ts";

const TOKEN = "123456:AAEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

describe("configuration from the environment", () => {
  it("has working defaults: SQLite under ./data, Telegram's API, long polling", () => {
    const result = createConfig({ BOT_TOKEN: TOKEN });
    expect(result).toMatchObject({
      ok: true,
      config: {
        botToken: TOKEN,
        databasePath: "./data/bot.sqlite",
        telegramApiRoot: "https://api.telegram.org",
        webhook: undefined,
        rateLimitPerMinute: 20,
      },
    });
  });

  it("chooses PostgreSQL with DATABASE_URL, SQLite at DATABASE_PATH without it", () => {
    expect(createConfig({ BOT_TOKEN: TOKEN, DATABASE_PATH: "/srv/bot.sqlite" })).toMatchObject({
      ok: true,
      config: { database: { engine: "sqlite", path: "/srv/bot.sqlite" } },
    });
    const url = "postgres://bot:secret@db.internal:5432/bot";
    expect(
      createConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: url, DATABASE_POOL_SIZE: "20" }),
    ).toMatchObject({
      ok: true,
      config: { database: { engine: "postgres", url, poolSize: 20 } },
    });
    expect(createConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: "  " })).toMatchObject({
      ok: true,
      config: { database: { engine: "sqlite" } },
    });
    for (const [variable, value] of [
      ["DATABASE_URL", "mysql://bot@db/bot"],
      ["DATABASE_URL", "./data/bot.sqlite"],
      ["DATABASE_POOL_SIZE", "0"],
      ["DATABASE_POOL_SIZE", "many"],
    ] as const) {
      const refused = createConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: url, [variable]: value });
      expect(refused.ok, `${variable}=${value}`).toBe(false);
      if (!refused.ok) expect(refused.errors.join()).toContain(variable);
    }
    // The tools read it the same way.
    expect(databaseOf({ DATABASE_URL: url })).toEqual({ engine: "postgres", url, poolSize: 10 });
    expect(databaseOf({})).toEqual({ engine: "sqlite", path: "./data/bot.sqlite" });
  });

  it("allows no token (main then explains how to get one) but refuses a malformed one", () => {
    expect(createConfig({})).toMatchObject({ ok: true, config: { botToken: undefined } });
    const bad = createConfig({ BOT_TOKEN: "not-a-token" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toContain("BOT_TOKEN");
  });

  it("needs a secret with a webhook URL, and https", () => {
    const noSecret = createConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example.org" });
    expect(noSecret.ok).toBe(false);
    if (!noSecret.ok) expect(noSecret.errors.join()).toContain("WEBHOOK_SECRET");
    const plain = createConfig({
      BOT_TOKEN: TOKEN,
      WEBHOOK_URL: "http://bot.example.org",
      WEBHOOK_SECRET: "s".repeat(20),
    });
    expect(plain.ok).toBe(false);
    const loopback = createConfig({
      BOT_TOKEN: TOKEN,
      WEBHOOK_URL: "http://127.0.0.1:8443",
      WEBHOOK_SECRET: "s".repeat(20),
    });
    expect(loopback.ok).toBe(true);
    const good = createConfig({
      BOT_TOKEN: TOKEN,
      WEBHOOK_URL: "https://bot.example.org",
      WEBHOOK_SECRET: "s".repeat(20),
      PORT: "9000",
    });
    expect(good).toMatchObject({
      ok: true,
      config: { webhook: { url: "https://bot.example.org", port: 9000 } },
    });
  });

  it("serves health and metrics only with HEALTH_PORT, on loopback unless HEALTH_HOST says", () => {
    expect(createConfig({})).toMatchObject({ ok: true, config: { health: undefined } });
    expect(createConfig({ HEALTH_PORT: "" })).toMatchObject({
      ok: true,
      config: { health: undefined },
    });
    expect(createConfig({ HEALTH_PORT: "9464" })).toMatchObject({
      ok: true,
      config: { health: { port: 9464, host: "127.0.0.1" } },
    });
    expect(createConfig({ HEALTH_PORT: "9464", HEALTH_HOST: "0.0.0.0" })).toMatchObject({
      ok: true,
      config: { health: { port: 9464, host: "0.0.0.0" } },
    });
    for (const bad of ["0", "70000", "metrics"]) {
      const result = createConfig({ HEALTH_PORT: bad });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]).toMatch(/^HEALTH_PORT:/);
    }
    const clash = createConfig({
      BOT_TOKEN: TOKEN,
      WEBHOOK_URL: "https://bot.example.org",
      WEBHOOK_SECRET: "s".repeat(20),
      HEALTH_PORT: "8080",
    });
    expect(clash.ok).toBe(false);
    if (!clash.ok) expect(clash.errors[0]).toMatch(/^HEALTH_PORT: .*differ from PORT/);
  });

  it("names the variable when a number is not a number", () => {
    const result = createConfig({ RATE_LIMIT_PER_MINUTE: "lots" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^RATE_LIMIT_PER_MINUTE:/);
  });

  it("reads operators and supervisors as lists of Telegram user ids, and the wait limit", () => {
    expect(createConfig({})).toMatchObject({
      ok: true,
      config: { operatorIds: [], supervisorIds: [], waitReminderMinutes: 10 },
    });
    const set = createConfig({
      OPERATOR_IDS: "111, 222 333",
      SUPERVISOR_IDS: "444",
      WAIT_REMINDER_MINUTES: "5",
    });
    expect(set).toMatchObject({
      ok: true,
      config: { operatorIds: [111, 222, 333], supervisorIds: [444], waitReminderMinutes: 5 },
    });
    const bad = createConfig({ OPERATOR_IDS: "111,@anna,-5" });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors[0]).toBe(
        'OPERATOR_IDS: must be Telegram user ids separated by commas, not "@anna, -5"',
      );
  });

  it("keeps personal data 90 days by default; RETENTION_DAYS is a whole number of days", () => {
    expect(createConfig({})).toMatchObject({ ok: true, config: { retentionDays: 90 } });
    expect(createConfig({ RETENTION_DAYS: "30" })).toMatchObject({
      ok: true,
      config: { retentionDays: 30 },
    });
    for (const bad of ["0", "-5", "1.5", "forever"]) {
      const result = createConfig({ RETENTION_DAYS: bad });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]).toMatch(/^RETENTION_DAYS:/);
    }
  });
});
