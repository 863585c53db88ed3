// The rest of the studio's editing in chromium (playwright-core): an editor
// fixes an answer and an intent's title, sees a broken link button refused
// at its field, fixes it and saves; another editor who opened the intent
// before is told who saved and reloads; an editor creates an intent (how
// many examples are still needed said at the field, a reference chosen by
// keyboard) and changes the hotline's number in the directory (removing
// it is refused, naming the intents that use it); a publisher publishes,
// and the folder passes `kb check` with only the changed lines differing.
// Skipped when chromium is not installed; .ci/run installs it.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { readLabelled } from "../../../knowledge/index.ts";
import { DEFAULT_DEV_SET } from "../../../web/console/config.ts";
import { hasChromium } from "../../chromium.ts";
import { INTENTS_DIR } from "../../knowledge-fixture.ts";
import { lineDiff } from "../../line-diff.ts";
import { runScript } from "../../scripts/run-script.ts";
import { chromiumAndConsole, newWatch, signedIn, signedInPublisher } from "./browser-pages.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../web/screenshots/", import.meta.url));
const INTENT = "contacts.hotline";

describe.skipIf(!hasChromium())(
  "editing an intent, a new intent and the directory in chromium",
  () => {
    const folder = mkdtempSync(join(tmpdir(), "studio-editing-browser-"));
    cpSync(INTENTS_DIR, folder, { recursive: true });
    const on = chromiumAndConsole({
      knowledgeFolder: folder,
      devSet: () => readLabelled(DEFAULT_DEV_SET),
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    const watch = newWatch();

    /** Presses `name` and waits for the toast to say `says` (cleared first: the same words may be there). */
    const press = async (page: Page, name: string, says: string) => {
      await page.locator("#toast").evaluate((toast) => {
        toast.textContent = "";
      });
      await page.getByRole("button", { name, exact: true }).click();
      await page.locator("#toast", { hasText: says }).waitFor();
    };

    it("takes an editor's edits through the page to a publication that passes kb check", async () => {
      const { browser, origin, console } = on;
      await console.addStaff("eva", "editor", "Ева");
      await console.addStaff("ivan", "editor", "Иван");
      const eva = await signedIn(browser, origin, "eva", watch, {
        landing: "/content",
      });
      const ivan = await signedIn(browser, origin, "ivan", watch, { landing: "/content" });
      const { page } = eva;
      for (const { page: p } of [eva, ivan]) {
        await p.locator("#intents li", { hasText: `(${INTENT})` }).click();
        await p.getByLabel("Название по-русски").waitFor();
      }

      // The answer fixed, the title changed, a link button added with a broken address.
      const ru = page.getByLabel("Ответ по-русски");
      await ru.fill(
        "📞 Горячая линия: <b>{{phone.hotline}}</b>, звонок бесплатный. {{open.operators}}",
      );
      await press(page, "Сохранить черновик", "Черновик сохранён");
      await page.getByLabel("Название по-русски").fill("Горячая линия Госуслуг");
      await page.getByRole("button", { name: "Добавить ссылку" }).click();
      await page.getByLabel("Текст ссылки 2 по-русски").fill("Обратная связь");
      await page.getByLabel("Текст ссылки 2 по-английски").fill("Feedback");
      await page.getByLabel("Адрес ссылки 2").fill("http://www.gosuslugi.ru/feedback");
      await page.getByRole("button", { name: "Сохранить название и кнопки" }).click();
      const linkError = page.locator("#edit-links-1-url-error");
      await linkError
        .filter({ hasText: "must be an https:// link on an official domain" })
        .waitFor();
      await expect(page.getByLabel("Адрес ссылки 2").getAttribute("aria-invalid")).resolves.toBe(
        "true",
      );
      // Fixed with the directory's link; moved above the first.
      await page.getByLabel("Адрес ссылки 2").fill("{{url.feedback}}");
      await page.getByRole("button", { name: "Выше: ссылка 2" }).click();
      await press(page, "Сохранить название и кнопки", "Черновик сохранён");
      await expect
        .poll(() => page.getByLabel("Текст ссылки 1 по-русски").inputValue())
        .toBe("Обратная связь");

      // Ivan opened it before: told who saved, nothing of his kept; reloaded, he sees Eva's title.
      await ivan.page.getByLabel("Название по-русски").fill("Телефон поддержки");
      await ivan.page.getByRole("button", { name: "Сохранить название и кнопки" }).click();
      await ivan.page.locator("#conflict", { hasText: "Ева уже сохранил(а)" }).waitFor();
      await ivan.page.getByRole("button", { name: "Загрузить заново" }).click();
      await ivan.page.locator("#draft-state", { hasText: "Черновик: Ева" }).waitFor();
      await expect
        .poll(() => ivan.page.getByLabel("Название по-русски").inputValue())
        .toBe("Горячая линия Госуслуг");

      // A new intent: the examples still needed said at each list as they are typed.
      await page.getByRole("button", { name: "Новая тема" }).click();
      await page.getByLabel("Идентификатор новой темы").fill("contacts.fax");
      await page.getByLabel("Раздел меню новой темы").selectOption("contacts");
      await page.getByLabel("Название новой темы по-русски").fill("Факс поддержки");
      await page.getByLabel("Название новой темы по-английски").fill("Support fax");
      const answer = page.getByLabel("Ответ новой темы по-русски");
      await answer.fill("Факса у поддержки нет. Позвоните: ");
      await answer.press("End");
      await page.keyboard.type("{{phone.hot");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await expect
        .poll(() => answer.inputValue())
        .toBe("Факса у поддержки нет. Позвоните: {{phone.hotline}}");
      await page
        .getByLabel("Ответ новой темы по-английски")
        .fill("No fax: call {{phone.hotline}}.");
      const verbs = ["отправить", "послать", "передать", "прислать", "направить"];
      const places = ["поддержку", "госуслуги", "портал", "службу", "техподдержку"];
      const ruExamples = places.flatMap((where) =>
        verbs.map((v) => `можно ли ${v} факс в ${where}`),
      );
      const ruField = page.getByLabel("Примеры вопросов по-русски, по одному в строке");
      await ruField.fill(ruExamples.slice(0, 20).join("\n"));
      await page.locator("#new-examples-ru-hint", { hasText: "20 из 25: нужно ещё 5" }).waitFor();
      await page
        .getByLabel("Примеры вопросов по-английски, по одному в строке")
        .fill(
          ["support", "portal", "helpdesk", "gosuslugi"]
            .flatMap((w) => [`fax number ${w} please`, `fax number ${w} now`])
            .join("\n"),
        );
      await page.getByRole("button", { name: "Создать черновик темы" }).click();
      await page
        .locator("#new-examples-ru-error", { hasText: "write at least 25 Russian examples" })
        .waitFor();
      await ruField.fill(ruExamples.join("\n"));
      await page.locator("#new-examples-ru-hint", { hasText: "достаточно" }).waitFor();
      await page.getByRole("button", { name: "Добавить тему" }).click();
      await page.locator("#new-follow-up-0").selectOption(INTENT);
      await expect(page.locator("#new-examples-ru-error").textContent()).resolves.toBe("");
      await page.evaluate("document.getElementById('new-answer-ru').scrollIntoView()");
      await page.screenshot({ path: `${SCREENSHOTS}content-new-intent.png` });
      await page.getByRole("button", { name: "Создать черновик темы" }).click();
      await page.locator("#toast", { hasText: "Тема contacts.fax создана" }).waitFor();
      await page.locator("#intent-title", { hasText: "contacts.fax" }).waitFor();
      await page.locator("#intents li", { hasText: "(contacts.fax) · черновик: Ева" }).waitFor();

      // The directory: the hotline's number changed; removing it refused, naming who uses it.
      await page.getByRole("button", { name: "Справочник" }).click();
      const display = page.locator("#dir-phone-hotline-display");
      await display.fill("8 800 100-70-10");
      await press(page, "Сохранить phone.hotline", "phone.hotline сохранён");
      await page.getByRole("button", { name: "Удалить phone.hotline" }).click();
      await page
        .locator("#dir-phone-hotline-error", { hasText: "contacts.hotline" })
        .filter({ hasText: "change their answers and links first" })
        .waitFor();
      await page.getByLabel("Имя новой записи (phone.имя)").fill("fax");
      await page.locator("#dir-new-phone-display").fill("");
      await page.getByRole("button", { name: "Добавить в phone" }).click();
      await page
        .locator("#dir-new-phone-display-error", { hasText: "must not be empty" })
        .waitFor();
      await page.locator("#dir-phone-hotline-display").scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SCREENSHOTS}content-directory.png` });

      // The publisher publishes the three files; the folder passes kb check.
      const pavel = await signedInPublisher(browser, origin, console, "pavel", "Павел", watch);
      await pavel.page.getByRole("button", { name: "Проверить перед публикацией" }).click();
      await pavel.page
        .locator("#publish-plan", {
          hasText: "_directory.yaml, contacts.fax.yaml, contacts.hotline.yaml",
        })
        .waitFor();
      await pavel.page.getByRole("button", { name: "Опубликовать" }).click();
      await pavel.page.locator("#toast", { hasText: "Опубликовано" }).waitFor();
      const check = runScript("kb.ts", ["check"], { env: { KNOWLEDGE_DIR: folder } });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const changed = readdirSync(folder).filter(
        (name) => readFileSync(join(folder, name), "utf8") !== original(name),
      );
      expect(changed.sort()).toEqual([
        "_directory.yaml",
        "contacts.fax.yaml",
        "contacts.hotline.yaml",
      ]);
      expect(lineDiff(original("_directory.yaml"), published("_directory.yaml"))).toEqual([
        '-     display: "8 800 555-35-35"',
        '+     display: "8 800 100-70-10"',
      ]);
      const hotline = lineDiff(original(`${INTENT}.yaml`), published(`${INTENT}.yaml`));
      // The old link's lines stay where the second link now is: the new one goes in above.
      expect(hotline.filter((line) => line.startsWith("+"))).toEqual([
        "+   ru: Горячая линия Госуслуг",
        "+     📞 Горячая линия: <b>{{phone.hotline}}</b>, звонок бесплатный. {{open.operators}}",
        "+       ru: Обратная связь",
        "+       en: Feedback",
        '+     url: "{{url.feedback}}"',
        "+   - title:",
      ]);
      expect(hotline.filter((line) => line.startsWith("-"))).toEqual([
        "-   ru: Телефон горячей линии",
        "-     📞 Горячая линия Госуслуг: <b>{{phone.hotline}}</b>, звонок бесплатный из любого региона России.",
        "-     Операторы отвечают: {{hours.operators}}. {{open.operators}}",
        "-     Автоматическая справочная и этот бот работают круглосуточно.",
        "-     Подготовьте ФИО и номер заявки, если он есть: так оператор поможет быстрее.",
      ]);
      expect(published("contacts.fax.yaml")).toContain("follow_up:\n  - contacts.hotline\n");
      expect(watch.problems).toEqual([]);
      for (const session of [eva, ivan, pavel]) await session.context.close();

      function original(name: string) {
        try {
          return readFileSync(join(INTENTS_DIR, name), "utf8");
        } catch {
          return "";
        }
      }
      function published(name: string) {
        return readFileSync(join(folder, name), "utf8");
      }
    }, 180_000);
  },
);
