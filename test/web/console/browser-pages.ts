import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "../../chromium.ts";
import { listeningConsole, PASSWORD, type setUpConsole, TOTP_SECRET } from "./fixture.ts";

/** What the pages of a test did that they should not: script errors, and every URL asked for. */
export interface PageWatch {
  problems: string[];
  requested: string[];
}

export const newWatch = (): PageWatch => ({ problems: [], requested: [] });

/**
 * Keeps `page`'s script errors and console errors in `watch` (a refusal the
 * page shows, 409 or 404, is an answer, not a fault) and every URL it asks for.
 */
export function watchPage(page: Page, name: string, watch: PageWatch): void {
  page.on("request", (request) => watch.requested.push(request.url()));
  page.on("pageerror", (error) => watch.problems.push(`${name}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      watch.problems.push(`${name}: ${message.text()}`);
    }
  });
}

/**
 * A browser context signed in as `login` through the sign-in page (with the
 * code `code` gives, for a second factor), on the console's page. Nothing
 * but the console's own origin is fetched.
 */
export async function signedIn(
  browser: Browser,
  origin: string,
  login: string,
  watch: PageWatch,
  options: {
    code?: () => Promise<string>;
    height?: number;
    /** Browser permissions granted beforehand (notifications). */
    permissions?: string[];
    /** A script run in every page before its own. */
    init?: string;
    /** Where signing in leads (content staff: the test pane). Defaults to the console. */
    landing?: string;
    /** Lets a test inject a script past the CSP (axe-core). Defaults to false. */
    bypassCSP?: boolean;
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: options.height ?? 800 },
    ...(options.bypassCSP ? { bypassCSP: true } : {}),
    ...(options.permissions ? { permissions: options.permissions } : {}),
  });
  if (options.init) await context.addInitScript({ content: options.init });
  await context.route("**/*", (route) =>
    route.request().url().startsWith(origin) ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  watchPage(page, login, watch);
  await page.goto(`${origin}/`);
  await page.waitForURL(`${origin}/sign-in`);
  await page.getByLabel("Логин").fill(login);
  await page.getByLabel("Пароль").fill(PASSWORD);
  await page.getByRole("button", { name: "Войти" }).click();
  if (options.code) {
    await page.getByLabel("Код из приложения-аутентификатора").fill(await options.code());
    await page.getByRole("button", { name: "Войти" }).click();
  }
  await page.waitForURL(`${origin}${options.landing ?? "/"}`);
  if (!options.landing) await page.getByText("на связи").waitFor();
  return { context, page };
}

/**
 * A publisher `login` (a second factor on, codes from TOTP_SECRET) added to
 * `console` and signed in through the pages, on the content studio.
 */
export async function signedInPublisher(
  browser: Browser,
  origin: string,
  console: Awaited<ReturnType<typeof setUpConsole>>,
  login: string,
  name: string,
  watch: PageWatch,
) {
  const id = await console.addStaff(login, "publisher", name);
  await console.accounts.setTotp(id, TOTP_SECRET, true);
  return signedIn(browser, origin, login, watch, {
    landing: "/content",
    code: () => console.totp({ secret: TOTP_SECRET }),
  });
}

/**
 * Chromium and a listening console for a test file's tests: started before
 * them, stopped after. Read its fields inside the tests.
 */
export function chromiumAndConsole(options: Parameters<typeof listeningConsole>[0] = {}): {
  browser: Browser;
  origin: string;
  console: Awaited<ReturnType<typeof setUpConsole>>;
} {
  const held = {} as ReturnType<typeof chromiumAndConsole>;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const listening = await listeningConsole(options);
    ({ console: held.console, origin: held.origin, close } = listening);
    held.browser = await launchChromium();
  });
  afterAll(async () => {
    await held.browser?.close();
    await close?.();
  });
  return held;
}
