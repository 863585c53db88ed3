import { DURATION_BUCKETS, type ReportData } from "../../../handoff/index.ts";

const MINUTE = 60_000;

/** Histogram buckets with these counts, in DURATION_BUCKETS order. */
export function buckets(counts: readonly number[]) {
  return DURATION_BUCKETS.map((fromMs, i) => ({
    fromMs,
    toMs: DURATION_BUCKETS[i + 1] ?? null,
    count: counts[i] ?? 0,
  }));
}

/**
 * A report over 1–4 November 2026 (Moscow) with figures easy to recognise
 * on the page; `overrides` replace whole top-level parts.
 */
export function sampleReport(overrides: Partial<ReportData> = {}): ReportData {
  return {
    since: Date.parse("2026-11-01T00:00:00+03:00"),
    until: Date.parse("2026-11-04T18:30:00+03:00"),
    days: [
      { day: "2026-11-01", answered: 9000, clarified: 800, escalated: 200 },
      { day: "2026-11-02", answered: 1000, clarified: 0, escalated: 345 },
      { day: "2026-11-03", answered: 0, clarified: 0, escalated: 0 },
      { day: "2026-11-04", answered: 0, clarified: 1000, escalated: 0 },
    ],
    questions: {
      answered: 10_000,
      clarified: 1800,
      escalated: 545,
      total: 12_345,
      share: { answered: 10_000 / 12_345, clarified: 1800 / 12_345, escalated: 545 / 12_345 },
    },
    topIntents: [
      { intent: "account.login_recovery", count: 4321 },
      { intent: "contacts.hotline", count: 1200 },
    ],
    disliked: [
      { intent: "tech.site_problems", helpful: 15, unhelpful: 21 },
      { intent: "application.status", helpful: 35, unhelpful: 12 },
    ],
    tickets: { opened: 890, closedByOperator: 851, cancelled: 39, waitingNow: 3, assignedNow: 2 },
    wait: {
      count: 851,
      medianMs: 4 * MINUTE,
      p90Ms: 17 * MINUTE,
      histogram: buckets([74, 427, 249, 67, 22, 10, 2]),
    },
    handling: {
      count: 851,
      medianMs: 9 * MINUTE,
      p90Ms: 95 * MINUTE,
      histogram: buckets([3, 198, 419, 178, 49, 4, 0]),
    },
    ratings: {
      counts: [0, 0, 70, 164, 341],
      rated: 575,
      mean: 4.47,
      solved: 462,
      unsolved: 113,
      solvedShare: 462 / 575,
    },
    incidents: [
      {
        id: 3,
        broken: "Вход через Госключ <не работает>",
        intents: ["account.login_recovery", "tech.site_problems"],
        postedAt: Date.parse("2026-11-02T10:15:00+03:00"),
        endedAt: Date.parse("2026-11-02T13:45:00+03:00"),
        questions: 2345,
        tickets: 67,
      },
      {
        id: 4,
        broken: "Оплата госпошлины",
        intents: ["tech.site_problems"],
        postedAt: Date.parse("2026-11-04T16:00:00+03:00"),
        endedAt: null,
        questions: 120,
        tickets: 8,
      },
    ],
    ...overrides,
  };
}

/** The same period with nothing in it. */
export function emptyReport(): ReportData {
  const zero = { answered: 0, clarified: 0, escalated: 0 };
  const none = { count: 0, medianMs: undefined, p90Ms: undefined, histogram: buckets([]) };
  return sampleReport({
    days: sampleReport().days.map((d) => ({ ...d, ...zero })),
    questions: { ...zero, total: 0, share: zero },
    topIntents: [],
    disliked: [],
    tickets: { opened: 0, closedByOperator: 0, cancelled: 0, waitingNow: 0, assignedNow: 0 },
    wait: none,
    handling: none,
    ratings: {
      counts: [0, 0, 0, 0, 0],
      rated: 0,
      mean: undefined,
      solved: 0,
      unsolved: 0,
      solvedShare: undefined,
    },
    incidents: [],
  });
}
