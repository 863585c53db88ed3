// The console's pages checked by axe-core (Deque's rules for WCAG 2.1 A and
// AA) in chromium: labels, names, roles, contrast, the landmarks a screen
// reader moves by. axe is injected past the page's CSP (the test's context
// bypasses it: the CSP itself is tested elsewhere).
import { describe, expect, it } from "vitest";
import { hasChromium } from "../../chromium.ts";
import { INTENTS_DIR } from "../../knowledge-fixture.ts";
import { axeViolations as violations } from "./axe.ts";
import { chromiumAndConsole } from "./browser-pages.ts";
import { PASSWORD } from "./fixture.ts";

describe.skipIf(!hasChromium())("the console's accessibility", () => {
  // The studio reads the repository's intents; nothing here publishes.
  const on = chromiumAndConsole({ knowledgeFolder: INTENTS_DIR });

  it("has no WCAG A or AA violation on the sign-in page, the queue, an open ticket, the test pane, the studio (an intent, a new intent, the directory), the unanswered questions and the history", async () => {
    const { browser, origin, console } = on;
    await console.addStaff("olga", "operator", "Ольга");
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    // The checker itself finds what it should: an input without a label, a page without a language.
    await page.setContent("<html><body><input></body></html>");
    expect((await violations(page)).map((v) => v.split(" ")[0])).toEqual(
      expect.arrayContaining(["html-has-lang", "label"]),
    );
    await page.goto(`${origin}/sign-in`);
    expect(await violations(page)).toEqual([]);

    await page.getByLabel("Логин").fill("olga");
    await page.getByLabel("Пароль").fill(PASSWORD);
    await page.getByRole("button", { name: "Войти" }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByRole("button", { name: "Начать смену" }).click();
    const id = await console.waitingTicket();
    await page.locator("#waiting li", { hasText: `№${id}` }).click();
    await page.getByRole("button", { name: "Взять", exact: true }).click();
    await page.getByLabel(/Ответ гражданину/).waitFor();
    expect(await violations(page)).toEqual([]);

    // The keyboard alone: j moves to a ticket, Enter opens it, r reaches the reply box.
    await page.locator("#ticket-title").click();
    await page.keyboard.press("j");
    await page.keyboard.press("Enter");
    await page.keyboard.press("r");
    await expect(page.evaluate("document.activeElement.id")).resolves.toBe("reply");

    // The test pane, with a question's reading and reply shown.
    await page.goto(`${origin}/try`);
    await page.getByLabel(/Вопрос, как его напишет гражданин/).fill("не приходит смс с кодом");
    await page.getByRole("button", { name: "Проверить" }).click();
    await page.getByRole("heading", { name: "Что увидит гражданин" }).waitFor();
    expect(await violations(page)).toEqual([]);
    await context.close();

    // The studio, an intent open in the editor.
    await console.addStaff("eva", "editor", "Ева");
    const editing = await browser.newContext({ bypassCSP: true });
    const studio = await editing.newPage();
    await studio.goto(`${origin}/sign-in`);
    await studio.getByLabel("Логин").fill("eva");
    await studio.getByLabel("Пароль").fill(PASSWORD);
    await studio.getByRole("button", { name: "Войти" }).click();
    await studio.waitForURL(`${origin}/content`);
    await studio.locator("#intents li").first().click();
    await studio.getByLabel("Ответ по-русски").waitFor();
    expect(await violations(studio)).toEqual([]);
    // A new intent's form, and the directory.
    await studio.getByRole("button", { name: "Новая тема" }).click();
    await studio.getByLabel("Идентификатор новой темы").waitFor();
    expect(await violations(studio)).toEqual([]);
    await studio.getByRole("button", { name: "Справочник" }).click();
    await studio.getByRole("button", { name: "Сохранить phone.hotline" }).waitFor();
    expect(await violations(studio)).toEqual([]);

    // The unanswered questions' page, with a cluster and an operator's suggestion on it.
    const repos = console.handoff.repositories(console.handoff.db);
    const question = { language: "ru", intent: null, confidence: 0.2, candidates: [] } as const;
    await repos.store.recordQuestion({
      ...question,
      chatId: 801,
      text: "пароль протух",
      decision: "escalate",
    });
    await repos.store.recordQuestion({
      ...question,
      chatId: 802,
      text: "какая погода завтра",
      decision: "clarify",
    });
    const opened = await repos.tickets.openTicket({
      chatId: 803,
      language: "ru",
      question: "пароль сгорел",
      topIntents: [],
    });
    if (!opened.ok) throw new Error("no ticket");
    const olga = (await console.handoff.staff.byLogin("olga"))?.id as number;
    await repos.suggestions.record({
      ticketId: opened.ticket.id,
      question: "пароль сгорел",
      language: "ru",
      intent: null,
      operatorId: olga,
    });
    await studio.goto(`${origin}/content/learn`);
    await studio.locator("#clusters > li").nth(1).waitFor();
    await studio.locator("#suggestions tr", { hasText: "пароль сгорел" }).waitFor();
    expect(await violations(studio)).toEqual([]);
    await studio.goto(`${origin}/content/history`);
    await studio.locator("#publications li").first().waitFor();
    expect(await violations(studio)).toEqual([]);
    await editing.close();
  });
});
