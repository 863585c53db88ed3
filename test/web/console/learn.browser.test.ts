// Learning from what went unanswered, in a real browser (Debian's chromium,
// playwright-core) against the real processes: the bot (with the Bot API
// double) escalates citizens' questions into the database it shares with
// the console (`npm run console`'s startConsole); an editor sees them as a
// cluster on the page, adds them to the nearest intent; a publisher
// publishes, and the running bot answers those questions; the history
// shows the lines that publication added. Skipped when chromium is not
// installed; .ci/run installs it.
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "otplib";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createStaff,
  createStaffAccounts,
  newToken,
  type StaffRole,
  tokenHash,
} from "../../../handoff/index.ts";
import { openStorage } from "../../../handoff/storage/index.ts";
import { htmlToText } from "../../../knowledge/index.ts";
import { startConsole } from "../../../web/console/main.ts";
import { textOf } from "../../bot-api-double/index.ts";
import { hasChromium, launchChromium } from "../../chromium.ts";
import { ASKED_AGAIN, askUntil, useBotProcess } from "../../e2e/e2e-setup.ts";
import { freePort } from "../../free-port.ts";
import { INTENTS_DIR, realKnowledgeBase } from "../../knowledge-fixture.ts";
import { newWatch, signedIn } from "./browser-pages.ts";
import { PASSWORD, TOTP_SECRET } from "./fixture.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../web/screenshots/", import.meta.url));
const INTENT = "account.login_recovery";
/** Questions the published knowledge base escalates, nearest to INTENT. */
const ROTTEN = ["пароль протух", "протух пароль от кабинета"];
const citizen = { id: 4201, first_name: "Пётр", language_code: "ru" };
const e2e = useBotProcess("learn-browser-");

describe.skipIf(!hasChromium())(
  "the unanswered questions' page in chromium, with the running bot",
  () => {
    let browser: Browser;
    let folder: string;
    let database: string;
    const watch = newWatch();
    const stops: (() => Promise<void>)[] = [];

    beforeAll(async () => {
      folder = join(e2e.dir, "intents");
      mkdirSync(folder);
      cpSync(INTENTS_DIR, folder, { recursive: true });
      database = join(e2e.dir, "shared.sqlite");
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      for (const stop of stops.reverse()) await stop();
    });

    /** What the bot answers a question, once its reply arrives. */
    const ask = async (question: string) =>
      textOf(await askUntil(e2e.double, citizen, question, () => true));

    /** A staff member with the test password set, through the console as a welcome link does. */
    const staff = async (origin: string, login: string, role: StaffRole) => {
      const db = await openStorage({ engine: "sqlite", path: database });
      const { member } = await createStaff(db).add({ login, name: login, role });
      const token = newToken();
      await createStaffAccounts(db).invite(member.id, tokenHash(token), Date.now() + 60_000);
      const welcomed = await fetch(`${origin}/api/welcome`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify({ token, password: PASSWORD }),
      });
      expect(welcomed.status).toBe(200);
      // A publisher's second factor, once the password is set.
      if (role === "publisher") await createStaffAccounts(db).setTotp(member.id, TOTP_SECRET, true);
      await db.close();
    };

    it("turns escalated questions into examples that the bot, once published, answers", async () => {
      await e2e.launch({ DATABASE_PATH: database, KNOWLEDGE_DIR: folder, ...ASKED_AGAIN });
      const answer = htmlToText(realKnowledgeBase().byId.get(INTENT)?.answer.ru ?? "");
      const phrase = answer.slice(0, 40);
      for (const question of ROTTEN) expect(await ask(question)).not.toContain(phrase);

      const port = await freePort();
      const running = await startConsole({
        CONSOLE_PORT: String(port),
        DATABASE_PATH: database,
        KNOWLEDGE_DIR: folder,
        CONSOLE_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: "silent",
      });
      stops.push(() => running.stop());
      const origin = running.publicUrl;
      await staff(origin, "eva", "editor");
      await staff(origin, "pavel", "publisher");

      const eva = await signedIn(browser, origin, "eva", watch, { landing: "/content" });
      const { page } = eva;
      await page.getByRole("link", { name: "Вопросы без ответа" }).click();
      await page.waitForURL(`${origin}/content/learn`);
      const cluster = page.locator("#clusters > li", { hasText: ROTTEN[0] as string });
      await cluster.getByText(`Ближайшая тема:`).waitFor();
      await expect(cluster.getByText(`(${INTENT})`).count()).resolves.toBeGreaterThan(0);
      // The nearest intent is the one proposed.
      await expect(cluster.getByLabel("Добавить примерами в тему").inputValue()).resolves.toBe(
        INTENT,
      );
      await page.screenshot({ path: `${SCREENSHOTS}learn.png`, fullPage: true });
      await cluster.getByRole("button", { name: "Добавить примерами" }).click();
      await page.locator("#toast", { hasText: "Добавлено в черновик" }).waitFor();
      await page.locator("#decisions li", { hasText: "добавлено в тему" }).waitFor();
      await expect(
        page.locator("#clusters > li", { hasText: ROTTEN[0] as string }).count(),
      ).resolves.toBe(0);
      // Not published: the bot still escalates.
      expect(await ask(ROTTEN[0] as string)).not.toContain(phrase);

      const pavel = await signedIn(browser, origin, "pavel", watch, {
        landing: "/content",
        code: () => generate({ secret: TOTP_SECRET }),
      });
      await pavel.page.getByRole("button", { name: "Проверить перед публикацией" }).click();
      await pavel.page.locator("#publish-plan", { hasText: `${INTENT}.yaml` }).waitFor();
      await pavel.page.getByRole("button", { name: "Опубликовать" }).click();
      await pavel.page.locator("#toast", { hasText: "Опубликовано" }).waitFor();

      // The bot reloads the folder a moment later, and answers each of them.
      for (const question of ROTTEN) {
        await askUntil(e2e.double, citizen, question, (text) => text.includes(phrase));
      }
      // The history shows who published it and the lines it added.
      await pavel.page.goto(`${origin}/content/history`);
      await pavel.page.locator("#publications summary", { hasText: "pavel" }).first().click();
      for (const question of ROTTEN) {
        await pavel.page.locator("pre.diff ins", { hasText: `- ${question}` }).waitFor();
      }
      await pavel.page.screenshot({ path: `${SCREENSHOTS}history.png`, fullPage: true });
      expect(watch.problems).toEqual([]);
      await eva.context.close();
      await pavel.context.close();
    }, 120_000);
  },
);
