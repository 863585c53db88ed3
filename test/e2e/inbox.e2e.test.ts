import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useBotProcess } from "./e2e-setup.ts";

const citizen = { id: 4001, first_name: "Анна", language_code: "ru" };
const WAIT = { timeoutMs: 15_000 };
const e2e = useBotProcess("e2e-inbox-");

const repliesTo = (chatId: number) =>
  e2e.double.calls.filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === chatId);

describe("updates confirmed to Telegram but not yet handled at a crash", () => {
  it("are handled after the restart, each once", async () => {
    const { double } = e2e;
    const database = join(e2e.dir, "bot.sqlite");
    const bot = await e2e.launch({ DATABASE_PATH: database });
    // The first answer never gets through, so the chat's later questions wait
    // behind it, already fetched, while the runner asks for more updates and so
    // tells Telegram that all three arrived.
    const stuck = double.hold(
      (method, params) => method === "sendMessage" && Number(params.chat_id) === citizen.id,
    );
    double.sendText(citizen, "телефон горячей линии");
    await stuck.waitForHeld(1, WAIT);
    double.sendText(citizen, "как восстановить пароль");
    const last = double.sendText(citizen, "сколько делается загранпаспорт").update_id;
    await double.waitFor((c) => c.method === "getUpdates" && Number(c.params.offset) > last, WAIT);
    expect(double.pendingUpdates).toHaveLength(0);

    expect(await bot.stop("SIGKILL")).toBe(null);
    stuck.drop();
    expect(repliesTo(citizen.id)).toHaveLength(0);
    const saved = new Database(database, { readonly: true });
    expect(saved.prepare("SELECT count(*) AS n FROM inbox").get()).toEqual({ n: 3 });
    saved.close();

    await e2e.launch({ DATABASE_PATH: database });
    await double.waitFor(() => repliesTo(citizen.id).length >= 3, WAIT);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answers = repliesTo(citizen.id).map((c) => String(c.params.text));
    expect(answers).toHaveLength(3);
    expect(answers[0]).toContain("8 800");
    const after = new Database(database, { readonly: true });
    expect(after.prepare("SELECT count(*) AS n FROM inbox").get()).toEqual({ n: 0 });
    after.close();
  });
});
