import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { textOf } from "../bot-api-double/index.ts";
import { type BotProcess, startBot } from "./bot-process.ts";
import { E2E_TOKEN, useBotProcess } from "./e2e-setup.ts";

const e2e = useBotProcess("e2e-startup-");
const WAIT = { timeoutMs: 15_000 };
let nextChat = 6001;

/** A server holding a loopback port, as another program would. */
const occupyPort = () =>
  new Promise<{ port: number; server: Server }>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ port: typeof address === "object" && address ? address.port : 0, server });
    });
  });

/** The lines the bot wrote that are not JSON log lines. */
const plainLines = (bot: BotProcess) =>
  bot
    .output()
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("{"));

/** The bot's JSON log lines. */
const logLines = (bot: BotProcess) =>
  bot
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Starts the bot against the double with a fresh database, logging warnings and errors. */
function startAgainstDouble(env: Record<string, string> = {}): BotProcess {
  return startBot({
    BOT_TOKEN: E2E_TOKEN,
    TELEGRAM_API_ROOT: e2e.double.apiRoot,
    DATABASE_PATH: join(e2e.dir, `bot-${nextChat++}.sqlite`),
    LOG_LEVEL: "warn",
    ...env,
  });
}

/** Exit 1 with one plain line, no stack trace. */
async function expectOneLineExit(bot: BotProcess): Promise<string> {
  expect(await bot.exited).toBe(1);
  expect(bot.output()).not.toMatch(/^\s+at /m);
  const lines = plainLines(bot);
  expect(lines).toHaveLength(1);
  return lines[0] ?? "";
}

describe("start-up against a faulty Telegram", () => {
  it.each([
    ["404 (a Bot API server without the method)", { status: 404, times: 2 }],
    ["429 with an hour's retry_after", { status: 429, retryAfter: 3600, times: 2 }],
    ["500", { status: 500, times: 20 }],
  ])(
    "setMyCommands failing with %s is a warning: the bot answers and stops cleanly",
    async (_, fault) => {
      const { double } = e2e;
      double.failNext("setMyCommands", fault);
      const bot = await e2e.launch({
        DATABASE_PATH: join(e2e.dir, `commands-${fault.status}.sqlite`),
        LOG_LEVEL: "warn",
      });
      const citizen = { id: nextChat++, first_name: "Анна", language_code: "ru" };
      double.sendText(citizen, "/help");
      await double.waitForMessage((m) => m.chat.id === citizen.id, WAIT);
      expect(await bot.stop("SIGTERM")).toBe(0);
      expect(bot.output()).not.toMatch(/^\s+at /m);
      const warnings = logLines(bot).filter((line) => line.method === "setMyCommands");
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      expect(warnings[0]).toMatchObject({ level: 40, nextTryAt: expect.any(String) });
    },
  );

  it("Telegram unreachable: each try logged with the next one's time, /healthz 503 meanwhile, SIGTERM stops it", async () => {
    const { port: healthPort, server: holder } = await occupyPort();
    holder.close();
    // A port nothing listens on: connection refused.
    const { port: deadPort, server: dead } = await occupyPort();
    await new Promise((resolve) => dead.close(resolve));
    const bot = startAgainstDouble({
      TELEGRAM_API_ROOT: `http://127.0.0.1:${deadPort}`,
      HEALTH_PORT: String(healthPort),
    });
    let health: Response | undefined;
    for (const deadline = Date.now() + 20_000; !health; ) {
      if (Date.now() > deadline) throw new Error(`no /healthz:\n${bot.output()}`);
      health = await fetch(`http://127.0.0.1:${healthPort}/healthz`).catch(() => undefined);
      if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health.status).toBe(503);
    const report = (await health.json()) as { failing: string[]; telegram: string };
    expect(report.failing).toContain("Telegram unreachable");
    expect(report.telegram).toMatch(/^unreachable: /);
    for (const deadline = Date.now() + 20_000; logLines(bot).length < 2; ) {
      if (Date.now() > deadline) throw new Error(`fewer than two tries logged:\n${bot.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tries = logLines(bot);
    expect(tries[0]).toMatchObject({ method: "getMe", attempt: 1, nextTryAt: expect.any(String) });
    expect(tries[1]).toMatchObject({ method: "getMe", attempt: 2 });
    expect(await bot.stop("SIGTERM")).toBe(0);
    expect(bot.output()).not.toMatch(/^\s+at /m);
  });

  it("getMe answering 5xx is tried again until it answers, then the bot polls", async () => {
    const { double } = e2e;
    double.failNext("getMe", { status: 502, times: 2 });
    const bot = await e2e.launch({
      DATABASE_PATH: join(e2e.dir, "getme-5xx.sqlite"),
      LOG_LEVEL: "warn",
    });
    const tries = logLines(bot).filter((line) => line.method === "getMe");
    expect(tries.map((line) => line.attempt)).toEqual([1, 2]);
    const citizen = { id: nextChat++, first_name: "Анна", language_code: "ru" };
    double.sendText(citizen, "телефон горячей линии");
    const answer = await double.waitForMessage((m) => m.chat.id === citizen.id, WAIT);
    expect(textOf(answer)).toContain("8 800");
    expect(await bot.stop("SIGTERM")).toBe(0);
  });

  it("a revoked token (getMe 401) is one line that says to get the token from @BotFather", async () => {
    const bot = startAgainstDouble({ BOT_TOKEN: "123456:AAE-revoked-token-0123456789abc" });
    const line = await expectOneLineExit(bot);
    expect(line).toContain("BOT_TOKEN");
    expect(line).toContain("@BotFather");
  });

  it("deleteWebhook refused is one line that says what to do", async () => {
    e2e.double.failNext("deleteWebhook", { status: 400, description: "Bad Request: not allowed" });
    const line = await expectOneLineExit(startAgainstDouble());
    expect(line).toContain("deleteWebhook");
    expect(line).toContain("WEBHOOK_URL");
  });
});

describe("a start-up error is one line and exit 1, before anything else started", () => {
  it.each([
    ["HEALTH_PORT", (port: number) => ({ HEALTH_PORT: String(port) })],
    [
      "PORT",
      (port: number) => ({
        WEBHOOK_URL: `http://127.0.0.1:${port}`,
        WEBHOOK_SECRET: "e2e-webhook-secret-0123456789",
        PORT: String(port),
        HEALTH_PORT: "",
      }),
    ],
  ])("%s already in use names the variable; Telegram is not called", async (variable, env) => {
    const { port, server } = await occupyPort();
    try {
      const since = e2e.double.calls.length;
      const bot = startAgainstDouble({ ...env(port), HEALTH_HOST: "127.0.0.1" });
      const line = await expectOneLineExit(bot);
      expect(line).toContain(`${variable}=${port}`);
      expect(line).toContain("in use");
      expect(e2e.double.calls.slice(since)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("a database that cannot be opened (a directory) is one line; Telegram is not called", async () => {
    const folder = join(e2e.dir, "not-a-file.sqlite");
    mkdirSync(folder);
    const since = e2e.double.calls.length;
    await expectOneLineExit(startAgainstDouble({ DATABASE_PATH: folder }));
    expect(e2e.double.calls.slice(since)).toEqual([]);
  });
});
