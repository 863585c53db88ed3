// The content studio in a real browser (Debian's chromium, playwright-core)
// against the real bot process and the Bot API double, sharing one
// knowledge folder: an editor fixes an answer, sees a broken link refused at
// its field, saves the draft; an editor cannot publish; a publisher sees
// what changes and publishes, and the running bot answers a citizen with the
// new text; a restore brings the old answer back. Skipped when chromium is
// not installed; .ci/run installs it.
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlToText, readLabelled } from "../../../knowledge/index.ts";
import { DEFAULT_DEV_SET } from "../../../web/console/config.ts";
import { hasChromium, launchChromium } from "../../chromium.ts";
import { ASKED_AGAIN, askUntil, useBotProcess } from "../../e2e/e2e-setup.ts";
import { INTENTS_DIR, realKnowledgeBase } from "../../knowledge-fixture.ts";
import { newWatch, signedIn, signedInPublisher } from "./browser-pages.ts";
import { listeningConsole } from "./fixture.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../web/screenshots/", import.meta.url));
const INTENT = "account.login_recovery";
const citizen = { id: 4101, first_name: "Анна", language_code: "ru" };
const e2e = useBotProcess("studio-browser-");

describe.skipIf(!hasChromium())("the content studio in chromium, with the running bot", () => {
  let browser: Browser;
  let origin: string;
  let console: Awaited<ReturnType<typeof listeningConsole>>["console"];
  let close: () => Promise<void>;
  let folder: string;
  const watch = newWatch();

  beforeAll(async () => {
    folder = join(e2e.dir, "intents");
    mkdirSync(folder);
    cpSync(INTENTS_DIR, folder, { recursive: true });
    ({ console, origin, close } = await listeningConsole({
      knowledgeFolder: folder,
      devSet: () => readLabelled(DEFAULT_DEV_SET),
    }));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  /** The bot's answer once it has `includes` (a publication reaches it when it has reloaded the folder). */
  const botAnswers = (question: string, includes: string) =>
    askUntil(e2e.double, citizen, question, (text) => text.includes(includes), {
      log: e2e.output,
    });

  it("takes an answer from an editor's draft to the running bot, and back by a restore", async () => {
    await e2e.launch({
      DATABASE_PATH: join(e2e.dir, "bot.sqlite"),
      KNOWLEDGE_DIR: folder,
      ...ASKED_AGAIN,
    });
    // A phrase of the published answer, as the citizen reads it.
    const published = htmlToText(realKnowledgeBase().byId.get(INTENT)?.answer.ru ?? "");
    const old = published.slice(published.indexOf("Забыли"), published.indexOf("?"));
    expect(old.length).toBeGreaterThan(20);
    await botAnswers("забыл пароль от госуслуг", old);

    await console.addStaff("eva", "editor", "Ева");
    const eva = await signedIn(browser, origin, "eva", watch, { landing: "/content" });
    const { page } = eva;
    await page.getByLabel("Найти тему").fill("забыл пароль");
    await page.locator("#intents li", { hasText: INTENT }).click();
    const ru = page.getByLabel("Ответ по-русски");
    await ru.waitFor();

    // A link that is not official: refused at its field as one types, and on saving.
    await ru.fill('Сбросьте пароль <a href="http://example.com">здесь</a>.');
    await page.locator("#answer-ru-error", { hasText: "official domain" }).waitFor();
    await page.getByRole("button", { name: "Сохранить черновик" }).click();
    await page.locator("#toast", { hasText: "Черновик не сохранён" }).waitFor();
    await expect(ru.getAttribute("aria-invalid")).resolves.toBe("true");

    // Fixed, with a reference offered as it is typed; the preview fills it.
    await ru.fill("Сбросьте пароль на странице восстановления. Горячая линия: ");
    await ru.press("End");
    await page.keyboard.type("{{phone.hot");
    await page.getByRole("button", { name: "{{phone.hotline}}" }).click();
    await expect.poll(() => page.locator("#answer-ru-error").textContent()).toBe("");
    await page.locator("#preview", { hasText: "Горячая линия: 8 800" }).waitFor();
    await page.getByRole("button", { name: "Сохранить черновик" }).click();
    await page.locator("#toast", { hasText: "Черновик сохранён" }).waitFor();
    // An example added by Enter goes into the same draft.
    await page.getByLabel("Новый пример").fill("пароль от госуслуг не подходит, что делать");
    await page.getByLabel("Новый пример").press("Enter");
    await page.locator("#toast", { hasText: "Пример добавлен" }).waitFor();
    await page
      .locator("#examples-ru li", { hasText: "пароль от госуслуг не подходит, что делать" })
      .waitFor();
    // The page as it opens (the examples' field has scrolled it down).
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: `${SCREENSHOTS}content.png` });
    // An editor has no publishing, on the page or through the API.
    await expect(
      page.getByRole("button", { name: "Проверить перед публикацией" }).isVisible(),
    ).resolves.toBe(false);
    const csrf = (await (await page.request.get(`${origin}/api/me`)).json()).csrfToken;
    const forged = await page.request.post(`${origin}/api/content/publish`, {
      headers: { origin, "x-csrf-token": csrf },
      data: {},
    });
    expect(forged.status()).toBe(403);
    // Not published yet: the bot still answers the old text.
    await botAnswers("забыл пароль от госуслуг", old);

    // The publisher sees what changes, and publishes; the bot answers anew.
    const pavel = await signedInPublisher(browser, origin, console, "pavel", "Павел", watch);
    await pavel.page.getByRole("button", { name: "Проверить перед публикацией" }).click();
    await pavel.page.locator("#publish-plan", { hasText: `${INTENT}.yaml` }).waitFor();
    await pavel.page.locator("#publish-plan", { hasText: "верных ответов" }).waitFor();
    await pavel.page.screenshot({ path: `${SCREENSHOTS}content-publish.png`, fullPage: true });
    await pavel.page.getByRole("button", { name: "Опубликовать" }).click();
    await pavel.page.locator("#toast", { hasText: "Опубликовано" }).waitFor();
    await botAnswers("забыл пароль от госуслуг", "Сбросьте пароль на странице восстановления");

    // Restored from the history, reached from the studio's list: the old answer is back in the bot.
    pavel.page.on("dialog", (dialog) => void dialog.accept());
    await pavel.page.getByRole("link", { name: "изменения и возврат" }).first().click();
    await pavel.page.waitForURL(/\/content\/history#p\d+$/);
    await pavel.page
      .getByRole("button", { name: /^Вернуть как было до №/ })
      .first()
      .click();
    await pavel.page.locator("#toast", { hasText: "Восстановлено" }).waitFor();
    await botAnswers("забыл пароль от госуслуг", old);
    expect(watch.problems).toEqual([]);
    await eva.context.close();
    await pavel.context.close();
  }, 120_000);
});
