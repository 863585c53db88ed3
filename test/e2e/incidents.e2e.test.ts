import { join } from "node:path";
import { generate } from "otplib";
import { afterEach, describe, expect, it } from "vitest";
import { createStaff, createStaffAccounts, newToken, tokenHash } from "../../handoff/index.ts";
import { openStorage } from "../../handoff/storage/index.ts";
import { startConsole } from "../../web/console/main.ts";
import { callbackDataOf, textOf } from "../bot-api-double/index.ts";
import { freePort } from "../free-port.ts";
import { freshPostgres } from "../postgres/fresh.ts";
import { PASSWORD, TOTP_SECRET } from "../web/console/fixture.ts";
import { ASKED_AGAIN, askUntil, useBotProcess } from "./e2e-setup.ts";

// The console as `npm run console` starts it and the bot as `npm start`
// does, two processes on one database: an incident posted, updated or
// ended in the console reaches the bot's answers within a couple of
// seconds. On SQLite no signal crosses processes and the bot's one-second
// poll finds it; on PostgreSQL the console's NOTIFY wakes the bot at once.

const e2e = useBotProcess("incidents-e2e-");
let cleanUp: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanUp.reverse()) await clean();
  cleanUp = [];
});
/** "At once" for staff: the bot's next answer, a moment after they saved. */
const A_COUPLE_OF_SECONDS = 3_000;
const citizen = { id: 4301, first_name: "Анна", language_code: "ru" };

async function storage(engine: "sqlite" | "postgres") {
  if (engine === "sqlite") {
    const path = join(e2e.dir, `incidents-${Date.now()}.sqlite`);
    return { config: { engine, path } as const, env: { DATABASE_PATH: path } };
  }
  const { url, drop } = await freshPostgres();
  cleanUp.push(drop);
  return { config: { engine, url, poolSize: 4 } as const, env: { DATABASE_URL: url } };
}

describe.each(["sqlite", "postgres"] as const)("incidents across processes on %s", (engine) => {
  it("reach the running bot within a couple of seconds of each change in the console", async () => {
    const { config, env } = await storage(engine);
    // A supervisor with a password link and a second factor, before either process starts.
    const db = await openStorage(config);
    const { member } = await createStaff(db).add({
      login: "vera",
      name: "Вера",
      role: "supervisor",
    });
    const token = newToken();
    const accounts = createStaffAccounts(db);
    await accounts.invite(member.id, tokenHash(token), Date.now() + 60_000);
    await accounts.setTotp(member.id, TOTP_SECRET, true);
    await db.close();

    const port = await freePort();
    const running = await startConsole({ CONSOLE_PORT: String(port), LOG_LEVEL: "silent", ...env });
    cleanUp.push(() => running.stop());
    const bot = await e2e.launch({ ...env, ...ASKED_AGAIN });
    cleanUp.push(async () => void (await bot.stop("SIGTERM")));
    const at = `http://127.0.0.1:${port}`;
    const origin = running.publicUrl;
    const welcomed = await fetch(`${at}/api/welcome`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({
        token,
        password: PASSWORD,
        code: await generate({ secret: TOTP_SECRET }),
      }),
    });
    expect(welcomed.status).toBe(200);
    const cookie = welcomed.headers.get("set-cookie")?.split(";")[0] ?? "";
    const { csrfToken } = (await welcomed.json()) as { csrfToken: string };
    const post = async (path: string, body: object) => {
      const response = await fetch(`${at}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin, cookie, "x-csrf-token": csrfToken },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { incident: { id: number } };
    };
    const question = "госуслуги не открываются";
    const within = (wanted: (text: string) => boolean) =>
      askUntil(e2e.double, citizen, question, wanted, {
        timeoutMs: A_COUPLE_OF_SECONDS,
        log: e2e.output,
      });
    await askUntil(e2e.double, citizen, question, (text) => text.startsWith("🛠"));

    const incident = {
      noticeRu: "Портал работает с перебоями, чиним",
      broken: "портал",
      intents: ["tech.site_problems"],
    };
    const { incident: posted } = await post("/api/incidents", incident);
    await within((text) => text.startsWith("⚠️ Портал работает с перебоями, чиним"));
    // A question the bot would escalate gets the notice instead, and the
    // operator button, which still reaches a person.
    const since = e2e.double.calls.length;
    e2e.double.sendText(citizen, "госуслуги не работают?");
    const instead = await e2e.double.waitForMessage((m) => m.chat.id === citizen.id, { since });
    expect(textOf(instead).startsWith("⚠️ Портал работает с перебоями, чиним")).toBe(true);
    expect(callbackDataOf(instead)).toEqual(["o"]);
    const pressed = e2e.double.calls.length;
    e2e.double.pressButton(citizen, instead, "o");
    const offer = await e2e.double.waitForMessage(
      (m) => m.chat.id === citizen.id && textOf(m).startsWith("Передать ваш вопрос оператору?"),
      { since: pressed },
    );
    expect(callbackDataOf(offer).length).toBeGreaterThan(0);
    await post(`/api/incidents/${posted.id}`, { ...incident, noticeRu: "Починили почти всё" });
    await within((text) => text.startsWith("⚠️ Починили почти всё"));
    await post(`/api/incidents/${posted.id}/end`, {});
    await within((text) => text.startsWith("🛠"));
  }, 90_000);
});
