import { describe, expect, it } from "vitest";
import { describeOpenState, describeSchedule, openState } from "../../knowledge/hours.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";

const operators = () => {
  const schedule = realKnowledgeBase().directory.schedules.get("operators");
  if (!schedule) throw new Error("the directory has no operators schedule");
  return schedule;
};
// Moscow is UTC+3 all year.
const msk = (iso: string) => new Date(`${iso}+03:00`);

describe("working hours in Moscow time", () => {
  it("is open on a weekday afternoon and says until when", () => {
    const state = openState(operators(), msk("2026-11-25T12:00:00"));
    expect(state).toMatchObject({ open: true, closesAt: { minutes: 20 * 60 } });
    expect(describeOpenState(operators(), msk("2026-11-25T12:00:00"), "ru")).toContain("до 20:00");
  });

  it("after closing on a weekday opens the next morning", () => {
    const state = openState(operators(), msk("2026-11-25T20:00:00"));
    expect(state).toMatchObject({ open: false, opensAt: { daysAhead: 1, minutes: 8 * 60 } });
    expect(describeOpenState(operators(), msk("2026-11-25T22:30:00"), "en")).toContain(
      "tomorrow at 08:00",
    );
  });

  it("before opening says today", () => {
    expect(describeOpenState(operators(), msk("2026-11-25T07:15:00"), "ru")).toContain(
      "сегодня в 08:00",
    );
  });

  it("uses Saturday, Sunday and holiday hours", () => {
    expect(openState(operators(), msk("2026-11-27T21:00:00"))).toMatchObject({
      open: false,
      opensAt: { daysAhead: 1, minutes: 9 * 60, weekday: 6 },
    });
    expect(openState(operators(), msk("2026-11-29T17:00:00"))).toMatchObject({ open: false });
    // 4 November is a public holiday (a Wednesday in 2026): holiday hours 10-16.
    expect(openState(operators(), msk("2026-11-04T09:00:00"))).toMatchObject({
      open: false,
      opensAt: { daysAhead: 0, minutes: 10 * 60 },
    });
    expect(openState(operators(), msk("2026-11-04T17:00:00"))).toMatchObject({
      open: false,
      opensAt: { daysAhead: 1, minutes: 8 * 60 },
    });
  });

  it("does not depend on the machine's time zone: 23:30 UTC is already tomorrow in Moscow", () => {
    expect(openState(operators(), new Date("2026-11-25T23:30:00Z"))).toMatchObject({
      open: false,
      opensAt: { daysAhead: 0, minutes: 8 * 60 },
    });
  });

  it("describes the week in words, joining days with the same hours", () => {
    expect(describeSchedule(operators(), "ru")).toBe(
      "пн–пт 08:00–20:00, сб 09:00–18:00, вс и праздники 10:00–16:00 по московскому времени",
    );
  });
});
