import {
  DECISIONS,
  formatCount,
  formatDuration,
  formatMean,
  formatPeriod,
  formatShare,
  type IntentTitle,
  type ReportData,
} from "../../handoff/index.ts";
import { escapeHtml } from "../../knowledge/index.ts";

export interface ReportTextOptions {
  /** How many intents each list shows. Defaults to 5. */
  top?: number;
  /** The intents' titles (from the knowledge base); the id when there is none. Defaults to none. */
  intentTitle?: IntentTitle;
}

/**
 * The report's key figures as a short Telegram HTML message (only <b>, every
 * text from the data escaped), for the supervisors' /stats.
 *
 * @example sendHtml(chatId, formatReportText(collectReport(db, { since, until: now })));
 */
export function formatReportText(data: ReportData, options: ReportTextOptions = {}): string {
  const { top = 5, intentTitle } = options;
  const name = (intent: string) => escapeHtml(intentTitle?.(intent) ?? intent);
  const { questions: q, tickets: t, wait, handling, ratings: r } = data;
  const lines = [`<b>Отчёт: ${escapeHtml(formatPeriod(data.since, data.until))}</b>`];
  lines.push(
    q.total === 0
      ? "Вопросов: 0"
      : `Вопросов: ${formatCount(q.total)} — ${DECISIONS.map((s) => `${s.name.toLowerCase()} ${formatShare(q.share[s.key])}`).join(", ")}`,
  );
  if (data.topIntents.length > 0) {
    lines.push(
      `Частые темы: ${data.topIntents
        .slice(0, top)
        .map((i) => `${name(i.intent)} (${formatCount(i.count)})`)
        .join(", ")}`,
    );
  }
  if (data.disliked.length > 0) {
    lines.push(
      `Больше всего 👎: ${data.disliked
        .slice(0, top)
        .map(
          (i) => `${name(i.intent)} (👎 ${formatCount(i.unhelpful)}, 👍 ${formatCount(i.helpful)})`,
        )
        .join(", ")}`,
    );
  }
  lines.push(
    `Обращения: открыто ${formatCount(t.opened)}, закрыто операторами ${formatCount(t.closedByOperator)}, отменено ${formatCount(t.cancelled)}; ждут сейчас ${formatCount(t.waitingNow)}, у операторов ${formatCount(t.assignedNow)}`,
    `Ожидание: медиана ${formatDuration(wait.medianMs)}, p90 ${formatDuration(wait.p90Ms)}`,
    `Работа: медиана ${formatDuration(handling.medianMs)}, p90 ${formatDuration(handling.p90Ms)}`,
    `Оценки: средняя ${formatMean(r.mean)} (${formatCount(r.rated)}), решено ${formatShare(r.solvedShare)}`,
  );
  return lines.join("\n");
}
