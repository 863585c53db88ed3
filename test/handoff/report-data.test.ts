import { describe, expect, it } from "vitest";
import {
  collectReport,
  createStaff,
  createStore,
  createTicketService,
  DURATION_BUCKETS,
  moscowDay,
  type QuestionRecord,
  startOfMoscowDay,
} from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { MINUTE, movableClock } from "./temp-database.ts";

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Sunday 1 November 2026, midnight in Moscow (21:00 UTC the day before). */
const NOV_1 = Date.parse("2026-11-01T00:00:00+03:00");
const msk = (iso: string) => Date.parse(`${iso}+03:00`);

const ANNA = 1;
const BORIS = 2;

async function setup() {
  const db = openSqlite(":memory:");
  const clock = movableClock(NOV_1);
  const store = createStore(db, { now: clock.now });
  const tickets = createTicketService(db, { now: clock.now });
  const staff = createStaff(db, { now: clock.now });
  for (const id of [ANNA, BORIS]) {
    const { member } = await staff.add({
      telegramUserId: 1000 + id,
      name: `op ${id}`,
      role: "operator",
    });
    expect(member.id).toBe(id);
    await staff.setShift(id, true);
  }
  let nextChat = 100;
  /** A question recorded at `at`. */
  const ask = async (
    at: number,
    decision: QuestionRecord["decision"],
    intent: string | null = null,
  ) => {
    clock.set(at);
    await store.recordQuestion({
      chatId: nextChat++,
      text: "вопрос",
      language: "ru",
      decision,
      intent: decision === "answer" ? intent : null,
      confidence: 0.8,
      candidates: intent ? [{ intent, score: 0.8 }] : [],
    });
  };
  const feedback = async (at: number, intent: string, helpful: number, unhelpful: number) => {
    clock.set(at);
    for (let i = 0; i < helpful; i++) await store.recordFeedback(nextChat++, intent, true);
    for (let i = 0; i < unhelpful; i++) await store.recordFeedback(nextChat++, intent, false);
  };
  /** A ticket opened at `at`, taken after `waitMin` and closed `handleMin` later (if given). */
  const ticket = async (
    at: number,
    steps: { waitMin?: number; handleMin?: number; rating?: number; solved?: boolean } = {},
  ) => {
    const chatId = nextChat++;
    clock.set(at);
    const opened = await tickets.openTicket({
      chatId,
      language: "ru",
      question: "q",
      topIntents: [],
    });
    if (!opened.ok) throw new Error("not opened");
    const { id } = opened.ticket;
    if (steps.waitMin === undefined) return { id, chatId };
    clock.advance(steps.waitMin * MINUTE);
    if (!(await tickets.takeTicket(id, ANNA)).ok) throw new Error("not taken");
    if (steps.handleMin === undefined) return { id, chatId };
    clock.advance(steps.handleMin * MINUTE);
    if (!(await tickets.close(id, ANNA)).ok) throw new Error("not closed");
    if (steps.rating !== undefined) await tickets.rate(id, chatId, steps.rating, steps.solved);
    return { id, chatId };
  };
  return { db, clock, store, tickets, ask, feedback, ticket };
}

describe("Moscow days", () => {
  it("start at 21:00 UTC of the day before, whatever the machine's time zone", () => {
    expect(startOfMoscowDay(msk("2026-11-05T23:59:59"))).toBe(msk("2026-11-05T00:00:00"));
    expect(startOfMoscowDay(Date.parse("2026-11-05T21:00:00Z"))).toBe(msk("2026-11-06T00:00:00"));
    expect(moscowDay(Date.parse("2026-11-05T20:59:59Z"))).toBe("2026-11-05");
    expect(moscowDay(Date.parse("2026-11-05T21:00:00Z"))).toBe("2026-11-06");
  });
});

describe("collectReport: questions", () => {
  it("buckets questions by Moscow day, lists every day of the period and leaves out the rest", async () => {
    const { db, ask } = await setup();
    await ask(msk("2026-10-31T23:59:00"), "answer", "a"); // before the period
    await ask(msk("2026-11-01T00:00:00"), "answer", "a");
    await ask(msk("2026-11-01T23:30:00"), "clarify"); // 20:30 UTC: still 1 November in Moscow
    await ask(msk("2026-11-02T00:30:00"), "escalate"); // 21:30 UTC on 1 November: 2 November in Moscow
    await ask(msk("2026-11-02T02:00:00"), "answer", "b"); // 23:00 UTC on 1 November
    await ask(msk("2026-11-04T12:00:00"), "answer", "a");
    await ask(msk("2026-11-04T15:00:00"), "answer", "a"); // at `until`: left out

    const data = await collectReport(db, { since: NOV_1, until: msk("2026-11-04T15:00:00") });
    expect(data.days).toEqual([
      { day: "2026-11-01", answered: 1, clarified: 1, escalated: 0 },
      { day: "2026-11-02", answered: 1, clarified: 0, escalated: 1 },
      { day: "2026-11-03", answered: 0, clarified: 0, escalated: 0 },
      { day: "2026-11-04", answered: 1, clarified: 0, escalated: 0 },
    ]);
    expect(data.questions).toMatchObject({ total: 5, answered: 3, clarified: 1, escalated: 1 });
  });

  it("starts the first day at its Moscow midnight when the period starts mid-day", async () => {
    const { db, ask } = await setup();
    await ask(msk("2026-11-03T08:00:00"), "answer", "a"); // same day, before `since`
    await ask(msk("2026-11-03T18:00:00"), "escalate");
    const data = await collectReport(db, {
      since: msk("2026-11-03T12:00:00"),
      until: msk("2026-11-04T01:00:00"),
    });
    expect(data.days).toEqual([
      { day: "2026-11-03", answered: 0, clarified: 0, escalated: 1 },
      { day: "2026-11-04", answered: 0, clarified: 0, escalated: 0 },
    ]);
  });

  it("gives each decision's share of the total", async () => {
    const { db, ask } = await setup();
    for (let i = 0; i < 6; i++) await ask(NOV_1 + i * HOUR, "answer", "a");
    await ask(NOV_1 + 7 * HOUR, "clarify");
    await ask(NOV_1 + 8 * HOUR, "escalate");
    const { questions } = await collectReport(db, { since: NOV_1, until: NOV_1 + DAY });
    expect(questions.share).toEqual({ answered: 0.75, clarified: 0.125, escalated: 0.125 });
  });

  it("ranks the most answered intents, ties by id, keeping `top` of them", async () => {
    const { db, ask } = await setup();
    const asked = { "docs.passport": 2, "account.login": 5, "tax.debt": 2, "hours.schedule": 1 };
    let minute = 0;
    for (const [intent, n] of Object.entries(asked)) {
      for (let i = 0; i < n; i++) await ask(NOV_1 + ++minute * MINUTE, "answer", intent);
    }
    await ask(NOV_1 + ++minute * MINUTE, "clarify"); // not an answer: counts for no intent

    const data = await collectReport(db, { since: NOV_1, until: NOV_1 + DAY, top: 3 });
    expect(data.topIntents).toEqual([
      { intent: "account.login", count: 5 },
      { intent: "docs.passport", count: 2 },
      { intent: "tax.debt", count: 2 },
    ]);
  });

  it("ranks intents by 👎, then by the larger 👎 share, leaving out those nobody disliked", async () => {
    const { db, feedback } = await setup();
    await feedback(NOV_1 + HOUR, "liked.only", 9, 0);
    await feedback(NOV_1 + HOUR, "a.mostly_liked", 20, 3);
    await feedback(NOV_1 + HOUR, "z.mostly_disliked", 1, 3); // 3 of 4: ahead of a.mostly_liked
    await feedback(NOV_1 + HOUR, "worst", 0, 5);
    await feedback(NOV_1 - HOUR, "before.period", 0, 9);

    const data = await collectReport(db, { since: NOV_1, until: NOV_1 + DAY });
    expect(data.disliked).toEqual([
      { intent: "worst", helpful: 0, unhelpful: 5 },
      { intent: "z.mostly_disliked", helpful: 1, unhelpful: 3 },
      { intent: "a.mostly_liked", helpful: 20, unhelpful: 3 },
    ]);
  });

  it("is all zeros on an empty database, with every day listed", async () => {
    const { db } = await setup();
    const data = await collectReport(db, { since: NOV_1, until: NOV_1 + 3 * DAY });
    expect(data.days.map((d) => d.day)).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(data.questions).toEqual({
      answered: 0,
      clarified: 0,
      escalated: 0,
      total: 0,
      share: { answered: 0, clarified: 0, escalated: 0 },
    });
    expect(data.wait).toMatchObject({ count: 0, medianMs: undefined, p90Ms: undefined });
    expect(data.ratings).toMatchObject({ rated: 0, mean: undefined, solvedShare: undefined });
    expect(data.topIntents).toEqual([]);
    expect(data.disliked).toEqual([]);
  });
});

describe("collectReport: tickets", () => {
  it("counts opened, closed by operators, cancelled, and the waiting and assigned now", async () => {
    const { db, tickets, ticket, clock } = await setup();
    await ticket(NOV_1 + HOUR, { waitMin: 5, handleMin: 10 });
    await ticket(NOV_1 + 2 * HOUR, { waitMin: 1, handleMin: 3 });
    const cancelled = await ticket(NOV_1 + 3 * HOUR);
    clock.advance(MINUTE);
    await tickets.cancel(cancelled.chatId);
    await ticket(NOV_1 + 4 * HOUR, { waitMin: 2 }); // with Anna
    await ticket(NOV_1 + 5 * HOUR); // waiting
    await ticket(NOV_1 - HOUR, { waitMin: 1, handleMin: 1 }); // opened, taken and closed before the period

    const data = await collectReport(db, { since: NOV_1, until: NOV_1 + DAY });
    expect(data.tickets).toEqual({
      opened: 5,
      closedByOperator: 2,
      cancelled: 1,
      waitingNow: 1,
      assignedNow: 1,
    });
  });

  it("gives the median, the p90 and a histogram of waits and handling times", async () => {
    const { db, ticket } = await setup();
    // Waits of 1..10 minutes, handling times of 10, 20, … 100 minutes.
    for (let i = 1; i <= 10; i++) await ticket(NOV_1 + i * HOUR, { waitMin: i, handleMin: 10 * i });

    const { wait, handling } = await collectReport(db, { since: NOV_1, until: NOV_1 + DAY });
    expect(wait).toMatchObject({ count: 10, medianMs: 5.5 * MINUTE, p90Ms: 9 * MINUTE });
    expect(handling).toMatchObject({ count: 10, medianMs: 55 * MINUTE, p90Ms: 90 * MINUTE });
    // Buckets < 1, 1–5, 5–15, 15–30, 30–60 min, 1–2 h, 2 h+; a bound belongs to the upper bucket.
    expect(wait.histogram.map((b) => b.count)).toEqual([0, 4, 6, 0, 0, 0, 0]);
    expect(handling.histogram.map((b) => b.count)).toEqual([0, 0, 1, 1, 3, 5, 0]);
    expect(wait.histogram.map((b) => b.fromMs)).toEqual(DURATION_BUCKETS);
    expect(wait.histogram.at(-1)?.toMs).toBeNull();
  });

  it("counts a wait in the period it ended and a handling time in the period the ticket closed", async () => {
    const { db, ticket } = await setup();
    const until = NOV_1 + DAY;
    await ticket(until - 10 * MINUTE, { waitMin: 20, handleMin: 5 }); // taken and closed after `until`
    await ticket(until - 60 * MINUTE, { waitMin: 30, handleMin: 40 }); // taken inside, closed after
    const data = await collectReport(db, { since: NOV_1, until });
    expect(data.tickets).toMatchObject({ opened: 2, closedByOperator: 0 });
    expect(data.wait).toMatchObject({ count: 1, medianMs: 30 * MINUTE });
    expect(data.handling.count).toBe(0);
  });

  it("gives the ratings' distribution, mean and the solved share", async () => {
    const { db, ticket } = await setup();
    const rated = [
      { rating: 5, solved: true },
      { rating: 5, solved: true },
      { rating: 4, solved: true },
      { rating: 2, solved: false },
      { rating: 1 }, // said nothing about solved
    ];
    for (const [i, r] of rated.entries())
      await ticket(NOV_1 + i * HOUR, { waitMin: 1, handleMin: 1, ...r });
    await ticket(NOV_1 + 9 * HOUR, { waitMin: 1, handleMin: 1 }); // not rated

    const { ratings } = await collectReport(db, { since: NOV_1, until: NOV_1 + DAY });
    expect(ratings).toEqual({
      counts: [1, 1, 0, 1, 2],
      rated: 5,
      mean: 17 / 5,
      solved: 3,
      unsolved: 1,
      solvedShare: 0.75,
    });
  });
});
