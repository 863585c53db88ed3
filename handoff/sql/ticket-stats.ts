import { median } from "../median.ts";
import type { TicketStatistics, TicketStatisticsOptions } from "../ports.ts";
import type { SqlClient } from "./client.ts";

const MINUTE = 60_000;
/** The end of an open period. */
const FOREVER = Number.MAX_SAFE_INTEGER;

const RECENT_WAITS = `SELECT first_assigned_at - created_at AS wait FROM tickets
  WHERE first_assigned_at IS NOT NULL ORDER BY first_assigned_at DESC, id DESC LIMIT ?`;
const COUNTS = `SELECT
    (SELECT count(*) FROM tickets WHERE created_at >= :since AND created_at < :until) AS opened,
    (SELECT count(*) FROM tickets WHERE closed_at >= :since AND closed_at < :until) AS closed,
    (SELECT count(*) FROM tickets
     WHERE closed_at >= :since AND closed_at < :until AND closed_by = 'citizen') AS cancelled,
    (SELECT count(*) FROM tickets WHERE state = 'waiting') AS waiting,
    (SELECT count(*) FROM tickets WHERE state = 'assigned') AS assigned`;
const WAITS = `SELECT first_assigned_at - created_at AS wait FROM tickets
  WHERE first_assigned_at >= ? AND first_assigned_at < ? ORDER BY wait`;
const HANDLINGS = `SELECT closed_at - first_assigned_at AS handling FROM tickets
  WHERE closed_at >= ? AND closed_at < ? AND closed_by = 'operator'
    AND first_assigned_at IS NOT NULL
  ORDER BY handling`;
const RATINGS = `SELECT count(rating) AS rated, avg(rating) AS average,
    sum(CASE WHEN solved = 1 THEN 1 ELSE 0 END) AS solved,
    sum(CASE WHEN solved = 0 THEN 1 ELSE 0 END) AS unsolved
  FROM tickets WHERE closed_at >= ? AND closed_at < ?`;

type Counts = {
  opened: number;
  closed: number;
  cancelled: number;
  waiting: number;
  assigned: number;
};
type Ratings = {
  rated: number;
  average: number | null;
  solved: number | null;
  unsolved: number | null;
};

/** Queue and handling figures from the tickets table on `sql`. */
export function createTicketStatistics(
  sql: SqlClient,
  options: TicketStatisticsOptions = {},
): TicketStatistics {
  const { waitSample = 50 } = options;
  const waitsIn = async (since: number, until = FOREVER) =>
    (await sql.all<{ wait: number }>(WAITS, [since, until])).map((row) => row.wait);
  const handlingsIn = async (since: number, until = FOREVER) =>
    (await sql.all<{ handling: number }>(HANDLINGS, [since, until])).map((row) => row.handling);

  return {
    expectedWaitMinutes: async () => {
      const rows = await sql.all<{ wait: number }>(RECENT_WAITS, [waitSample]);
      const wait = median(rows.map((row) => row.wait));
      return wait === undefined ? undefined : Math.max(1, Math.ceil(wait / MINUTE));
    },
    stats: async (since, until = FOREVER) => {
      const count = (await sql.get<Counts>(COUNTS, { since, until })) as Counts;
      const rating = (await sql.get<Ratings>(RATINGS, [since, until])) as Ratings;
      return {
        opened: Number(count.opened),
        closed: Number(count.closed),
        cancelled: Number(count.cancelled),
        waiting: Number(count.waiting),
        assigned: Number(count.assigned),
        medianWaitMs: median(await waitsIn(since, until)),
        medianHandlingMs: median(await handlingsIn(since, until)),
        // PostgreSQL's avg is a numeric, which comes back as text.
        averageRating: rating.average === null ? undefined : Number(rating.average),
        rated: Number(rating.rated),
        solved: Number(rating.solved ?? 0),
        unsolved: Number(rating.unsolved ?? 0),
      };
    },
    waits: waitsIn,
    handlings: handlingsIn,
  };
}
