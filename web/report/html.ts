import {
  DECISIONS,
  type DurationSummary,
  formatCount,
  formatDateTime,
  formatDay,
  formatDuration,
  formatDurationRange,
  formatMean,
  formatPeriod,
  formatShare,
  type IntentTitle,
  type ReportData,
} from "../../handoff/index.ts";
import { escapeHtml } from "../../knowledge/index.ts";
import { columnChart, inlineBar, shareBar, stackedColumnChart } from "./charts.ts";

export interface ReportHtmlOptions {
  /** When the report was made, shown under the title. Defaults to the end of the period. */
  generatedAt?: number;
  /** The intents' titles (from the knowledge base); ids are shown either way. Defaults to none. */
  intentTitle?: IntentTitle;
}

const esc = escapeHtml;

// Everything the page needs is here: the Content-Security-Policy forbids any
// fetch, so a page that works in the test works offline.
/** The page's one style sheet, inline (the console's CSP allows it by its hash). */
export const REPORT_STYLE = `
:root { --answered: #2e8b57; --clarified: #e0a100; --escalated: #c8483b; --bar: #3b6fb6;
  --text: #1d2330; --muted: #5d6675; --line: #d9dee7; --bg: #f4f6fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 12px; }
.muted, .period { color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 16px 18px; margin: 16px 0; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr));
  gap: 16px; }
.grid2 > section { margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(125px, 1fr)); gap: 12px;
  background: none; border: 0; padding: 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .value { font-size: 24px; font-weight: 650; }
.card .label { color: var(--muted); font-size: 13px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
svg.chart-days, svg.chart-outcomes { width: 100%; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { stroke: #9aa3b2; stroke-width: 1; }
svg .tick, svg .value { fill: var(--muted); font-size: 11px; }
svg .empty { fill: var(--muted); font-size: 14px; }
svg .bar { fill: var(--bar); }
svg .track { fill: #eef1f6; }
svg .s-answered, .key.s-answered { fill: var(--answered); background: var(--answered); }
svg .s-clarified, .key.s-clarified { fill: var(--clarified); background: var(--clarified); }
svg .s-escalated, .key.s-escalated { fill: var(--escalated); background: var(--escalated); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0; padding: 0; list-style: none; }
.key { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px;
  vertical-align: -1px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { color: var(--muted); font-weight: 500; font-size: 13px; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; color: var(--muted); word-break: break-all; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 8px 16px;
  margin: 0; }
.figures div { border-left: 3px solid var(--line); padding-left: 10px; }
.figures dt { color: var(--muted); font-size: 13px; }
.figures dd { margin: 0; font-size: 20px; font-weight: 600; }
footer { color: var(--muted); font-size: 13px; }
@media print { body { background: #fff; } section, .card { break-inside: avoid; } }
`;

function intentCell(intent: string, intentTitle: IntentTitle | undefined): string {
  const title = intentTitle?.(intent);
  return title ? `${esc(title)}<br><code>${esc(intent)}</code>` : `<code>${esc(intent)}</code>`;
}

function card(value: string, label: string): string {
  return `<div class="card"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
}

function figures(items: readonly [label: string, value: string][]): string {
  return `<dl class="figures">${items
    .map(([label, value]) => `<div><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`)
    .join("")}</dl>`;
}

function legend(items: readonly { key: string; text: string }[]): string {
  return `<ul class="legend">${items
    .map((i) => `<li><span class="key s-${i.key}"></span>${esc(i.text)}</li>`)
    .join("")}</ul>`;
}

function questionsByDay(data: ReportData): string {
  const columns = data.days.map((d) => {
    const total = d.answered + d.clarified + d.escalated;
    return {
      label: formatDay(d.day),
      title: `${formatDay(d.day)}: всего ${formatCount(total)}; ${DECISIONS.map((s) => `${s.name.toLowerCase()} ${formatCount(d[s.key])}`).join(", ")}`,
      values: { answered: d.answered, clarified: d.clarified, escalated: d.escalated },
    };
  });
  return `<section id="days"><h2>Вопросы по дням</h2>${legend(DECISIONS.map((s) => ({ key: s.key, text: s.name })))}${stackedColumnChart(
    "chart-days",
    "Вопросы по дням: отвечено, уточнено, передано оператору",
    DECISIONS,
    columns,
    formatCount,
    "За период вопросов не было",
  )}</section>`;
}

function outcomes(data: ReportData): string {
  const q = data.questions;
  const parts = DECISIONS.map((s) => ({
    key: s.key,
    share: q.share[s.key],
    title: `${s.name}: ${formatCount(q[s.key])} (${formatShare(q.share[s.key])})`,
  }));
  return `<section id="outcomes"><h2>Чем закончились вопросы</h2>${shareBar("chart-outcomes", "Доли: отвечено, уточнено, передано оператору", parts)}${legend(
    DECISIONS.map((s) => ({
      key: s.key,
      text: `${s.name}: ${formatShare(q.total === 0 ? undefined : q.share[s.key])} (${formatCount(q[s.key])})`,
    })),
  )}</section>`;
}

function topIntents(data: ReportData, intentTitle: IntentTitle | undefined): string {
  const rows = data.topIntents;
  if (rows.length === 0) {
    return `<section id="top"><h2>Частые темы</h2><p class="muted">Бот не ответил ни на один вопрос за период.</p></section>`;
  }
  const max = Math.max(...rows.map((r) => r.count));
  return `<section id="top"><h2>Частые темы</h2><table><thead><tr><th>Тема</th><th class="num">Ответов</th><th class="num">Доля</th><th></th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><td>${intentCell(r.intent, intentTitle)}</td><td class="num">${formatCount(r.count)}</td><td class="num">${esc(formatShare(r.count / data.questions.answered))}</td><td>${inlineBar("top-bar", r.count / max)}</td></tr>`,
    )
    .join("")}</tbody></table></section>`;
}

function disliked(data: ReportData, intentTitle: IntentTitle | undefined): string {
  const rows = data.disliked;
  const heading = "<h2>Темы с оценкой «не помогло» 👎</h2>";
  if (rows.length === 0) {
    return `<section id="disliked">${heading}<p class="muted">Ни одного 👎 за период.</p></section>`;
  }
  return `<section id="disliked">${heading}<table><thead><tr><th>Тема</th><th class="num">👍 да</th><th class="num">👎 нет</th><th class="num">Доля 👎</th><th></th></tr></thead><tbody>${rows
    .map((r) => {
      const share = r.unhelpful / (r.helpful + r.unhelpful);
      return `<tr><td>${intentCell(r.intent, intentTitle)}</td><td class="num">${formatCount(r.helpful)}</td><td class="num">${formatCount(r.unhelpful)}</td><td class="num">${esc(formatShare(share))}</td><td>${inlineBar("disliked-bar", share)}</td></tr>`;
    })
    .join("")}</tbody></table></section>`;
}

function tickets(data: ReportData): string {
  const t = data.tickets;
  return `<section id="tickets"><h2>Обращения к операторам</h2>${figures([
    ["Открыто", formatCount(t.opened)],
    ["Закрыто операторами", formatCount(t.closedByOperator)],
    ["Отменено гражданами", formatCount(t.cancelled)],
    ["Ждут в очереди сейчас", formatCount(t.waitingNow)],
    ["У операторов сейчас", formatCount(t.assignedNow)],
  ])}</section>`;
}

function incidents(data: ReportData, intentTitle: IntentTitle | undefined): string {
  const rows = data.incidents;
  const heading = "<h2>Сбои портала</h2>";
  if (rows.length === 0) {
    return `<section id="incidents">${heading}<p class="muted">Сбоев за период не объявляли.</p></section>`;
  }
  return `<section id="incidents">${heading}<table><thead><tr><th>Что сломано</th><th>Темы</th><th>Когда</th><th class="num">Вопросов</th><th class="num">Обращений</th></tr></thead><tbody>${rows
    .map((r) => {
      const when = `${formatDateTime(r.postedAt)} — ${r.endedAt === null ? "продолжается" : formatDateTime(r.endedAt)}`;
      const topics = r.intents.map((intent) => intentCell(intent, intentTitle)).join("<br>");
      return `<tr><td>${esc(r.broken)}</td><td>${topics}</td><td>${esc(when)}</td><td class="num">${formatCount(r.questions)}</td><td class="num">${formatCount(r.tickets)}</td></tr>`;
    })
    .join("")}</tbody></table></section>`;
}

function durations(id: string, heading: string, summary: DurationSummary, what: string): string {
  const columns = summary.histogram.map((b) => {
    const label = formatDurationRange(b.fromMs, b.toMs);
    return { label, value: b.count, title: `${label}: ${formatCount(b.count)}` };
  });
  return `<section id="${id}"><h2>${esc(heading)}</h2>${figures([
    ["Медиана", formatDuration(summary.medianMs)],
    ["9 из 10 не дольше (p90)", formatDuration(summary.p90Ms)],
    [what, formatCount(summary.count)],
  ])}${columnChart(`chart-${id}`, `${heading}: сколько обращений в каждом интервале`, columns, formatCount)}</section>`;
}

function ratings(data: ReportData): string {
  const r = data.ratings;
  const columns = r.counts.map((count, i) => ({
    label: `${i + 1} ★`,
    value: count,
    title: `Оценка ${i + 1}: ${formatCount(count)}`,
  }));
  return `<section id="ratings"><h2>Оценки граждан</h2>${figures([
    ["Средняя оценка (из 5)", formatMean(r.mean)],
    ["Оценок", formatCount(r.rated)],
    ["Вопрос решён", formatShare(r.solvedShare)],
    ["Решён / не решён", `${formatCount(r.solved)} / ${formatCount(r.unsolved)}`],
  ])}${columnChart("chart-ratings", "Оценки от 1 до 5", columns, formatCount)}</section>`;
}

/**
 * The managers' report as one self-contained HTML page: inline styles and SVG
 * charts, no script, nothing fetched (a Content-Security-Policy forbids it),
 * Russian labels, ru-RU numbers, Moscow days. Every text from the data is
 * escaped.
 *
 * @example writeFileSync("report.html", renderReportHtml(collectReport(db, period)));
 */
export function renderReportHtml(data: ReportData, options: ReportHtmlOptions = {}): string {
  const { generatedAt = data.until, intentTitle } = options;
  const q = data.questions;
  const period = formatPeriod(data.since, data.until);
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(`Отчёт бота @GosUslugiHelp: ${period}`)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<main>
<header><h1>Отчёт о работе бота @GosUslugiHelp</h1>
<p class="period">${esc(`${period}, по московскому времени. Сформирован ${formatDateTime(generatedAt)}.`)}</p></header>
<section class="cards" id="summary">${[
    card(formatCount(q.total), "вопросов"),
    ...DECISIONS.map((s) =>
      card(formatShare(q.total === 0 ? undefined : q.share[s.key]), s.name.toLowerCase()),
    ),
    card(formatCount(data.tickets.opened), "обращений к операторам"),
    card(formatDuration(data.wait.medianMs), "медиана ожидания"),
    card(formatMean(data.ratings.mean), "средняя оценка"),
  ].join("")}</section>
${questionsByDay(data)}
${outcomes(data)}
<div class="grid2">
${topIntents(data, intentTitle)}
${disliked(data, intentTitle)}
</div>
${tickets(data)}
${incidents(data, intentTitle)}
<div class="grid2">
${durations("wait", "Ожидание оператора", data.wait, "Взято обращений")}
${durations("handling", "Работа оператора", data.handling, "Закрыто операторами")}
</div>
${ratings(data)}
<footer><p>Отвечено — бот дал ответ из базы знаний; уточнено — бот переспросил («Вы имели в виду…»); передано оператору — бот не нашёл ответа и предложил оператора. Ожидание — от открытия обращения до того, как оператор его взял; работа — от взятия до закрытия. p90: 9 обращений из 10 заняли не больше. Сбой — объявленный сотрудниками сбой портала: вопросы и обращения посчитаны от объявления до отмены (у продолжающегося — до конца периода). Дни — по московскому времени.</p></footer>
</main>
</body>
</html>
`;
}
