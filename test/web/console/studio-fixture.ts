import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "otplib";
import { afterEach } from "vitest";
import type { LabelledQuestion } from "../../../knowledge/index.ts";
import { INTENTS_DIR } from "../../knowledge-fixture.ts";
import { setUpConsole, TOTP_SECRET } from "./fixture.ts";

/**
 * A test file's `studio`: a console (setUpConsole) on a copy of the real
 * knowledge folder (publishing writes it), with `publisher(login)` to sign
 * a publisher in with a second factor; closed and removed after each test.
 */
export function studioPerTest(options: { devSet?: () => readonly LabelledQuestion[] } = {}) {
  let cleanUp: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const clean of cleanUp) await clean();
    cleanUp = [];
  });
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), "studio-"));
    cpSync(INTENTS_DIR, folder, { recursive: true });
    const console = await setUpConsole(undefined, { knowledgeFolder: folder, ...options });
    cleanUp.push(async () => {
      await console.app.close();
      rmSync(folder, { recursive: true, force: true });
    });
    const publisher = async (login: string, name = login) => {
      const id = await console.addStaff(login, "publisher", name);
      await console.accounts.setTotp(id, TOTP_SECRET, true);
      return console.signIn(login, await generate({ secret: TOTP_SECRET }));
    };
    return { ...console, folder, publisher };
  };
}
