import { MOSCOW_OFFSET, moscowDay, startOfMoscowDay } from "../moscow-day.ts";
import type {
  DecisionCounts,
  DurationSummary,
  HistogramBucket,
  ReportData,
  ReportDay,
  ReportPeriod,
} from "../ports.ts";
import type { SqlClient } from "./client.ts";
import { incidentFigures } from "./incident-figures.ts";
import { createTicketStatistics } from "./ticket-stats.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The lower bounds of the wait and handling histogram buckets: <1, 1–5, 5–15, 15–30, 30–60 min, 1–2 h, 2 h+. */
export const DURATION_BUCKETS: readonly number[] = [0, 1, 5, 15, 30, 60, 120].map(
  (m) => m * MINUTE,
);

/** Nearest-rank percentile of ascending `sorted` (p in (0, 1]); undefined when empty. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function histogram(sorted: readonly number[]): HistogramBucket[] {
  return DURATION_BUCKETS.map((fromMs, i) => {
    const toMs = DURATION_BUCKETS[i + 1] ?? null;
    const count = sorted.filter((d) => d >= fromMs && (toMs === null || d < toMs)).length;
    return { fromMs, toMs, count };
  });
}

function summarize(sorted: readonly number[], median: number | undefined): DurationSummary {
  return {
    count: sorted.length,
    medianMs: median,
    p90Ms: percentile(sorted, 0.9),
    histogram: histogram(sorted),
  };
}

/** A row's Moscow day as YYYY-MM-DD, in each engine's date functions. */
const DAY_OF = {
  sqlite: "date((created_at + :offset) / 1000, 'unixepoch')",
  postgres: "to_char(to_timestamp((created_at + :offset) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
} as const;
const PER_DAY = (engine: SqlClient["engine"]) => `SELECT ${DAY_OF[engine]} AS day,
    sum(CASE WHEN decision = 'answer' THEN 1 ELSE 0 END) AS answered,
    sum(CASE WHEN decision = 'clarify' THEN 1 ELSE 0 END) AS clarified,
    sum(CASE WHEN decision = 'escalate' THEN 1 ELSE 0 END) AS escalated
  FROM questions WHERE created_at >= :since AND created_at < :until
  GROUP BY day ORDER BY day`;
const TOP_INTENTS = `SELECT intent, count(*) AS count FROM questions
  WHERE created_at >= ? AND created_at < ? AND decision = 'answer' AND intent IS NOT NULL
  GROUP BY intent ORDER BY count DESC, intent LIMIT ?`;
const UNHELPFUL = "sum(CASE WHEN helpful = 0 THEN 1 ELSE 0 END)";
const DISLIKED = `SELECT intent, sum(CASE WHEN helpful = 1 THEN 1 ELSE 0 END) AS helpful,
    ${UNHELPFUL} AS unhelpful
  FROM feedback
  WHERE created_at >= ? AND created_at < ?
  GROUP BY intent HAVING ${UNHELPFUL} > 0
  ORDER BY unhelpful DESC, 1.0 * ${UNHELPFUL} / count(*) DESC, intent LIMIT ?`;
const RATING_COUNTS = `SELECT rating, count(*) AS count FROM tickets
  WHERE closed_at >= ? AND closed_at < ? AND rating IS NOT NULL GROUP BY rating`;

/**
 * Collects the managers' report for `since` ≤ time < `until` from the bot's
 * database: questions per Moscow day and by decision, the most answered
 * intents, the intents with the most 👎, tickets, waits, handling times,
 * ratings, and each incident's questions and tickets. Read-only; the ticket
 * figures use the same definitions as the supervisors' /stats (ticket-stats).
 *
 * @example
 * const until = Date.now();
 * const data = await collectReport(db, { since: startOfMoscowDay(until) - 29 * 86_400_000, until });
 */
export async function collectReport(sql: SqlClient, period: ReportPeriod): Promise<ReportData> {
  const { since, until, top = 10 } = period;
  const found = new Map(
    (await sql.all<ReportDay>(PER_DAY(sql.engine), { since, until, offset: MOSCOW_OFFSET })).map(
      (row) => [
        row.day,
        {
          day: row.day,
          answered: Number(row.answered),
          clarified: Number(row.clarified),
          escalated: Number(row.escalated),
        },
      ],
    ),
  );
  const days: ReportDay[] = [];
  for (let t = startOfMoscowDay(since); t < until; t += DAY) {
    const day = moscowDay(t);
    days.push(found.get(day) ?? { day, answered: 0, clarified: 0, escalated: 0 });
  }
  const sum = (key: keyof DecisionCounts) => days.reduce((n, d) => n + d[key], 0);
  const counts = {
    answered: sum("answered"),
    clarified: sum("clarified"),
    escalated: sum("escalated"),
  };
  const total = counts.answered + counts.clarified + counts.escalated;
  const share = (n: number) => (total === 0 ? 0 : n / total);

  const statistics = createTicketStatistics(sql);
  const stats = await statistics.stats(since, until);
  const byRating: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  const ratingRows = await sql.all<{ rating: number; count: number }>(RATING_COUNTS, [
    since,
    until,
  ]);
  for (const row of ratingRows) byRating[row.rating - 1] = Number(row.count);
  const topIntents = await sql.all<{ intent: string; count: number }>(TOP_INTENTS, [
    since,
    until,
    top,
  ]);
  const disliked = await sql.all<{ intent: string; helpful: number; unhelpful: number }>(DISLIKED, [
    since,
    until,
    top,
  ]);
  const answeredSolved = stats.solved + stats.unsolved;

  return {
    since,
    until,
    days,
    questions: {
      ...counts,
      total,
      share: {
        answered: share(counts.answered),
        clarified: share(counts.clarified),
        escalated: share(counts.escalated),
      },
    },
    topIntents: topIntents.map((row) => ({ intent: row.intent, count: Number(row.count) })),
    disliked: disliked.map((row) => ({
      intent: row.intent,
      helpful: Number(row.helpful),
      unhelpful: Number(row.unhelpful),
    })),
    tickets: {
      opened: stats.opened,
      closedByOperator: stats.closed - stats.cancelled,
      cancelled: stats.cancelled,
      waitingNow: stats.waiting,
      assignedNow: stats.assigned,
    },
    wait: summarize(await statistics.waits(since, until), stats.medianWaitMs),
    handling: summarize(await statistics.handlings(since, until), stats.medianHandlingMs),
    ratings: {
      counts: byRating,
      rated: stats.rated,
      mean: stats.averageRating,
      solved: stats.solved,
      unsolved: stats.unsolved,
      solvedShare: answeredSolved === 0 ? undefined : stats.solved / answeredSolved,
    },
    incidents: await incidentFigures(sql, { since, until }),
  };
}
