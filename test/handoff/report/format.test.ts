import { describe, expect, it } from "vitest";
import { DURATION_BUCKETS } from "../../../handoff/index.ts";
import {
  formatCount,
  formatDay,
  formatDuration,
  formatDurationRange,
  formatMean,
  formatPeriod,
  formatShare,
} from "../../../handoff/report/index.ts";

const NBSP = "\u00a0";
const MINUTE = 60_000;

describe("ru-RU formatting", () => {
  it("groups digits with a no-break space and uses a decimal comma", () => {
    expect(formatCount(1_234_567)).toBe(`1${NBSP}234${NBSP}567`);
    expect(formatMean(4.25)).toBe("4,3");
    expect(formatMean(undefined)).toBe("—");
    expect(formatShare(0.125)).toBe(`12,5${NBSP}%`);
    expect(formatShare(1)).toBe(`100${NBSP}%`);
    expect(formatShare(undefined)).toBe("—");
  });

  it("says durations in seconds, minutes, or hours and minutes", () => {
    expect(formatDuration(45_000)).toBe("45 с");
    expect(formatDuration(4.4 * MINUTE)).toBe("4 мин");
    expect(formatDuration(59.6 * MINUTE)).toBe("1 ч 00 мин");
    expect(formatDuration(125 * MINUTE)).toBe("2 ч 05 мин");
    expect(formatDuration(undefined)).toBe("—");
  });

  it("labels the histogram buckets", () => {
    const labels = DURATION_BUCKETS.map((from, i) =>
      formatDurationRange(from, DURATION_BUCKETS[i + 1] ?? null),
    );
    expect(labels).toEqual([
      "< 1 мин",
      "1–5 мин",
      "5–15 мин",
      "15–30 мин",
      "30–60 мин",
      "1–2 ч",
      "≥ 2 ч",
    ]);
  });

  it("writes Moscow days and periods, the end of a period being exclusive", () => {
    expect(formatDay("2026-11-05")).toBe("5 нояб.");
    const since = Date.parse("2026-11-01T00:00:00+03:00");
    expect(formatPeriod(since, Date.parse("2026-12-01T00:00:00+03:00"))).toBe(
      "с 1 ноября 2026 г. по 30 ноября 2026 г.",
    );
    // 22:00 UTC on 1 November is already 2 November in Moscow.
    expect(formatPeriod(since, Date.parse("2026-11-01T22:00:00Z"))).toBe(
      "с 1 ноября 2026 г. по 2 ноября 2026 г.",
    );
    expect(formatPeriod(since, since + 3_600_000)).toBe("1 ноября 2026 г.");
  });
});
