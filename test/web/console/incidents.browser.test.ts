// Incidents in a real browser (Debian's chromium, playwright-core) with the
// real bot process on the console's SQLite file: a supervisor posts one on
// the incidents page, the bot's next answer about site problems carries it
// (and a question it would have escalated gets it instead), it is ended and
// gone; an operator cannot post (403) but sees it over a ticket; axe finds
// nothing on the page. The page's screenshot goes to web/screenshots/.
// Skipped when chromium is not installed; .ci/run installs it.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqlite } from "../../../handoff/sqlite/index.ts";
import { callbackDataOf, textOf } from "../../bot-api-double/index.ts";
import { hasChromium, launchChromium } from "../../chromium.ts";
import { ASKED_AGAIN, askUntil, useBotProcess } from "../../e2e/e2e-setup.ts";
import { axeViolations } from "./axe.ts";
import { newWatch, signedIn } from "./browser-pages.ts";
import { listeningConsole, TOTP_SECRET } from "./fixture.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../web/screenshots/", import.meta.url));
const citizen = { id: 4201, first_name: "Анна", language_code: "ru" };
const NOTICE = "Портал работает с перебоями: вход и заявления могут не открываться. Мы уже чиним.";
const e2e = useBotProcess("incidents-browser-");

describe.skipIf(!hasChromium())("incidents in chromium, with the running bot", () => {
  let browser: Browser;
  let origin: string;
  let console: Awaited<ReturnType<typeof listeningConsole>>["console"];
  let close: () => Promise<void>;
  const watch = newWatch();

  beforeAll(async () => {
    const path = join(e2e.dir, "bot.sqlite");
    ({ console, origin, close } = await listeningConsole({ database: openSqlite(path) }));
    await e2e.launch({ DATABASE_PATH: path, ...ASKED_AGAIN });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  it("go from the supervisor's page into the bot's answers, and out again when ended", async () => {
    // Before: the bot answers site problems as always.
    await askUntil(e2e.double, citizen, "госуслуги не открываются", (t) => t.startsWith("🛠"));

    await console.addSupervisor("vera", "Вера");
    const vera = await signedIn(browser, origin, "vera", watch, {
      code: () => console.totp({ secret: TOTP_SECRET }),
      bypassCSP: true,
    });
    const { page } = vera;
    await page.getByRole("link", { name: "Сбои портала" }).click();
    await page.waitForURL(`${origin}/incidents`);
    await page.getByText("Объявленных сбоев нет").waitFor();
    // Nothing chosen: said at the field, nothing posted.
    await page.getByLabel("Что сломано").fill("портал целиком");
    await page.getByLabel("Объявление для граждан по-русски").fill(NOTICE);
    await page.getByRole("button", { name: "Объявить", exact: true }).click();
    await page.locator("#intents-error", { hasText: "Выберите хотя бы одну тему" }).waitFor();
    await page.getByLabel("Найти тему").fill("сайт");
    await page.getByLabel(/Сайт или приложение не работает/).check();
    await page.getByLabel(/Когда ожидаем исправления/).fill("к 18:00");
    await page.getByRole("button", { name: "Объявить", exact: true }).click();
    await page.locator("#toast", { hasText: "Сбой объявлен" }).waitFor();
    await page.locator("#active li", { hasText: NOTICE }).waitFor();
    await expect.poll(() => page.locator("#intents-error").textContent()).toBe("");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}incidents.png`, fullPage: true });

    // The bot's next answer about site problems starts with the notice (it
    // loads the incidents every second: the console is another process).
    const answer = await askUntil(e2e.double, citizen, "госуслуги не открываются", (t) =>
      t.startsWith(`⚠️ ${NOTICE}`),
    );
    expect(textOf(answer)).toContain("Ожидаем исправления: к 18:00.");
    expect(textOf(answer)).toContain("🛠");
    // A question it would escalate gets the notice and the operator button instead.
    const since = e2e.double.calls.length;
    e2e.double.sendText(citizen, "госуслуги не работают?");
    const instead = await e2e.double.waitForMessage((m) => m.chat.id === citizen.id, { since });
    expect(textOf(instead).startsWith(`⚠️ ${NOTICE}`)).toBe(true);
    expect(callbackDataOf(instead)).toEqual(["o"]);
    expect(await console.handoff.tickets.queue()).toEqual([]);

    // An operator reads it over a ticket, but cannot post one.
    await console.addStaff("olga", "operator", "Ольга");
    const olga = await signedIn(browser, origin, "olga", watch, { bypassCSP: true });
    const csrf = (await (await olga.page.request.get(`${origin}/api/me`)).json()).csrfToken;
    const refused = await olga.page.request.post(`${origin}/api/incidents`, {
      headers: { origin, "x-csrf-token": csrf },
      data: { noticeRu: "x", broken: "x", intents: ["tech.site_problems"] },
    });
    expect(refused.status()).toBe(403);
    await expect(olga.page.getByRole("link", { name: "Сбои портала" }).isVisible()).resolves.toBe(
      false,
    );
    const id = await console.waitingTicket();
    await olga.page.getByRole("button", { name: "Начать смену" }).click();
    await olga.page.locator("#waiting li", { hasText: `№${id}` }).click();
    const banner = olga.page.locator("#incident-banner");
    await banner.getByText("портал целиком").waitFor();
    await expect(banner.textContent()).resolves.toContain("Касается этого обращения");
    await expect(banner.textContent()).resolves.toContain(NOTICE);
    expect(await axeViolations(olga.page)).toEqual([]);
    // The test pane says it too, where the bot would.
    await olga.page.goto(`${origin}/try`);
    await olga.page
      .getByLabel(/Вопрос, как его напишет гражданин/)
      .fill("госуслуги не открываются");
    await olga.page.getByRole("button", { name: "Проверить" }).click();
    await olga.page
      .locator(".reply .incident-banner", { hasText: "бот начнёт ответ с уведомления" })
      .getByText(NOTICE)
      .waitFor();
    expect(await axeViolations(olga.page)).toEqual([]);
    await olga.page.goto(`${origin}/`);

    // Ended: gone from the bot's answers, and from the ticket.
    await page.getByRole("button", { name: "Завершить сбой: портал целиком" }).click();
    await page.locator("#toast", { hasText: "Сбой завершён" }).waitFor();
    await page.locator("#ended li", { hasText: NOTICE }).waitFor();
    await askUntil(e2e.double, citizen, "госуслуги не открываются", (t) => t.startsWith("🛠"));
    await olga.page.locator("#waiting li", { hasText: `№${id}` }).click();
    await expect.poll(() => banner.isHidden()).toBe(true);
    expect(watch.problems).toEqual([]);
    await vera.context.close();
    await olga.context.close();
  }, 120_000);
});
