import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../handoff/sqlite/migrations.ts";
import { startBot } from "./bot-process.ts";
import { E2E_TOKEN, useBotProcess } from "./e2e-setup.ts";

const citizen = { id: 4101, first_name: "Олег", language_code: "ru" };
const WAIT = { timeoutMs: 40_000 };
const e2e = useBotProcess("e2e-storage-");

const repliesTo = (chatId: number) =>
  e2e.double.calls.filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === chatId);

describe("the bot process when its database fails", () => {
  it("deleted under it: keeps answering, says so on /healthz, a crash then loses nothing", async () => {
    const { double } = e2e;
    const database = join(e2e.dir, "deleted.sqlite");
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const env = { DATABASE_PATH: database, HEALTH_PORT: port };
    const bot = await e2e.launch(env);
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await health()).body.database).toBe("writable");
    for (const file of [database, `${database}-wal`, `${database}-shm`])
      rmSync(file, { force: true });

    // Answered without a write: Telegram may forget it once the answer went out.
    const first = double.sendText(citizen, "телефон горячей линии").update_id;
    await double.waitFor(() => repliesTo(citizen.id).length >= 1, WAIT);
    expect(String(repliesTo(citizen.id)[0]?.params.text)).toContain("8 800");
    expect(await health()).toMatchObject({
      status: 503,
      body: { failing: ["database file missing"], database: expect.stringContaining(database) },
    });

    // One still in the bot's hands (its answer held) stays Telegram's, as the
    // inbox cannot keep it: polled again and again from an offset that keeps it.
    const stuck = double.hold(
      (method, params) => method === "sendMessage" && Number(params.chat_id) === citizen.id,
    );
    const second = double.sendText(citizen, "как восстановить пароль").update_id;
    await stuck.waitForHeld(1, WAIT);
    const since = double.calls.length;
    await double.waitFor((c) => c.method === "getUpdates" && c.index >= since + 1, WAIT);
    // (The first one too: the offset can only move past a whole batch.)
    expect(double.pendingUpdates.map((u) => u.update_id)).toEqual([first, second]);
    expect(bot.child.exitCode).toBeNull();

    // A crash now loses nothing: after the restart (here on a new, empty
    // file) Telegram delivers it again and it is answered.
    expect(await bot.stop("SIGKILL")).toBe(null);
    stuck.drop();
    const restart = double.calls.length;
    await e2e.launch(env);
    await double.waitFor(
      (c) => c.method === "getUpdates" && Number(c.params.offset) > second,
      WAIT,
    );
    expect(double.pendingUpdates).toHaveLength(0);
    // Both handled again (the first one twice in all: at least once, never
    // lost). The offset moves once the batch is saved, before it is handled,
    // so the answers may come after that getUpdates.
    const answersSinceRestart = () =>
      double.calls
        .slice(restart)
        .filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === citizen.id);
    await double.waitFor(() => answersSinceRestart().length >= 2, WAIT);
    expect(answersSinceRestart()).toHaveLength(2);
    expect((await health()).status).toBe(200);
  });

  it.each([
    [
      "not a SQLite file",
      (path: string) => writeFileSync(path, "somebody's notes, not a database\n".repeat(200)),
      "is damaged or not a SQLite file",
    ],
    [
      "a schema newer than the code",
      (path: string) => {
        const db = new Database(path);
        db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
        db.close();
      },
      "newer than this code knows",
    ],
  ])("exits 1 before polling on a database that is %s, naming the file", async (_, make, says) => {
    const path = join(e2e.dir, `refused-${Math.random().toString(36).slice(2)}.sqlite`);
    make(path);
    const since = e2e.double.calls.length;
    const bot = startBot({
      BOT_TOKEN: E2E_TOKEN,
      TELEGRAM_API_ROOT: e2e.double.apiRoot,
      DATABASE_PATH: path,
    });
    expect(await bot.exited).toBe(1);
    const output = bot.output();
    expect(output).toContain(path);
    expect(output).toContain(says);
    // One line that says it, no stack trace.
    const refusal = output.split("\n").filter((line) => line.includes(path));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatch(/^Cannot start: /);
    expect(output).not.toMatch(/^\s+at /m);
    expect(e2e.double.calls.slice(since).filter((c) => c.method === "getUpdates")).toEqual([]);
  });
});
