import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parsePrometheusText } from "../bot/prometheus-text.ts";
import { type BotApiDouble, createBotApiDouble } from "../bot-api-double/index.ts";
import { type BotProcess, startBot } from "./bot-process.ts";

const TOKEN = "123456:AAE-e2e-token-0123456789abcdef";
let double: BotApiDouble;
let dir: string;
let bot: BotProcess | undefined;

beforeAll(async () => {
  double = createBotApiDouble({ token: TOKEN });
  await double.start();
  dir = mkdtempSync(join(tmpdir(), "e2e-health-"));
});
afterAll(async () => {
  await bot?.stop("SIGKILL");
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A port free on loopback now (the OS picks it; a race with other programs is possible but rare). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

it("npm start with HEALTH_PORT serves /healthz and /metrics, and stops serving on SIGTERM", async () => {
  const port = await freePort();
  bot = startBot({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: double.apiRoot,
    DATABASE_PATH: join(dir, "bot.sqlite"),
    HEALTH_PORT: String(port),
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  let health: Response | undefined;
  while (!health) {
    if (Date.now() > deadline) throw new Error(`no /healthz:\n${bot.output()}`);
    health = await fetch(`${url}/healthz`).catch(() => undefined);
    if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({
    status: "ok",
    database: "writable",
    lastTelegramOkAt: expect.any(String),
    outboxLagMs: 0,
  });

  double.sendText({ id: 1001, first_name: "Анна", language_code: "ru" }, "/help");
  await double.waitForMessage((m) => m.chat.id === 1001);
  const metrics = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
  expect(metrics.value("bot_updates_total", { type: "message" })).toBe(1);
  expect(metrics.value("bot_tickets", { state: "waiting" })).toBe(0);

  expect(await bot.stop("SIGTERM")).toBe(0);
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
});
