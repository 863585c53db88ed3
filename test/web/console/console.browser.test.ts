// The console in a real browser (Debian's chromium, driven by playwright-core)
// against the real server: two operators race to take one ticket; the
// winner's reply is said to the citizen, and the citizen's answer and photo
// appear in the winner's page live. Screenshots of each page go to
// web/screenshots/ (the README links them). Skipped when chromium is not
// installed; .ci/run installs it.
import { fileURLToPath } from "node:url";
import { Api, InputFile } from "grammy";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramChannel } from "../../../bot/desk/index.ts";
import { createEffectsRenderer } from "../../../handoff/index.ts";
import { createTelegramFiles } from "../../../web/console/telegram-files.ts";
import { type BotApiDouble, createBotApiDouble } from "../../bot-api-double/index.ts";
import { hasChromium, launchChromium } from "../../chromium.ts";
import { newWatch, signedIn } from "./browser-pages.ts";
import { CITIZEN, knowledge, listeningConsole, type setUpConsole, TOTP_SECRET } from "./fixture.ts";

const TOKEN = "123456:AAE-console-token-0123456789abcdef";
const SCREENSHOTS = fileURLToPath(new URL("../../../web/screenshots/", import.meta.url));

describe.skipIf(!hasChromium())("the console in chromium", () => {
  let browser: Browser;
  let double: BotApiDouble;
  const watch = newWatch();
  let origin: string;
  let console: Awaited<ReturnType<typeof setUpConsole>>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    double = createBotApiDouble({ token: TOKEN });
    await double.start();
    ({ console, origin, close } = await listeningConsole({
      files: createTelegramFiles({ token: TOKEN, apiRoot: double.apiRoot }),
    }));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await close?.();
    await double?.stop();
  });

  const operator = (login: string) => signedIn(browser, origin, login, watch);

  it("gives a ticket to one of two operators clicking Take at once; the winner talks to the citizen live", async () => {
    await console.addStaff("olga", "operator", "Ольга");
    await console.addStaff("boris", "operator", "Борис");
    const olga = await operator("olga");
    const boris = await operator("boris");
    await olga.page.screenshot({ path: `${SCREENSHOTS}console-empty.png` });
    for (const { page } of [olga, boris]) {
      await page.getByRole("button", { name: "Начать смену" }).click();
      await page.getByRole("button", { name: "Закончить смену" }).waitFor();
    }

    // A citizen's ticket appears in both queues, live.
    const id = await console.waitingTicket();
    for (const { page } of [olga, boris]) {
      await page.locator("#waiting li", { hasText: `№${id}` }).click();
      await page.getByRole("button", { name: "Взять", exact: true }).waitFor();
    }
    await olga.page.screenshot({ path: `${SCREENSHOTS}console-queue.png` });

    // Both press Take at the same moment (a click each, dispatched together:
    // the first one's live update must not hide the second one's button first).
    await Promise.all(
      [olga, boris].map(({ page }) => page.locator("#take").dispatchEvent("click")),
    );
    let winnerId: number | null | undefined;
    for (let tries = 0; tries < 100 && !winnerId; tries++) {
      winnerId = (await console.handoff.tickets.ticket(id))?.operatorId;
      if (!winnerId) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const olgaId = (await console.handoff.staff.byLogin("olga"))?.id;
    const [winner, loser] = winnerId === olgaId ? [olga, boris] : [boris, olga];
    await winner.page.getByLabel(/Ответ гражданину/).waitFor();
    await loser.page.locator("#toast", { hasText: "уже взял(а)" }).waitFor();
    await expect(loser.page.locator("#reply-form").isVisible()).resolves.toBe(false);

    // The winner replies: Enter sends.
    await winner.page
      .getByLabel(/Ответ гражданину/)
      .fill("Здравствуйте! Проверьте, пожалуйста, папку «Спам».");
    await winner.page.getByLabel(/Ответ гражданину/).press("Enter");
    await winner.page.locator("#messages li.operator", { hasText: "папку «Спам»" }).waitFor();
    const said = await console.handoff.repositories(console.db).effects.after(0, 200);
    expect(
      said.some(
        (r) =>
          r.effect.kind === "citizen" &&
          r.effect.chatId === CITIZEN.chatId &&
          r.effect.notice.kind === "from_operator",
      ),
    ).toBe(true);
    // On its way until a bot process has sent it; the page follows it there.
    const reply = winner.page.locator("#messages li.operator", { hasText: "папку «Спам»" });
    await reply.getByText("отправляется").waitFor();
    await createEffectsRenderer({
      db: console.db,
      repositories: console.handoff.repositories,
      channel: createTelegramChannel({ knowledge: () => knowledge }),
    }).renderPending();
    for (const row of await console.handoff.outbox.inState("pending")) {
      await console.handoff.outbox.markSent(row.id);
    }
    await reply.getByText("отправлено").waitFor();

    // The citizen answers, with a photo: it appears on the winner's page by itself.
    await console.handoff.desk.citizenMessage(CITIZEN, { text: "Спасибо, <b>нашла</b> письмо" });
    // A real picture, as a citizen's photo reaches Telegram: this page's own screenshot.
    const picture = await winner.page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 200 } });
    double.sendText({ id: CITIZEN.chatId, first_name: "Анна", language_code: "ru" }, "фото");
    const uploaded = await new Api(TOKEN, { apiRoot: double.apiRoot }).sendPhoto(
      CITIZEN.chatId,
      new InputFile(picture, "screen.png"),
    );
    const photoId = uploaded.photo?.at(-1)?.file_id ?? "";
    await console.handoff.desk.citizenMessage(CITIZEN, {
      text: "вот скриншот",
      file: { id: photoId, kind: "photo" },
    });
    await winner.page
      .locator("#messages li.citizen", { hasText: "Спасибо, <b>нашла</b> письмо" })
      .waitFor();
    await winner.page.locator("#messages li.citizen", { hasText: "вот скриншот [фото]" }).waitFor();
    // Fetched on the server with the bot's token, shown; the token never reaches the browser.
    // (Polled from here: the page's CSP allows no evaluated strings, as it should.)
    await expect
      .poll(() =>
        winner.page.locator("img.attachment").evaluate((element) => {
          const image = element as unknown as { complete: boolean; naturalWidth: number };
          return image.complete ? image.naturalWidth : 0;
        }),
      )
      .toBe(320);
    await winner.page.screenshot({ path: `${SCREENSHOTS}console-ticket.png` });
    // The loser's page shows the ticket gone from the queue.
    await expect(loser.page.locator("#waiting li").count()).resolves.toBe(0);

    // A knowledge-base answer, found in the citizen's language, goes in with a click.
    await winner.page.getByLabel(/Ответ из базы знаний/).fill("пароль");
    const send = winner.page.getByRole("button", { name: /^Отправить: Не могу войти/ });
    await send.click();
    await winner.page.locator("#messages li.operator", { hasText: "восстанов" }).first().waitFor();

    // The winner hands the ticket to the loser, who is told on their page.
    await winner.page.getByLabel("Передать", { exact: true }).selectOption({
      label: winner === olga ? "Борис" : "Ольга",
    });
    await winner.page.getByRole("button", { name: "Передать", exact: true }).click();
    await loser.page.locator("#toast", { hasText: `Вам передано обращение №${id}` }).waitFor();
    await loser.page.locator("#mine li", { hasText: `№${id}` }).waitFor();

    // A supervisor, signed in with a code, sees the floor.
    await console.addSupervisor("vera", "Вера");
    const { context: vera, page } = await signedIn(browser, origin, "vera", watch, {
      code: () => console.totp({ secret: TOTP_SECRET }),
      height: 900,
    });
    await page
      .getByRole("table", { name: "Сотрудники" })
      .getByRole("cell", { name: "Ольга", exact: true })
      .waitFor();
    await page.locator("#open li", { hasText: `№${id}` }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}console-supervisor.png`, fullPage: true });
    // The managers' report opens from it; its CSP refuses nothing it needs.
    const [report] = await Promise.all([
      vera.waitForEvent("page"),
      page.getByRole("link", { name: "Отчёт за 30 дней" }).click(),
    ]);
    report.on("console", (message) => {
      if (message.type() === "error") watch.problems.push(`report: ${message.text()}`);
    });
    await report.waitForLoadState("load");
    await report.getByRole("heading", { level: 1 }).waitFor();
    await report.screenshot({ path: `${SCREENSHOTS}report.png`, fullPage: true });
    await vera.close();

    // The page a one-time link opens.
    const welcome = await browser.newPage();
    await welcome.goto(`${origin}/welcome#not-a-real-token`);
    await welcome.getByLabel("Новый пароль").waitFor();
    await welcome.screenshot({ path: `${SCREENSHOTS}welcome.png` });
    await welcome.close();

    const signIn = await browser.newPage();
    await signIn.goto(`${origin}/sign-in`);
    await signIn.screenshot({ path: `${SCREENSHOTS}sign-in.png` });
    await signIn.close();
    expect(watch.problems).toEqual([]);
    expect(watch.requested.filter((url) => url.includes(TOKEN) || !url.startsWith(origin))).toEqual(
      [],
    );
    await olga.context.close();
    await boris.context.close();
  });
});
