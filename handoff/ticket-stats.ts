import type { Database } from "better-sqlite3";
import { median } from "./median.ts";

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
  expectedWaitMinutes(): number | undefined;
  /** Figures for `sinceMs` ≤ time < `untilMs` (the waiting and assigned counts are now's). */
  stats(sinceMs: number, untilMs?: number): TicketStats;
  /** Each wait (opening to first taking, ms) of tickets first taken in the period, shortest first. */
  waits(sinceMs: number, untilMs?: number): number[];
  /** Each handling time (first taking to closing, ms) of tickets operators closed in the period, shortest first. */
  handlings(sinceMs: number, untilMs?: number): number[];
}

export interface TicketStatisticsOptions {
  /** How many of the last taken tickets the expected wait looks at. Defaults to 50. */
  waitSample?: number;
}

const MINUTE = 60_000;
/** The end of an open period. */
const FOREVER = Number.MAX_SAFE_INTEGER;

/** Queue and handling figures from the tickets table on `db`. */
export function createTicketStatistics(
  db: Database,
  options: TicketStatisticsOptions = {},
): TicketStatistics {
  const { waitSample = 50 } = options;
  const recentWaits = db.prepare<[number], { wait: number }>(
    `SELECT first_assigned_at - created_at AS wait FROM tickets
     WHERE first_assigned_at IS NOT NULL ORDER BY first_assigned_at DESC, id DESC LIMIT ?`,
  );
  const counts = db.prepare<
    { since: number; until: number },
    { opened: number; closed: number; cancelled: number; waiting: number; assigned: number }
  >(
    `SELECT
       (SELECT count(*) FROM tickets WHERE created_at >= :since AND created_at < :until) AS opened,
       (SELECT count(*) FROM tickets WHERE closed_at >= :since AND closed_at < :until) AS closed,
       (SELECT count(*) FROM tickets
        WHERE closed_at >= :since AND closed_at < :until AND closed_by = 'citizen') AS cancelled,
       (SELECT count(*) FROM tickets WHERE state = 'waiting') AS waiting,
       (SELECT count(*) FROM tickets WHERE state = 'assigned') AS assigned`,
  );
  const waits = db.prepare<[number, number], { wait: number }>(
    `SELECT first_assigned_at - created_at AS wait FROM tickets
     WHERE first_assigned_at >= ? AND first_assigned_at < ? ORDER BY wait`,
  );
  const handlings = db.prepare<[number, number], { handling: number }>(
    `SELECT closed_at - first_assigned_at AS handling FROM tickets
     WHERE closed_at >= ? AND closed_at < ? AND closed_by = 'operator'
       AND first_assigned_at IS NOT NULL
     ORDER BY handling`,
  );
  const ratings = db.prepare<
    [number, number],
    { rated: number; average: number | null; solved: number | null; unsolved: number | null }
  >(
    `SELECT count(rating) AS rated, avg(rating) AS average,
       sum(solved = 1) AS solved, sum(solved = 0) AS unsolved
     FROM tickets WHERE closed_at >= ? AND closed_at < ?`,
  );
  const waitsIn = (since: number, until = FOREVER) =>
    waits.all(since, until).map((row) => row.wait);
  const handlingsIn = (since: number, until = FOREVER) =>
    handlings.all(since, until).map((row) => row.handling);

  return {
    expectedWaitMinutes: () => {
      const wait = median(recentWaits.all(waitSample).map((row) => row.wait));
      return wait === undefined ? undefined : Math.max(1, Math.ceil(wait / MINUTE));
    },
    stats: (since, until = FOREVER) => {
      const count = counts.get({ since, until }) as NonNullable<ReturnType<typeof counts.get>>;
      const rating = ratings.get(since, until) as NonNullable<ReturnType<typeof ratings.get>>;
      return {
        ...count,
        medianWaitMs: median(waitsIn(since, until)),
        medianHandlingMs: median(handlingsIn(since, until)),
        averageRating: rating.average ?? undefined,
        rated: rating.rated,
        solved: rating.solved ?? 0,
        unsolved: rating.unsolved ?? 0,
      };
    },
    waits: waitsIn,
    handlings: handlingsIn,
  };
}
