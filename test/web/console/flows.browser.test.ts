// The console in a real browser (Debian's chromium, driven by playwright-core):
// an operator's whole flow by keyboard alone, with a note that stays
// internal and a close that asks the citizen to rate; a supervisor's floor
// changing live; and what the console refuses: a used or expired link, a
// wrong password or code, requests without a session, with a forged CSRF
// token, or on another operator's ticket. Skipped when chromium is not
// installed; .ci/run installs it.
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { newToken, type Person, tokenHash } from "../../../handoff/index.ts";
import { htmlToText, renderAnswer } from "../../../knowledge/index.ts";
import { hasChromium } from "../../chromium.ts";
import { INTENTS_DIR } from "../../knowledge-fixture.ts";
import { chromiumAndConsole, newWatch, signedIn, watchPage } from "./browser-pages.ts";
import { CITIZEN, knowledge, PASSWORD, TOTP_SECRET } from "./fixture.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../web/screenshots/", import.meta.url));

const IVAN: Person = { chatId: 502, userId: 502, language: "ru" };
const MARIA: Person = { chatId: 503, userId: 503, language: "ru" };
const PAVEL: Person = { chatId: 504, userId: 504, language: "ru" };

/** Counts, in the page, each chime's tone and each notification shown, playing neither. */
const COUNT_ANNOUNCEMENTS = `
  const counts = { tones: 0, notes: 0 };
  window.announced = counts;
  AudioContext.prototype.createOscillator = function () {
    counts.tones++;
    return new OscillatorNode(this);
  };
  window.Notification = class extends window.Notification {
    constructor(title, options) {
      super(title, options);
      counts.notes++;
    }
  };
`;

/**
 * Whether the element `selector` names has the keyboard's focus. Polled: a
 * live refresh may replace the element between finding and asking it.
 */
const focused = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((element) => element === element.ownerDocument.activeElement);

describe.skipIf(!hasChromium())(
  "the console in chromium, by keyboard and against forgeries",
  () => {
    // The studio reads the repository's intents (the test pane's draft side); nothing here publishes.
    const on = chromiumAndConsole({ knowledgeFolder: INTENTS_DIR });
    const watch = newWatch();

    /** What the desk said to a citizen's chat, in the desk's words. */
    const saidTo = async (chatId: number) =>
      (await on.console.handoff.repositories(on.console.db).effects.after(0, 1000))
        .map((r) => r.effect)
        .filter((effect) => effect.kind === "citizen" && effect.chatId === chatId)
        .map((effect) => (effect.kind === "citizen" ? effect.notice : undefined));

    it("lets an operator sign in, take, reply, note and close by keyboard alone", async () => {
      const { browser, origin, console } = on;
      await console.addStaff("kira", "operator", "Кира");
      const first = await console.waitingTicket(IVAN, "Не могу поменять номер телефона в профиле");
      const second = await console.waitingTicket(
        MARIA,
        "Где посмотреть штрафы ГИБДД за прошлый год",
      );
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      watchPage(page, "kira", watch);
      page.on("dialog", (dialog) => void dialog.accept());

      // The sign-in page starts in the login field; Enter signs in.
      await page.goto(`${origin}/sign-in`);
      await page.keyboard.type("kira");
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForURL(`${origin}/`);
      await page.getByText("на связи").waitFor();

      // The first stop of the page is the shift button.
      await page.keyboard.press("Tab");
      await expect.poll(() => focused(page, "#shift")).toBe(true);
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: "Закончить смену" }).waitFor();

      // j and k move through the queue, Enter opens the ticket there.
      await page.locator("#waiting li").nth(1).waitFor();
      await page.keyboard.press("j");
      await page.keyboard.press("j");
      await expect.poll(() => focused(page, `#waiting li[data-id="${second}"]`)).toBe(true);
      await page.keyboard.press("k");
      await expect.poll(() => focused(page, `#waiting li[data-id="${first}"]`)).toBe(true);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: `Обращение №${first}` }).waitFor();

      // n takes the oldest waiting ticket and puts the cursor in the reply box.
      await page.keyboard.press("n");
      await page.locator("#mine li", { hasText: `№${first}` }).waitFor();
      await expect.poll(() => focused(page, "#reply")).toBe(true);
      await page.keyboard.type("Здравствуйте! Номер меняется в разделе «Профиль».");
      await page.keyboard.press("Shift+Enter");
      await page.keyboard.type("Нужен доступ к старому номеру.");
      await page.keyboard.press("Enter");
      const reply = page.locator("#messages li.operator", { hasText: "Нужен доступ" });
      await reply.waitFor();
      await expect(reply.textContent()).resolves.toContain("«Профиль».\nНужен доступ");

      // A note: typed in the same box, sent with the Note button, reached by Tab.
      await page.keyboard.type("Гражданин вежлив, проверить через час");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      await expect.poll(() => focused(page, "#note")).toBe(true);
      await page.keyboard.press("Enter");
      await page.locator("#messages li.note", { hasText: "проверить через час" }).waitFor();

      // Escape leaves the box for the list; c closes the open ticket (after the confirmation).
      await page.keyboard.press("Escape");
      await expect.poll(() => focused(page, `#mine li[data-id="${first}"]`)).toBe(true);
      await page.keyboard.press("c");
      await page.locator("#toast", { hasText: `Обращение №${first} закрыто` }).waitFor();
      expect((await console.handoff.tickets.ticket(first))?.state).toBe("closed");

      // The citizen got the reply and the question whether it was solved; never the note.
      const said = await saidTo(IVAN.chatId);
      expect(said.map((notice) => notice?.kind)).toEqual(
        expect.arrayContaining(["operator_joined", "from_operator", "closed"]),
      );
      expect(JSON.stringify(said)).not.toContain("проверить через час");
      // Maria's ticket still waits, untouched.
      expect((await console.handoff.tickets.ticket(second))?.state).toBe("waiting");
      expect(watch.problems).toEqual([]);
      await context.close();
    });

    it("shows a supervisor the floor as it changes, without a reload", async () => {
      const { browser, origin, console } = on;
      await console.addStaff("lev", "operator", "Лев");
      await console.addSupervisor("nina", "Нина");
      const lev = await signedIn(browser, origin, "lev", watch);
      const nina = await signedIn(browser, origin, "nina", watch, {
        code: () => console.totp({ secret: TOTP_SECRET }),
      });
      const floor = nina.page.locator("#floor");
      const levRow = nina.page.getByRole("row", { name: /Лев/ });
      await levRow.getByRole("cell", { name: "нет", exact: true }).waitFor();

      await lev.page.getByRole("button", { name: "Начать смену" }).click();
      const waitingBefore = (await console.handoff.tickets.queue()).length;
      const id = await console.waitingTicket(CITIZEN, "Как записать ребёнка в школу через портал");
      await floor.filter({ hasText: `В очереди: ${waitingBefore + 1}` }).waitFor();
      await levRow.getByRole("cell", { name: "да", exact: true }).waitFor();

      // Lev takes it on his page: Nina's floor says one fewer waits and Lev has it open.
      await lev.page.locator("#waiting li", { hasText: `№${id}` }).click();
      await lev.page.getByRole("button", { name: "Взять", exact: true }).click();
      await lev.page.getByLabel(/Ответ гражданину/).waitFor();
      await floor.filter({ hasText: `В очереди: ${waitingBefore}` }).waitFor();
      await levRow.getByRole("cell", { name: "1", exact: true }).waitFor();
      await nina.page.locator("#open li", { hasText: `№${id}` }).waitFor();
      expect(watch.problems).toEqual([]);
      await lev.context.close();
      await nina.context.close();
    });

    it("announces a new ticket by sound and notification, as the operator set them", async () => {
      const { browser, origin, console } = on;
      await console.addStaff("rita", "operator", "Рита");
      const rita = await signedIn(browser, origin, "rita", watch, {
        permissions: ["notifications"],
        init: COUNT_ANNOUNCEMENTS,
      });
      const { page } = rita;
      const announced = () => page.evaluate("({ ...window.announced })");
      const sound = page.getByRole("button", { name: "Звук новых обращений" });
      const notify = page.getByRole("button", { name: "Уведомления браузера" });
      await page.getByRole("button", { name: "Начать смену" }).click();
      await page.getByRole("button", { name: "Закончить смену" }).waitFor();
      // By default a chime and no notification.
      await expect(sound.getAttribute("aria-pressed")).resolves.toBe("true");
      await expect(notify.getAttribute("aria-pressed")).resolves.toBe("false");
      const citizens = [505, 506, 507].map(
        (id): Person => ({ chatId: id, userId: id, language: "ru" }),
      );
      await console.waitingTicket(citizens[0], "Как продлить загранпаспорт");
      await expect.poll(announced).toEqual({ tones: 1, notes: 0 });

      // Sound off and notifications on, kept over a reload.
      await sound.click();
      await notify.click();
      await page.reload();
      await page.getByText("на связи").waitFor();
      await expect(sound.getAttribute("aria-pressed")).resolves.toBe("false");
      await expect(notify.getAttribute("aria-pressed")).resolves.toBe("true");
      await console.waitingTicket(citizens[1], "Как получить выписку из ЕГРН");
      await expect.poll(announced).toEqual({ tones: 0, notes: 1 });

      // Both off: a new ticket only shows in the queue.
      await notify.click();
      const id = await console.waitingTicket(citizens[2], "Как записаться к врачу");
      await page.locator("#waiting li", { hasText: `№${id}` }).waitFor();
      await expect(announced()).resolves.toEqual({ tones: 0, notes: 1 });
      expect(watch.problems).toEqual([]);
      await rita.context.close();
    });

    it("gives an editor the test pane: how the bot reads a question and what it answers", async () => {
      const { browser, origin, console } = on;
      await console.addStaff("eva", "editor", "Ева");
      const eva = await signedIn(browser, origin, "eva", watch, { landing: "/content" });
      const { page } = eva;
      await page.getByRole("link", { name: "Проверить бота" }).click();
      await page.waitForURL(`${origin}/try`);
      await expect(
        page.getByRole("link", { name: "Консоль операторов" }).isVisible(),
      ).resolves.toBe(false);
      // Typed in the wrong layout (the page starts in the question): repaired, matched, answered.
      await expect.poll(() => focused(page, "#question")).toBe(true);
      await page.keyboard.type("pf,kjrbhjdfkb frrfeyn");
      await page.keyboard.press("Enter");
      // An editor sees the published knowledge base and the drafts' side by side.
      const published = page.locator(".result").first();
      await page.locator(".result h2", { hasText: "Черновик" }).waitFor();
      // No drafts yet: the draft side decides as the published one.
      await page.locator(".result").nth(1).locator(".decision", { hasText: "Ответить" }).waitFor();
      await published.locator(".reading", { hasText: "английской раскладке" }).waitFor();
      await published.locator(".words li", { hasText: "заблокировали" }).waitFor();
      const top = published.locator(".candidates tr").first();
      await expect(top.textContent()).resolves.toContain("account.login_recovery");
      await published.locator(".decision", { hasText: "Ответить" }).waitFor();
      const answer = renderAnswer(knowledge.kb, "account.login_recovery", "ru", new Date());
      const firstLine = htmlToText(answer?.html ?? "").split("\n")[0] ?? "";
      await published.locator(".reply .bubble", { hasText: firstLine }).waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}try.png`, fullPage: true });

      // Out of scope: the operator is offered.
      await page
        .getByLabel(/Вопрос, как его напишет гражданин/)
        .fill("какая погода завтра в Москве");
      await page.getByRole("button", { name: "Проверить" }).click();
      await published.locator(".reply", { hasText: "предлагает оператора" }).waitFor();
      expect(watch.problems).toEqual([]);
      await eva.context.close();
    });

    it("refuses a used or expired link, a wrong password or code, and forged requests", async () => {
      const { browser, origin, console } = on;
      const context = await browser.newContext();
      const page = await context.newPage();
      watchPage(page, "stranger", watch);

      // A link already used (addStaff used it), and one past its time.
      const olgaId = await console.addStaff("olga2", "operator", "Ольга");
      const { member } = await console.handoff.staff.add({
        login: "petr",
        name: "Пётр",
        role: "operator",
      });
      const used = newToken();
      await console.accounts.invite(olgaId, tokenHash(used), Date.now() + 60_000);
      await console.accounts.redeemInvite(tokenHash(used));
      const expired = newToken();
      await console.accounts.invite(member.id, tokenHash(expired), Date.now() - 1);
      for (const token of [used, expired]) {
        await page.goto(`${origin}/welcome#${token}`);
        await page.getByLabel("Новый пароль").fill("a long enough pass phrase");
        await page.getByLabel("Ещё раз").fill("a long enough pass phrase");
        await page.getByRole("button", { name: "Сохранить и войти" }).click();
        await page.getByRole("alert").filter({ hasText: "использована или устарела" }).waitFor();
        expect(page.url()).toBe(`${origin}/welcome`);
      }
      expect((await console.accounts.credentialsOf(member.id))?.passwordHash ?? null).toBeNull();

      // A wrong password; a supervisor's right password with a wrong code.
      await console.addSupervisor("zoya", "Зоя");
      const tries: [string, string, string?][] = [
        ["olga2", "not the password at all"],
        ["zoya", PASSWORD, "000000"],
      ];
      for (const [login, password, code] of tries) {
        await page.goto(`${origin}/sign-in`);
        await page.getByLabel("Логин").fill(login);
        await page.getByLabel("Пароль").fill(password);
        await page.getByRole("button", { name: "Войти" }).click();
        if (code) {
          await page.getByLabel("Код из приложения-аутентификатора").fill(code);
          await page.getByRole("button", { name: "Войти" }).click();
        }
        await page.getByText("Неверный логин, пароль или код.").waitFor();
        expect(page.url()).toBe(`${origin}/sign-in`);
      }

      // No session: the API refuses, the page sends to the sign-in page.
      expect((await page.request.get(`${origin}/api/queue`)).status()).toBe(401);
      await page.goto(`${origin}/`);
      await page.waitForURL(`${origin}/sign-in`);

      // Signed in: a forged CSRF token, and another operator's ticket, refused.
      const olga = await signedIn(browser, origin, "olga2", watch);
      const other = await console.waitingTicket(PAVEL, "Как оплатить госпошлину за паспорт");
      await console.handoff.desk.staffPress(
        (await console.handoff.staff.byLogin("kira"))?.id ?? 0,
        {
          kind: "take",
          ticketId: other,
        },
      );
      const csrfToken = (await (await olga.page.request.get(`${origin}/api/me`)).json()).csrfToken;
      const post = (path: string, token: string) =>
        olga.page.request.post(`${origin}${path}`, {
          headers: { origin, "x-csrf-token": token },
          data: { text: "чужое" },
        });
      expect((await post(`/api/tickets/${other}/reply`, "forged")).status()).toBe(403);
      expect((await post(`/api/tickets/${other}/reply`, csrfToken)).status()).toBe(404);
      expect((await post(`/api/tickets/${other}/note`, csrfToken)).status()).toBe(404);
      expect((await olga.page.request.get(`${origin}/api/tickets/${other}`)).status()).toBe(404);
      const transcript = await console.handoff.tickets.transcript(other);
      expect(transcript?.messages.map((m) => m.text)).toEqual([]);
      expect(watch.problems).toEqual([]);
      await olga.context.close();
      await context.close();
    });
  },
);
