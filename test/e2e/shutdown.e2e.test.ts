import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { textOf } from "../bot-api-double/index.ts";
import type { BotProcess } from "./bot-process.ts";
import { useBotProcess } from "./e2e-setup.ts";

const e2e = useBotProcess("e2e-shutdown-");
const WAIT = { timeoutMs: 20_000 };
const CITIZENS = 100;

const citizens = (first: number) =>
  Array.from({ length: CITIZENS }, (_, i) => ({
    id: first + i,
    first_name: `Гражданин ${i}`,
    language_code: "ru",
  }));

/** How many answers (the message with "Ответ помог?") each chat got, as Telegram saw them. */
function answersPerChat(first: number): number[] {
  const counts = new Map<number, number>();
  for (const call of e2e.double.calls) {
    if (call.method !== "sendMessage" || !call.message) continue;
    if (!textOf(call.message).includes("Ответ помог?")) continue;
    const chat = Number(call.params.chat_id);
    counts.set(chat, (counts.get(chat) ?? 0) + 1);
  }
  return Array.from({ length: CITIZENS }, (_, i) => counts.get(first + i) ?? 0);
}

async function until(what: string, bot: BotProcess, done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + WAIT.timeoutMs; !done(); ) {
    if (Date.now() > deadline) throw new Error(`${what}:\n${bot.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const inboxRows = (database: string) => {
  const db = new Database(database, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM inbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** A clean restart that answers what is left, then a clean stop, so nothing more is sent. */
async function restartAndDrain(database: string, first: number) {
  const bot = await e2e.launch({ DATABASE_PATH: database, LOG_LEVEL: "info" });
  await until("not every citizen was answered after the restart", bot, () =>
    answersPerChat(first).every((n) => n >= 1),
  );
  await until(
    "updates still pending at Telegram",
    bot,
    () => e2e.double.pendingUpdates.length === 0,
  );
  expect(await bot.stop("SIGTERM")).toBe(0);
  expect(inboxRows(database)).toBe(0);
  return bot;
}

describe("SIGTERM with updates in hand (long polling)", () => {
  it("finishes them before closing the database: after a restart every citizen is answered exactly once", async () => {
    const { double } = e2e;
    const database = join(e2e.dir, "in-hand.sqlite");
    const first = 7000;
    const bot = await e2e.launch({ DATABASE_PATH: database, LOG_LEVEL: "info" });
    const answers = double.hold("sendMessage");
    for (const citizen of citizens(first)) double.sendText(citizen, "телефон горячей линии");
    await answers.waitForHeld(20, WAIT);
    bot.child.kill("SIGTERM");
    await until("no stopping line", bot, () => bot.output().includes("stopping: finishing"));
    // Telegram answers now, after the stop was asked for: the bot must wait for it.
    await answers.release();
    expect(await bot.exited).toBe(0);

    const after = await restartAndDrain(database, first);
    expect(answersPerChat(first)).toEqual(Array(CITIZENS).fill(1));
    expect(bot.output() + after.output()).not.toContain("connection is not open");
  });

  it("a hung Telegram does not keep the process alive; what it held is answered once after the restart", async () => {
    const { double } = e2e;
    const database = join(e2e.dir, "hung.sqlite");
    const first = 8000;
    const bot = await e2e.launch({ DATABASE_PATH: database, LOG_LEVEL: "info" });
    const hung = double.hold("sendMessage");
    for (const citizen of citizens(first)) double.sendText(citizen, "телефон горячей линии");
    await hung.waitForHeld(20, WAIT);
    // Telegram never answers these: the deadline abandons them (never sent).
    expect(await bot.stop("SIGTERM")).not.toBeNull();
    expect(bot.output()).toContain("abandoning the Bot API calls in flight");
    hung.drop();

    const after = await restartAndDrain(database, first);
    expect(answersPerChat(first)).toEqual(Array(CITIZENS).fill(1));
    expect(bot.output() + after.output()).not.toContain("connection is not open");
  });
});

describe("SIGTERM with an outbox message in flight", () => {
  it("waits for its send and records it: not sent again after the restart", async () => {
    const { double } = e2e;
    const database = join(e2e.dir, "outbox.sqlite");
    const supervisor = { id: 9500, first_name: "Ольга", language_code: "ru" };
    const env = {
      DATABASE_PATH: database,
      LOG_LEVEL: "info",
      SUPERVISOR_IDS: String(supervisor.id),
    };
    const toSupervisor = () =>
      double.calls.filter(
        (c) => c.method === "sendMessage" && Number(c.params.chat_id) === supervisor.id,
      ).length;
    const bot = await e2e.launch(env);
    // Telegram sends only to a user who wrote to the bot first.
    double.sendText(supervisor, "/help");
    await double.waitFor(() => toSupervisor() >= 1, WAIT);
    const before = toSupervisor();
    const relay = double.hold(
      (method, params) => method === "sendMessage" && Number(params.chat_id) === supervisor.id,
    );
    // A reload's report to the supervisors leaves through the outbox.
    bot.child.kill("SIGHUP");
    await relay.waitForHeld(1, WAIT);
    bot.child.kill("SIGTERM");
    await until("no stopping line", bot, () => bot.output().includes("stopping: finishing"));
    await relay.release();
    expect(await bot.exited).toBe(0);
    expect(toSupervisor()).toBe(before + 1);
    const db = new Database(database, { readonly: true });
    const unsent = db.prepare("SELECT id, state FROM outbox WHERE state <> 'sent'").all();
    db.close();
    expect(unsent).toEqual([]);

    const again = await e2e.launch(env);
    expect(await again.stop("SIGTERM")).toBe(0);
    expect(toSupervisor()).toBe(before + 1);
    expect(bot.output() + again.output()).not.toContain("connection is not open");
  });
});
