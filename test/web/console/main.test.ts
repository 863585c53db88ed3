import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createStaff, createStaffAccounts, newToken, tokenHash } from "../../../handoff/index.ts";
import { openStorage } from "../../../handoff/storage/index.ts";
import { startConsole } from "../../../web/console/main.ts";
import { freePort } from "../../free-port.ts";
import { INTENTS_DIR } from "../../knowledge-fixture.ts";
import { PASSWORD } from "./fixture.ts";

// The console as `npm run console` starts it: another process publishing to
// the shared knowledge folder (or anyone editing it) reaches its test pane
// and studio without a restart.

let cleanUp: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanUp.reverse()) await clean();
  cleanUp = [];
});

describe("the console process", () => {
  it("reads the knowledge folder again when its files change", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-main-"));
    cleanUp.push(async () => rmSync(dir, { recursive: true, force: true }));
    const folder = join(dir, "intents");
    cpSync(INTENTS_DIR, folder, { recursive: true });
    const path = join(dir, "console.sqlite");
    const db = await openStorage({ engine: "sqlite", path });
    const { member } = await createStaff(db).add({ login: "eva", name: "Ева", role: "editor" });
    const token = newToken();
    await createStaffAccounts(db).invite(member.id, tokenHash(token), Date.now() + 60_000);
    await db.close();

    const port = await freePort();
    const running = await startConsole({
      CONSOLE_PORT: String(port),
      DATABASE_PATH: path,
      KNOWLEDGE_DIR: folder,
      LOG_LEVEL: "silent",
    });
    cleanUp.push(() => running.stop());
    const origin = running.publicUrl;
    const at = `http://127.0.0.1:${port}`;
    const welcomed = await fetch(`${at}/api/welcome`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ token, password: PASSWORD }),
    });
    const cookie = welcomed.headers.get("set-cookie")?.split(";")[0] ?? "";
    const { csrfToken } = (await (await fetch(`${at}/api/me`, { headers: { cookie } })).json()) as {
      csrfToken: string;
    };
    const answerTo = async (text: string) => {
      const response = await fetch(`${at}/api/try`, {
        method: "POST",
        headers: { "content-type": "application/json", origin, cookie, "x-csrf-token": csrfToken },
        body: JSON.stringify({ text }),
      });
      return ((await response.json()) as { reply: { html?: string } }).reply.html ?? "";
    };
    const question = "телефон горячей линии";
    expect(await answerTo(question)).not.toMatch(/^Новый текст/);

    const file = join(folder, "contacts.hotline.yaml");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.replace(/(answer:\n {2}ru: \|\n {4})/, "$1Новый текст. "));
    let html = "";
    for (let tries = 0; tries < 100 && !html.startsWith("Новый текст"); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      html = await answerTo(question);
    }
    expect(html).toMatch(/^Новый текст\. /);
  });
});
