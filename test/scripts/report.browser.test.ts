// The report page in a real browser (Debian's chromium, driven by
// playwright-core): charts drawn, no errors, nothing fetched. Skipped when
// chromium is not installed; .ci/run installs it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectReport,
  createStore,
  type ReportData,
  startOfMoscowDay,
} from "../../handoff/index.ts";
import {
  formatCount,
  formatDuration,
  formatMean,
  formatShare,
} from "../../handoff/report/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { renderReportHtml } from "../../web/report/index.ts";
import { hasChromium, launchChromium } from "../chromium.ts";
import { seedRealisticMonth } from "../handoff/report/realistic-month.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-25T13:00:00+03:00");
/** An intent id that would fetch an image if it reached the page unescaped. */
const HOSTILE = '<img src="http://127.0.0.1:9/x.png"><script>document.title="pwned"</script>';

/** A page opened on `url` that records every request, console error and page error. */
async function open(browser: Browser, url: string, width: number) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  // Everything but the page itself is refused (and would be listed).
  await context.route("**/*", (route) =>
    route.request().url() === url ? route.continue() : route.abort(),
  );
  const page: Page = await context.newPage();
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url, { waitUntil: "load" });
  return { page, requests, problems, close: () => context.close() };
}

/** The rendered size of every element matching `selector`. */
const boxes = (page: Page, selector: string) =>
  page.$$eval(selector, (elements) =>
    elements.map((e) => {
      const r = e.getBoundingClientRect();
      return { width: r.width, height: r.height };
    }),
  );

describe.skipIf(!hasChromium())("the report page in chromium", () => {
  let browser: Browser;
  let dir: string;
  let data: ReportData;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "report-browser-"));
    const db = openSqlite(join(dir, "bot.sqlite"));
    await seedRealisticMonth(db, { until: NOW, days: 30 });
    // Enough 👎 to head the list.
    const store = createStore(db, { now: () => NOW - DAY });
    for (let i = 0; i < 500; i++) await store.recordFeedback(i, HOSTILE, false);
    data = await collectReport(db, { since: startOfMoscowDay(NOW) - 29 * DAY, until: NOW });
    await db.close();
    const file = join(dir, "report.html");
    writeFileSync(file, renderReportHtml(data, { generatedAt: NOW }));
    url = pathToFileURL(file).href;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("loads nothing but itself and logs no error", async () => {
    const { page, requests, problems, close } = await open(browser, url, 1200);
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    expect(await page.title()).toMatch(/^Отчёт бота @GosUslugiHelp: с 27 октября 2026 г\./);
    await close();
  });

  it("draws every chart with a bar for each non-zero value of the data", async () => {
    const { page, close } = await open(browser, url, 1200);
    const charts = await boxes(page, "svg.chart");
    expect(charts).toHaveLength(5); // days, outcomes, wait, handling, ratings
    for (const box of charts) expect(box.width * box.height).toBeGreaterThan(0);

    const segments = data.days.reduce(
      (n, d) => n + [d.answered, d.clarified, d.escalated].filter((v) => v > 0).length,
      0,
    );
    expect(await page.locator("svg.chart-days g.column").count()).toBe(data.days.length);
    const nonZero = (values: readonly number[]) => values.filter((v) => v > 0).length;
    const expected: [string, number][] = [
      ["svg.chart-days rect.bar", segments],
      ["svg.chart-outcomes rect.bar", 3],
      ["svg.chart-wait rect.bar", nonZero(data.wait.histogram.map((b) => b.count))],
      ["svg.chart-handling rect.bar", nonZero(data.handling.histogram.map((b) => b.count))],
      ["svg.chart-ratings rect.bar", nonZero(data.ratings.counts)],
      ["svg.mini rect.bar", data.topIntents.length + data.disliked.length],
    ];
    for (const [selector, count] of expected) {
      const bars = await boxes(page, selector);
      expect(bars, selector).toHaveLength(count);
      for (const bar of bars) expect(bar.width * bar.height, selector).toBeGreaterThan(0);
    }
    expect(segments).toBeGreaterThan(60); // the month really is drawn, not a near-empty chart
    await close();
  });

  it("shows the key figures as text, ru-RU formatted, and the hostile intent as plain text", async () => {
    const { page, close } = await open(browser, url, 1200);
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered is what a manager reads
    const text = await page.locator("body").innerText();
    const q = data.questions;
    for (const figure of [
      `${formatCount(q.total)}\nвопросов`,
      `${formatShare(q.share.answered)}\nотвечено`,
      `${formatShare(q.share.escalated)}\nпередано оператору`,
      `Открыто\n${formatCount(data.tickets.opened)}`,
      `Закрыто операторами\n${formatCount(data.tickets.closedByOperator)}`,
      `Отменено гражданами\n${formatCount(data.tickets.cancelled)}`,
      `Ждут в очереди сейчас\n${formatCount(data.tickets.waitingNow)}`,
      `Медиана\n${formatDuration(data.wait.medianMs)}`,
      `9 из 10 не дольше (p90)\n${formatDuration(data.handling.p90Ms)}`,
      `Средняя оценка (из 5)\n${formatMean(data.ratings.mean)}`,
      `Вопрос решён\n${formatShare(data.ratings.solvedShare)}`,
    ]) {
      expect(text).toContain(figure);
    }
    expect(q.total).toBeGreaterThan(1000);
    const top = data.topIntents[0];
    expect(text).toContain(`${top?.intent}\t${formatCount(top?.count ?? 0)}`);
    expect(data.disliked[0]?.intent).toBe(HOSTILE);
    expect(text).toContain(HOSTILE);
    expect(await page.locator("img, script").count()).toBe(0);
    await close();
  });

  it("fits a phone's width without scrolling sideways", async () => {
    for (const width of [1200, 390]) {
      const { page, close } = await open(browser, url, width);
      const scrollWidth = await page.evaluate<number>("document.documentElement.scrollWidth");
      expect(scrollWidth, `at ${width} px`).toBeLessThanOrEqual(width);
      await close();
    }
  });
});
