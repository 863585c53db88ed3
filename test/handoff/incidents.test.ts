import { describe, expect, it } from "vitest";
import {
  collectReport,
  createIncidents,
  createStore,
  createTicketService,
  type IncidentText,
  incidentsConcerning,
  noticeIn,
  type SqlClient,
} from "../../handoff/index.ts";
import { openTestDatabase } from "../storage.ts";
import { MINUTE, movableClock } from "./temp-database.ts";

// Incidents on both engines: posted, updated, ended once, and counted in the
// managers' report over the time they were on.

const SIGN_IN: IncidentText = {
  noticeRu: "Вход на портал временно не работает. Мы уже чиним.",
  noticeEn: null,
  broken: "вход через Госключ",
  since: Date.UTC(2025, 0, 15, 8, 30),
  expectedFix: "к 18:00",
  intents: ["account.login_recovery", "tech.site_problems"],
};

async function setUp() {
  const db = await openTestDatabase();
  const clock = movableClock();
  return { db, clock, incidents: createIncidents(db, clock) };
}

describe("incidents", () => {
  it("are posted, updated while active and ended once, each change by whom and when", async () => {
    const { clock, incidents } = await setUp();
    const posted = await incidents.post(SIGN_IN, 7);
    expect(posted).toMatchObject({
      ...SIGN_IN,
      postedBy: 7,
      postedAt: clock.now(),
      updatedBy: 7,
      updatedAt: clock.now(),
      endedBy: null,
      endedAt: null,
    });
    expect(await incidents.active()).toEqual([posted]);

    clock.advance(10 * MINUTE);
    const updated = await incidents.update(
      posted.id,
      { ...SIGN_IN, noticeEn: "Signing in is down.", expectedFix: null },
      9,
    );
    expect(updated).toMatchObject({
      ok: true,
      incident: { noticeEn: "Signing in is down.", expectedFix: null, postedBy: 7, updatedBy: 9 },
    });
    expect((await incidents.get(posted.id))?.updatedAt).toBe(clock.now());

    clock.advance(MINUTE);
    const ended = await incidents.end(posted.id, 9);
    expect(ended).toMatchObject({ ok: true, incident: { endedBy: 9, endedAt: clock.now() } });
    expect(await incidents.active()).toEqual([]);
    // Once: a second ending, or an update after it, changes nothing.
    expect(await incidents.end(posted.id, 7)).toEqual({ ok: false, reason: "ended" });
    expect(await incidents.update(posted.id, SIGN_IN, 7)).toEqual({ ok: false, reason: "ended" });
    expect(await incidents.get(posted.id)).toEqual(ended.ok ? ended.incident : undefined);
    expect(await incidents.end(404, 7)).toEqual({ ok: false, reason: "not_found" });
    expect(await incidents.update(404, SIGN_IN, 7)).toEqual({ ok: false, reason: "not_found" });
  });

  it("list the active ones oldest first and the ended ones latest ended first", async () => {
    const { clock, incidents } = await setUp();
    const first = await incidents.post(SIGN_IN, 1);
    clock.advance(MINUTE);
    const second = await incidents.post({ ...SIGN_IN, broken: "оплата" }, 1);
    clock.advance(MINUTE);
    const third = await incidents.post({ ...SIGN_IN, broken: "запись к врачу" }, 1);
    expect((await incidents.active()).map((i) => i.id)).toEqual([first.id, second.id, third.id]);
    await incidents.end(second.id, 1);
    clock.advance(MINUTE);
    await incidents.end(first.id, 1);
    expect((await incidents.active()).map((i) => i.id)).toEqual([third.id]);
    expect((await incidents.ended(10)).map((i) => i.id)).toEqual([first.id, second.id]);
    expect((await incidents.ended(1)).map((i) => i.id)).toEqual([first.id]);
  });

  it("say the notice in the citizen's language, Russian when there is no English one", async () => {
    const { incidents } = await setUp();
    const russianOnly = await incidents.post(SIGN_IN, 1);
    const both = await incidents.post({ ...SIGN_IN, noticeEn: "Down.", intents: ["dept.tax"] }, 1);
    expect(noticeIn(russianOnly, "en")).toBe(SIGN_IN.noticeRu);
    expect(noticeIn(both, "en")).toBe("Down.");
    expect(noticeIn(both, "ru")).toBe(SIGN_IN.noticeRu);
    const active = [russianOnly, both];
    expect(incidentsConcerning(active, "tech.site_problems")).toEqual([russianOnly]);
    expect(incidentsConcerning(active, "contacts.hotline")).toEqual([]);
    expect(incidentsConcerning(active, undefined)).toEqual([]);
  });
});

describe("the managers' report's incidents", () => {
  async function question(db: SqlClient, at: number) {
    await createStore(db, { now: () => at }).recordQuestion({
      chatId: at,
      text: "сайт не работает",
      language: "ru",
      decision: "answer",
      intent: "tech.site_problems",
      confidence: 0.9,
      candidates: [],
    });
  }
  async function ticket(db: SqlClient, at: number) {
    await createTicketService(db, { now: () => at }).openTicket({
      chatId: at,
      language: "ru",
      question: "сайт",
      topIntents: [],
    });
  }

  it("count the questions and tickets between each incident's posting and its end", async () => {
    const { db, clock, incidents } = await setUp();
    const start = clock.now();
    await question(db, start - MINUTE); // before it
    const ended = await incidents.post(SIGN_IN, 1);
    await question(db, start);
    await question(db, start + 5 * MINUTE);
    await ticket(db, start + 6 * MINUTE);
    clock.advance(30 * MINUTE);
    await incidents.end(ended.id, 1);
    await question(db, start + 30 * MINUTE); // at its end: after it
    await ticket(db, start + 31 * MINUTE);
    clock.advance(30 * MINUTE);
    const still = await incidents.post({ ...SIGN_IN, broken: "оплата" }, 1);
    await question(db, start + 61 * MINUTE);
    await ticket(db, start + 62 * MINUTE);
    await question(db, start + 100 * MINUTE); // after the period

    const report = await collectReport(db, { since: start - DAY, until: start + 90 * MINUTE });
    expect(report.incidents).toEqual([
      {
        id: ended.id,
        broken: "вход через Госключ",
        intents: SIGN_IN.intents,
        postedAt: start,
        endedAt: start + 30 * MINUTE,
        questions: 2,
        tickets: 1,
      },
      {
        id: still.id,
        broken: "оплата",
        intents: SIGN_IN.intents,
        postedAt: start + 60 * MINUTE,
        endedAt: null,
        questions: 1,
        tickets: 1,
      },
    ]);
    // A period after the first one ended leaves it out.
    const later = await collectReport(db, {
      since: start + 40 * MINUTE,
      until: start + 90 * MINUTE,
    });
    expect(later.incidents.map((i) => i.id)).toEqual([still.id]);
    // A period before the second one was posted leaves that one out.
    const earlier = await collectReport(db, { since: start - DAY, until: start + 50 * MINUTE });
    expect(earlier.incidents.map((i) => i.id)).toEqual([ended.id]);
  });
});

const DAY = 24 * 60 * MINUTE;
