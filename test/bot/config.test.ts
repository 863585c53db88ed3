import { describe, expect, it } from "vitest";
import { createConfig } from "../../bot/config.ts";

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

  it("names the variable when a number is not a number", () => {
    const result = createConfig({ RATE_LIMIT_PER_MINUTE: "lots" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^RATE_LIMIT_PER_MINUTE:/);
  });
});
