import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { textOf } from "../bot-api-double/index.ts";
import { type BotProcess, startBot } from "./bot-process.ts";
import { E2E_TOKEN, useBotProcess } from "./e2e-setup.ts";

const e2e = useBotProcess("e2e-webhook-");
const WAIT = { timeoutMs: 20_000 };
const SECRET = "e2e-webhook-secret-0123456789";
const citizen = { id: 9001, first_name: "Анна", language_code: "ru" };

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

/** The bot in webhook mode on `port`, resolved once it has set its webhook. */
async function launchWebhook(port: number, database: string): Promise<BotProcess> {
  const since = e2e.double.calls.length;
  const bot = startBot({
    BOT_TOKEN: E2E_TOKEN,
    TELEGRAM_API_ROOT: e2e.double.apiRoot,
    DATABASE_PATH: database,
    WEBHOOK_URL: `http://127.0.0.1:${port}`,
    WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    LOG_LEVEL: "info",
  });
  await e2e.double.waitFor((c) => c.method === "setWebhook", { ...WAIT, since });
  return bot;
}

const answersTo = (chatId: number) =>
  e2e.double.calls.filter(
    (c) =>
      c.method === "sendMessage" &&
      Number(c.params.chat_id) === chatId &&
      c.message !== undefined &&
      textOf(c.message).includes("Ответ помог?"),
  ).length;

describe("webhook mode", () => {
  it("answers every request: 400 for malformed JSON or null, 413 for a body too large", async () => {
    const port = await freePort();
    const bot = await launchWebhook(port, join(e2e.dir, "bodies.sqlite"));
    const post = (body: string | Uint8Array) =>
      fetch(`http://127.0.0.1:${port}/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body,
        // Not a measure of speed: without an answer the request would wait forever.
        signal: AbortSignal.timeout(15_000),
      });
    expect((await post("{not json")).status).toBe(400);
    expect((await post("null")).status).toBe(400);
    expect((await post(new Uint8Array(2 * 1024 * 1024).fill(97))).status).toBe(413);
    expect(await bot.stop("SIGTERM")).toBe(0);
  });

  it("SIGTERM with an update in hand answers it first; after a restart it is not answered again", async () => {
    const { double } = e2e;
    const port = await freePort();
    const database = join(e2e.dir, "in-hand.sqlite");
    const bot = await launchWebhook(port, database);
    const answers = double.hold("sendMessage");
    double.sendText(citizen, "телефон горячей линии");
    await answers.waitForHeld(1, WAIT);
    bot.child.kill("SIGTERM");
    for (
      const deadline = Date.now() + WAIT.timeoutMs;
      !bot.output().includes("stopping: finishing");
    ) {
      if (Date.now() > deadline) throw new Error(`no stopping line:\n${bot.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await answers.release();
    expect(await bot.exited).toBe(0);
    // Answered 200 before the stop: Telegram does not deliver it again.
    expect(double.pendingUpdates).toHaveLength(0);

    const again = await launchWebhook(port, database);
    double.sendText({ id: 9002, first_name: "Пётр", language_code: "ru" }, "телефон горячей линии");
    await double.waitFor(() => answersTo(9002) === 1, WAIT);
    expect(await again.stop("SIGTERM")).toBe(0);
    expect(answersTo(citizen.id)).toBe(1);
    expect(bot.output() + again.output()).not.toContain("connection is not open");
  });
});
