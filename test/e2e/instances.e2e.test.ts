import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotApiDouble, createBotApiDouble, textOf } from "../bot-api-double/index.ts";
import { freshPostgres } from "../postgres/fresh.ts";
import { type BotProcess, startBot } from "./bot-process.ts";

const TOKEN = "123456:AAE-e2e-token-0123456789abcdef";
const WAIT = { timeoutMs: 20_000 };

let double: BotApiDouble;
const bots: BotProcess[] = [];
beforeEach(async () => {
  double = createBotApiDouble({ token: TOKEN });
  await double.start();
});
afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.stop("SIGKILL");
  await double.stop();
});

const conflicts = (since = 0) =>
  double.calls
    .slice(since)
    .filter(
      (c) => c.method === "getUpdates" && c.response?.ok === false && c.response.error_code === 409,
    );

describe("several bot processes on one PostgreSQL database, long polling", () => {
  it("poll from one process at a time; another takes over when the poller is killed", async () => {
    const { url } = await freshPostgres();
    const env = { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: double.apiRoot, DATABASE_URL: url };
    bots.push(startBot(env));
    await double.waitFor((c) => c.method === "getUpdates", WAIT);
    bots.push(startBot(env), startBot(env));
    // The others have started (each called getMe) and stand by.
    await double.waitFor(() => double.calls.filter((c) => c.method === "getMe").length >= 3, WAIT);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(conflicts()).toEqual([]);

    const citizen = { id: 4001, first_name: "Анна", language_code: "ru" };
    double.sendText(citizen, "/start");
    // The greeting and the topic menu; then the update is marked handled (a
    // kill in the middle of handling would answer it again after takeover).
    await double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).includes("Выберите тему"),
      WAIT,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    // The poller dies; within seconds another polls, and nothing is answered twice.
    const [poller] = bots.splice(0, 1);
    await poller?.stop("SIGKILL");
    const afterKill = double.calls.length;
    double.sendText(citizen, "/help");
    await double.waitForMessage((m) => m.chat.id === citizen.id && textOf(m).length > 0, {
      since: afterKill,
      ...WAIT,
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(conflicts(afterKill)).toEqual([]);
    const answers = double.calls
      .slice(afterKill)
      .filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === citizen.id);
    expect(answers).toHaveLength(1);
  });
});
