import { median } from "./median.ts";
import type { SqlClient } from "./sql/client.ts";

/** Supervisor figures since a moment (e.g. today's midnight), up to another (now by default). */
export interface TicketStats {
  /** Tickets opened since. */
  opened: number;
  /** Tickets closed since, by operators or cancelled by citizens. */
  closed: number;
  /** Tickets cancelled by citizens since. */
  cancelled: number;
  /** Waiting in the queue now. */
  waiting: number;
  /** With an operator now. */
  assigned: number;
  /** Median time from opening to an operator first taking it, of tickets first taken since. */
  medianWaitMs: number | undefined;
  /** Median time from first taking to closing, of tickets operators closed since. */
  medianHandlingMs: number | undefined;
  /** Mean rating (1-5) of tickets closed since and rated. */
  averageRating: number | undefined;
  rated: number;
  /** Citizens who said the problem was solved, and who said it was not. */
  solved: number;
  unsolved: number;
}

export interface TicketStatistics {
  /**
   * The median wait of the last tickets operators took, in whole minutes
   * rounded up (at least 1); undefined before any ticket was taken.
   */
  expectedWaitMinutes(): Promise<number | undefined>;
  /** Figures for `sinceMs` ≤ time < `untilMs` (the waiting and assigned counts are now's). */
  stats(sinceMs: number, untilMs?: number): Promise<TicketStats>;
  /** Each wait (opening to first taking, ms) of tickets first taken in the period, shortest first. */
  waits(sinceMs: number, untilMs?: number): Promise<number[]>;
  /** Each handling time (first taking to closing, ms) of tickets operators closed in the period, shortest first. */
  handlings(sinceMs: number, untilMs?: number): Promise<number[]>;
}

export interface TicketStatisticsOptions {
  /** How many of the last taken tickets the expected wait looks at. Defaults to 50. */
  waitSample?: number;
}

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
