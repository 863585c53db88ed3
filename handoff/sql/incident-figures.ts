import type { IncidentFigures } from "../report-figures.ts";
import type { SqlClient } from "./client.ts";

// Each incident on at any time in the period, with the questions asked and
// the tickets opened while it was on: from its posting to its end, or to the
// end of the period while it is still on.
const DURING = `SELECT i.id, i.broken, i.intents, i.posted_at, i.ended_at,
    (SELECT count(*) FROM questions q
      WHERE q.created_at >= i.posted_at AND q.created_at < COALESCE(i.ended_at, :until)) AS questions,
    (SELECT count(*) FROM tickets t
      WHERE t.created_at >= i.posted_at AND t.created_at < COALESCE(i.ended_at, :until)) AS tickets
  FROM incidents i
  WHERE i.posted_at < :until AND (i.ended_at IS NULL OR i.ended_at >= :since)
  ORDER BY i.posted_at, i.id`;

interface Row {
  id: number;
  broken: string;
  intents: string;
  posted_at: number;
  ended_at: number | null;
  questions: number;
  tickets: number;
}

/**
 * The report's incidents of `since` ≤ time < `until`, each counted over its
 * whole time on (not cut at the period's edges: an incident is one event).
 *
 * @example await incidentFigures(db, { since, until: Date.now() })
 */
export async function incidentFigures(
  sql: SqlClient,
  period: { since: number; until: number },
): Promise<IncidentFigures[]> {
  const rows = await sql.all<Row>(DURING, { since: period.since, until: period.until });
  return rows.map((row) => ({
    id: Number(row.id),
    broken: row.broken,
    intents: JSON.parse(row.intents) as string[],
    postedAt: Number(row.posted_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    questions: Number(row.questions),
    tickets: Number(row.tickets),
  }));
}
