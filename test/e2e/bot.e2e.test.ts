import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type BotApiDouble,
  callbackDataOf,
  createBotApiDouble,
  textOf,
} from "../bot-api-double/index.ts";
import { type BotProcess, startBot } from "./bot-process.ts";

const TOKEN = "123456:AAE-e2e-token-0123456789abcdef";
const citizen = { id: 1001, first_name: "Анна", language_code: "ru" };
const englishUser = { id: 1002, first_name: "John", language_code: "en" };

let double: BotApiDouble;
let dir: string;
let bot: BotProcess | undefined;

beforeAll(async () => {
  double = createBotApiDouble({ token: TOKEN });
  await double.start();
  dir = mkdtempSync(join(tmpdir(), "e2e-"));
});
afterEach(async () => {
  await bot?.stop("SIGKILL");
  bot = undefined;
});
afterAll(async () => {
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Starts the program and resolves once it is polling for updates (a long
// poll is pending, so it is seen among the calls before it completes).
async function launch(database = join(dir, "bot.sqlite")) {
  const before = double.calls.length;
  bot = startBot({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: double.apiRoot, DATABASE_PATH: database });
  const deadline = Date.now() + 20_000;
  while (!double.calls.slice(before).some((call) => call.method === "getUpdates")) {
    if (Date.now() > deadline) throw new Error(`the bot did not start polling:\n${bot.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return bot;
}

describe("the bot as a process against the Bot API double", () => {
  it("registers its commands, greets with a menu, answers in both languages and stores feedback", async () => {
    const database = join(dir, "feedback.sqlite");
    await launch(database);
    expect(double.calls.some((c) => c.method === "setMyCommands")).toBe(true);

    double.sendText(citizen, "/start");
    const menu = await double.waitForMessage(
      (m) => m.chat.id === citizen.id && callbackDataOf(m).includes("t:account"),
    );
    expect(callbackDataOf(menu)).toContain("o");

    double.sendText(citizen, "как восстановить пароль от госуслуг");
    const answer = await double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).includes("Ответ помог?"),
    );
    expect(callbackDataOf(answer)).toContain("f:1:account.login_recovery");

    double.pressButton(citizen, answer, "f:1:account.login_recovery");
    await double.waitFor((c) => c.method === "answerCallbackQuery");

    double.sendText(englishUser, "What is the support phone number?");
    const english = await double.waitForMessage((m) => m.chat.id === englishUser.id);
    expect(textOf(english)).toContain("Did this help?");

    await bot?.stop("SIGTERM");
    const db = new Database(database, { readonly: true });
    const rows = db.prepare("SELECT intent, helpful FROM feedback").all();
    db.close();
    expect(rows).toEqual([{ intent: "account.login_recovery", helpful: 1 }]);
  });

  it("answers stickers and files politely and survives a 429 storm", async () => {
    await launch();
    double.sendSticker(citizen);
    await double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).includes("только текстовые"),
    );
    double.sendDocument(citizen, {
      fileName: "a.zip",
      mimeType: "application/zip",
      fileSize: 1000,
    });
    await double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).includes("JPEG, PNG и PDF"),
    );

    double.failNext("sendMessage", { status: 429, retryAfter: 1, times: 3 });
    double.sendText(citizen, "телефон горячей линии");
    const answer = await double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).includes("Ответ помог?"),
      { timeoutMs: 15_000 },
    );
    expect(textOf(answer)).toMatch(/\d/);
  });

  it("goes on with a conversation over a restart, and answers what arrived while it was down", async () => {
    const database = join(dir, "restart.sqlite");
    const user = { id: 1003, first_name: "Пётр", language_code: "ru" };
    await launch(database);
    double.sendText(user, "не могу войти в личный кабинет, забыл пароль");
    const before = await double.waitForMessage(
      (m) => m.chat.id === user.id && textOf(m).includes("Ответ помог?"),
    );
    const followUp = callbackDataOf(before).find((data) => data?.startsWith("a:"));
    if (!followUp) throw new Error("the answer has no follow-up button");
    await bot?.stop("SIGKILL");

    double.sendText(user, "часы работы поддержки");
    await launch(database);
    await double.waitForMessage((m) => m.chat.id === user.id && textOf(m).includes("пн–пт"), {
      timeoutMs: 15_000,
    });
    // A button of a message sent before the restart still works.
    const since = double.calls.length;
    double.pressButton(user, before, followUp);
    const followed = await double.waitForMessage(
      (m) => m.chat.id === user.id && textOf(m).includes("Ответ помог?"),
      { since, timeoutMs: 15_000 },
    );
    expect(callbackDataOf(followed)).toContain(`f:1:${followUp.slice(2)}`);
  });

  it("exits with instructions when there is no token", async () => {
    const process = startBot({ TELEGRAM_API_ROOT: double.apiRoot });
    expect(await process.exited).toBe(1);
    expect(process.output()).toContain("@BotFather");
    expect(process.output()).toContain("npm run chat");
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe("webhook mode and shutdown", () => {
  it("takes updates by webhook with the secret header and refuses requests without it", async () => {
    const port = await freePort();
    const secret = "e2e-webhook-secret-0123456789";
    bot = startBot({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: double.apiRoot,
      DATABASE_PATH: join(dir, "webhook.sqlite"),
      WEBHOOK_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_SECRET: secret,
      PORT: String(port),
    });
    const set = await double.waitFor((c) => c.method === "setWebhook", { timeoutMs: 20_000 });
    expect(set.params.url).toBe(`http://127.0.0.1:${port}/telegram`);
    expect(set.params.secret_token).toBe(secret);

    double.sendText(citizen, "номер горячей линии госуслуг");
    await double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).includes("Ответ помог?"),
      {
        timeoutMs: 15_000,
      },
    );

    const forged = await fetch(`http://127.0.0.1:${port}/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        update_id: 999_999,
        message: { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "hi" },
      }),
    });
    expect(forged.status).toBe(401);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    const process = await launch(join(dir, "sigterm.sqlite"));
    expect(await process.stop("SIGTERM")).toBe(0);
  });
});
