import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { textOf } from "../bot-api-double/index.ts";
import { INTENTS_DIR } from "../knowledge-fixture.ts";
import { useBotProcess } from "./e2e-setup.ts";

const citizen = { id: 3001, first_name: "Анна", language_code: "ru" };
const supervisor = { id: 3700, first_name: "Вера", language_code: "ru" };
const e2e = useBotProcess("e2e-reload-");

describe("live reload in the running bot", () => {
  it("serves an edited answer, refuses a broken edit, and tells the supervisor both times", async () => {
    const { double } = e2e;
    const folder = join(e2e.dir, "intents");
    cpSync(INTENTS_DIR, folder, { recursive: true });
    const file = join(folder, "contacts.hotline.yaml");
    const original = readFileSync(file, "utf8");
    const bot = await e2e.launch({
      DATABASE_PATH: join(e2e.dir, "bot.sqlite"),
      KNOWLEDGE_DIR: folder,
      SUPERVISOR_IDS: String(supervisor.id),
    });
    // Telegram only delivers to people who have written to the bot.
    double.sendText(supervisor, "/help");
    await double.waitForMessage((m) => m.chat.id === supervisor.id);

    writeFileSync(file, original.replace(/(answer:\n {2}ru: \|\n {4})/, "$1Новый текст. "));
    await double.waitForMessage(
      (m) => m.chat.id === supervisor.id && textOf(m).startsWith("✅ База знаний обновлена"),
      { timeoutMs: 15_000 },
    );
    double.sendText(citizen, "телефон горячей линии");
    const answer = await double.waitForMessage((m) => m.chat.id === citizen.id);
    expect(textOf(answer)).toMatch(/^Новый текст\. /);

    writeFileSync(file, original.replace(/^id: .*$/m, "id: 42"));
    const refused = await double.waitForMessage(
      (m) =>
        m.chat.id === supervisor.id && textOf(m).startsWith("⚠️ Изменение базы знаний не принято"),
      { timeoutMs: 15_000 },
    );
    expect(textOf(refused)).toContain("contacts.hotline.yaml: id:");
    const since = double.calls.length;
    double.sendText(citizen, "телефон горячей линии");
    const still = await double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).startsWith("Новый текст."),
      { since, timeoutMs: 10_000 },
    );
    expect(textOf(still)).toContain("8 800");

    // SIGHUP reloads on demand: the file fixed again, the original answer is back.
    writeFileSync(file, original);
    await double.waitForMessage((m) => m.chat.id === supervisor.id && textOf(m).startsWith("✅"), {
      since,
      timeoutMs: 15_000,
    });
    bot.child.kill("SIGHUP");
    await double.waitForMessage((m) => m.chat.id === supervisor.id && textOf(m).startsWith("✅"), {
      since: double.calls.length,
      timeoutMs: 15_000,
    });
    expect(await bot.stop("SIGTERM")).toBe(0);
  });
});
