// The managers' report's figures as plain data: what the report page, the
// supervisors' /stats and the desk's `stats` notice share (a file of its own
// so that the desk's effects name it without importing the ports).

/** Questions by what the bot did with them. */
export interface DecisionCounts {
  answered: number;
  clarified: number;
  /** Offered an operator (escalated), whether or not the citizen then opened a ticket. */
  escalated: number;
}

/** One Moscow calendar day of questions. */
export interface ReportDay extends DecisionCounts {
  /** YYYY-MM-DD in Moscow time. */
  day: string;
}

/** How many durations fall in [fromMs, toMs); `toMs` null is the open last bucket. */
export interface HistogramBucket {
  fromMs: number;
  toMs: number | null;
  count: number;
}

/** A set of durations: waits or handling times. */
export interface DurationSummary {
  count: number;
  medianMs: number | undefined;
  /** The 90th percentile (nearest rank): 9 in 10 were at most this long. */
  p90Ms: number | undefined;
  /** One bucket per DURATION_BUCKETS bound, all of them, empty ones included. */
  histogram: HistogramBucket[];
}

/** An incident of the period and what happened while it was on. */
export interface IncidentFigures {
  id: number;
  broken: string;
  intents: readonly string[];
  postedAt: number;
  /** Null: still on (counted up to the end of the period). */
  endedAt: number | null;
  /** Citizens' questions between its posting and its end. */
  questions: number;
  /** Tickets opened between its posting and its end. */
  tickets: number;
}

/** The figures of the managers' report for one period, as plain data. */
export interface ReportData {
  /** The period, `since` ≤ time < `until`, in ms. */
  since: number;
  until: number;
  /** Every Moscow day the period touches, oldest first, days without questions included. */
  days: ReportDay[];
  questions: DecisionCounts & {
    total: number;
    /** Each decision's share of the total, 0 to 1 (all 0 when there were no questions). */
    share: DecisionCounts;
  };
  /** The intents answered most often, most first (ties by id). */
  topIntents: { intent: string; count: number }[];
  /** The intents with the most 👎, most first (then the larger 👎 share, then by id); only those with any 👎. */
  disliked: { intent: string; helpful: number; unhelpful: number }[];
  tickets: {
    opened: number;
    /** Closed by an operator in the period. */
    closedByOperator: number;
    /** Closed by the citizen (/cancel) in the period. */
    cancelled: number;
    /** In the queue at the moment of the report (not at `until`). */
    waitingNow: number;
    /** With an operator at the moment of the report. */
    assignedNow: number;
  };
  /** From opening to an operator first taking it, of tickets first taken in the period. */
  wait: DurationSummary;
  /** From first taking to closing, of tickets operators closed in the period. */
  handling: DurationSummary;
  ratings: {
    /** How many tickets were rated 1, 2, 3, 4, 5 (index 0 is rating 1). */
    counts: [number, number, number, number, number];
    rated: number;
    mean: number | undefined;
    /** Citizens who said the problem was solved, and who said it was not. */
    solved: number;
    unsolved: number;
    /** solved / (solved + unsolved); undefined when nobody answered. */
    solvedShare: number | undefined;
  };
  /** The incidents on at any time in the period, the earliest posted first. */
  incidents: IncidentFigures[];
}

export interface ReportPeriod {
  since: number;
  until: number;
  /** How many intents the top and the 👎 lists keep. Defaults to 10. */
  top?: number;
}
