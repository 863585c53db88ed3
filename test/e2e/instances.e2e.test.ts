import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotApiDouble, createBotApiDouble, textOf } from "../bot-api-double/index.ts";
import { INTENTS_DIR } from "../knowledge-fixture.ts";
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

  it("reload the knowledge base together: an edit is told to the supervisors once, a /reload reaches every process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "e2e-instances-"));
    try {
      const folder = join(dir, "intents");
      cpSync(INTENTS_DIR, folder, { recursive: true });
      const file = join(folder, "contacts.hotline.yaml");
      const original = readFileSync(file, "utf8");
      const supervisor = { id: 4700, first_name: "Вера", language_code: "ru" };
      const { url } = await freshPostgres();
      const env = {
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: double.apiRoot,
        DATABASE_URL: url,
        KNOWLEDGE_DIR: folder,
        SUPERVISOR_IDS: String(supervisor.id),
        LOG_LEVEL: "info",
      };
      bots.push(startBot(env));
      await double.waitFor((c) => c.method === "getUpdates", WAIT);
      bots.push(startBot(env));
      await double.waitFor(
        () => double.calls.filter((c) => c.method === "getMe").length >= 2,
        WAIT,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      double.sendText(supervisor, "/help");
      await double.waitForMessage((m) => m.chat.id === supervisor.id, WAIT);

      // Both processes see the edit; the supervisor hears of it once.
      const since = double.calls.length;
      writeFileSync(file, original.replace(/(answer:\n {2}ru: \|\n {4})/, "$1Новый текст. "));
      await double.waitForMessage(
        (m) => m.chat.id === supervisor.id && textOf(m).startsWith("✅ База знаний обновлена"),
        { since, ...WAIT },
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const notices = double.calls
        .slice(since)
        .filter(
          (c) =>
            c.method === "sendMessage" &&
            Number(c.params.chat_id) === supervisor.id &&
            String(c.params.text).startsWith("✅"),
        );
      expect(notices).toHaveLength(1);

      // A /reload goes to the poller; the process standing by reloads too.
      double.sendText(supervisor, "/reload");
      await double.waitForMessage(
        (m) => m.chat.id === supervisor.id && textOf(m).startsWith("✅"),
        {
          since: double.calls.length,
          ...WAIT,
        },
      );
      const standby = bots[1] as BotProcess;
      const deadline = Date.now() + 10_000;
      while (!standby.output().includes("knowledge reloaded at another process's word")) {
        if (Date.now() > deadline)
          throw new Error(`the standby did not reload:\n${standby.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
