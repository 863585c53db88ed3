import { describe, expect, it } from "vitest";
import { collectReport, createStore, startOfMoscowDay } from "../../../handoff/index.ts";
import { openSqlite } from "../../../handoff/sqlite/index.ts";
import { escapeHtml } from "../../../knowledge/index.ts";
import { renderReportHtml } from "../../../web/report/index.ts";
import { emptyReport, sampleReport } from "../../handoff/report/sample-report.ts";

const NBSP = "\u00a0";

const SCRIPT = '<script>alert("x")</script>';
const IMAGE = '"><img src=x onerror=alert(1)>';
const LINK = "http://evil.example/a.js";

/** What could make a browser fetch or run something: none may appear in the page's own markup. */
const EXTERNAL =
  /<script|<link|<img|<iframe|<object|<embed|<use|\b(?:src|href|xlink:href|srcset|action)\s*=|url\(|@import|https?:|\/\/[a-z]/gi;

/** The page with the escaped data texts taken out, so what is left is the page's own markup. */
const withoutData = (html: string, texts: readonly string[]) =>
  texts.reduce((page, text) => page.replaceAll(escapeHtml(text), "DATA"), html);

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

/** The markup of one chart, by its class. */
function chart(html: string, name: string): string {
  const match = new RegExp(`<svg class="chart ${name}"[\\s\\S]*?</svg>`).exec(html);
  if (!match) throw new Error(`no chart ${name}`);
  return match[0];
}

describe("renderReportHtml: safety", () => {
  const hostile = sampleReport({
    topIntents: [
      { intent: SCRIPT, count: 10 },
      { intent: LINK, count: 5 },
    ],
    disliked: [{ intent: IMAGE, helpful: 1, unhelpful: 9 }],
  });

  it("escapes intent ids and titles from the data", () => {
    const html = renderReportHtml(hostile, {
      intentTitle: (id) => (id === LINK ? `<b>Ссылка</b> & "кавычки"` : undefined),
    });
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>Ссылка</b>");
    expect(html).toContain(`<code>${escapeHtml(SCRIPT)}</code>`);
    expect(html).toContain(`<code>${escapeHtml(IMAGE)}</code>`);
    expect(html).toContain("&lt;b&gt;Ссылка&lt;/b&gt; &amp; &quot;кавычки&quot;");
  });

  it("refers to nothing outside the page: no script, link, image, URL or import in its markup", () => {
    const html = renderReportHtml(hostile);
    expect(withoutData(html, [SCRIPT, IMAGE, LINK]).match(EXTERNAL)).toBeNull();
    // The one URL-like text is data, shown as text inside <code>.
    expect(count(html, /http:\/\/evil/g)).toBe(count(html, /<code>http:\/\/evil[^<]*<\/code>/g));
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
  });

  it("never shows question texts, however they are written", async () => {
    const db = openSqlite(":memory:");
    const at = Date.parse("2026-11-02T12:00:00+03:00");
    const store = createStore(db, { now: () => at });
    await store.recordQuestion({
      chatId: 1,
      text: `${SCRIPT} мой СНИЛС`,
      language: "ru",
      decision: "answer",
      intent: SCRIPT,
      confidence: 0.9,
      candidates: [],
    });
    await store.recordFeedback(1, IMAGE, false);
    const html = renderReportHtml(
      await collectReport(db, { since: startOfMoscowDay(at), until: at + 60_000 }),
    );
    expect(html).not.toContain("мой СНИЛС");
    expect(withoutData(html, [SCRIPT, IMAGE]).match(EXTERNAL)).toBeNull();
    expect(html).toContain(escapeHtml(SCRIPT));
    await db.close();
  });
});

describe("renderReportHtml: content", () => {
  const html = renderReportHtml(sampleReport(), {
    generatedAt: Date.parse("2026-11-04T18:30:00+03:00"),
    intentTitle: (id) => (id === "contacts.hotline" ? "Телефон горячей линии" : undefined),
  });

  it("is a Russian page with ru-RU numbers, shares, durations and Moscow dates", () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="ru">/);
    expect(html).toContain(`12${NBSP}345`); // questions
    expect(html).toContain(`81${NBSP}%`); // 10 000 of 12 345 answered
    expect(html).toContain(`14,6${NBSP}%`); // 1 800 clarified
    expect(html).toContain(`4,4${NBSP}%`); // 545 escalated
    expect(html).toContain("с 1 ноября 2026 г. по 4 ноября 2026 г.");
    expect(html).toContain("Сформирован 4 ноября 2026 г. в 18:30");
    expect(html).toContain("1 ч 35 мин"); // p90 handling
    expect(html).toContain("17 мин");
    expect(html).toContain("4,5"); // mean rating 4.47
    expect(html).toContain(`80,3${NBSP}%`); // 462 of 575 solved
  });

  it("shows ticket figures, the 👎 counts and intents by title and id", () => {
    for (const figure of ["890", "851", "39"]) expect(html).toContain(`<dd>${figure}</dd>`);
    expect(html).toMatch(
      /<code>tech\.site_problems<\/code><\/td><td class="num">15<\/td><td class="num">21<\/td>/,
    );
    expect(html).toContain("Телефон горячей линии<br><code>contacts.hotline</code>");
    expect(html).toContain("<code>account.login_recovery</code>");
  });

  it("lists each incident, escaped, with its time on and its questions and tickets", () => {
    const section = /<section id="incidents">[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    expect(section).toContain("<td>Вход через Госключ &lt;не работает&gt;</td>");
    expect(section).not.toContain("<не работает>");
    expect(section).toMatch(
      /2 ноября 2026 г\. в 10:15 — 2 ноября 2026 г\. в 13:45<\/td><td class="num">2\u00a0345<\/td><td class="num">67<\/td>/,
    );
    expect(section).toContain("продолжается");
    expect(count(section, /<tr>/g)).toBe(3);
  });

  it("draws one column a day and one bar per non-zero decision of the day", () => {
    const days = chart(html, "chart-days");
    expect(count(days, /<g class="column">/g)).toBe(4);
    expect(count(days, /<rect class="bar s-answered"/g)).toBe(2);
    expect(count(days, /<rect class="bar s-clarified"/g)).toBe(2);
    expect(count(days, /<rect class="bar s-escalated"/g)).toBe(2);
    expect(days).toContain("<title>1 нояб.: всего 10");
  });

  it("stacks each day's bars to its total, the tallest day reaching near the top", () => {
    const days = chart(html, "chart-days");
    const heights = [...days.matchAll(/<g class="column">[\s\S]*?<\/g>/g)].map((g) =>
      [...g[0].matchAll(/height="([\d.]+)"/g)].reduce((h, m) => h + Number(m[1]), 0),
    );
    // Totals 10 000, 1 345, 0, 1 000 on an axis up to 10 000: the first day fills the plot.
    const gridlines = [...days.matchAll(/<line class="grid"[^>]*y1="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    const plotHeight = Math.max(...gridlines) - Math.min(...gridlines);
    expect(days).toContain(`>10${NBSP}000</text>`);
    expect(heights[0]).toBeCloseTo(plotHeight, 0);
    expect(heights[1]).toBeCloseTo(plotHeight * 0.1345, 0);
    expect(heights[2]).toBe(0);
    expect(heights[3]).toBeCloseTo(plotHeight * 0.1, 0);
  });

  it("draws the histograms and the ratings with a bar for each non-empty bucket", () => {
    expect(count(chart(html, "chart-wait"), /<rect class="bar"/g)).toBe(7);
    expect(count(chart(html, "chart-handling"), /<rect class="bar"/g)).toBe(6);
    expect(count(chart(html, "chart-ratings"), /<rect class="bar"/g)).toBe(3);
    expect(chart(html, "chart-wait")).toContain(">≥ 2 ч</text>");
    expect(count(chart(html, "chart-outcomes"), /<rect class="bar s-/g)).toBe(3);
  });
});

describe("renderReportHtml: an empty period", () => {
  const html = renderReportHtml(emptyReport());

  it("says there is nothing instead of drawing bars, and shows no NaN or undefined", () => {
    expect(chart(html, "chart-days")).toContain("За период вопросов не было");
    expect(count(html, /<rect class="bar/g)).toBe(0);
    expect(html).toContain("Ни одного 👎 за период.");
    expect(html).toContain("Бот не ответил ни на один вопрос за период.");
    expect(html).toContain("Сбоев за период не объявляли.");
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });
});
