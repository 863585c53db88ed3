import { describe, expect, it } from "vitest";
import { parseDuration, parseSoakArgs } from "../../scripts/soak.ts";
import { createRandom, planFaults } from "../../scripts/soak-plan.ts";

describe("planFaults", () => {
  it("draws the same schedule from the same seed, another from another seed", () => {
    expect(planFaults(60_000, 5)).toEqual(planFaults(60_000, 5));
    expect(planFaults(60_000, 5)).not.toEqual(planFaults(60_000, 6));
  });

  it.each([
    [20_000, 1],
    [30_000, 2],
    [120_000, 3],
    [600_000, 4],
  ])(
    "in %i ms (seed %i): one kill in the middle, every kind of fault, in time order",
    (duration, seed) => {
      const plan = planFaults(duration, seed);
      const kills = plan.filter((event) => event.kind === "kill");
      expect(kills).toHaveLength(1);
      expect(kills[0]?.at).toBeGreaterThanOrEqual(duration * 0.4);
      expect(kills[0]?.at).toBeLessThanOrEqual(duration * 0.6);
      expect(new Set(plan.map((event) => event.kind))).toEqual(
        new Set(["429", "500", "drop", "kill"]),
      );
      const times = plan.map((event) => event.at);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(Math.min(...times)).toBeGreaterThanOrEqual(duration * 0.1 - 1);
      expect(Math.max(...times)).toBeLessThan(duration * 0.9);
      for (const event of plan) {
        if (event.kind === "429") expect(event.times).toBeGreaterThanOrEqual(5);
        if (event.kind === "drop") expect(event.holdMs).toBeGreaterThanOrEqual(200);
      }
    },
  );

  it("adds one PostgreSQL restart late in the run when asked, the rest of the schedule unchanged", () => {
    const plan = planFaults(30_000, 7, { databaseRestart: true });
    const restarts = plan.filter((event) => event.kind === "database-restart");
    expect(restarts).toHaveLength(1);
    expect(restarts[0]?.at).toBeGreaterThanOrEqual(30_000 * 0.65);
    expect(restarts[0]?.at).toBeLessThanOrEqual(30_000 * 0.8);
    expect(plan.filter((event) => event.kind !== "database-restart")).toEqual(
      planFaults(30_000, 7),
    );
  });

  it("has a random generator in [0, 1) that depends on the seed", () => {
    const a = createRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
    expect(createRandom(42)()).toBe(values[0]);
    expect(createRandom(43)()).not.toBe(values[0]);
  });
});

describe("the soak's command line", () => {
  it("reads durations in ms, s, m or bare seconds", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1500ms")).toBe(1500);
    expect(parseDuration("90")).toBe(90_000);
    expect(parseDuration("0s")).toBeUndefined();
    expect(parseDuration("soon")).toBeUndefined();
  });

  it("takes the options and refuses bad values, naming the option", () => {
    expect(
      parseSoakArgs([
        "--duration",
        "30s",
        "--citizens",
        "8",
        "--operators",
        "2",
        "--seed",
        "0",
        "--rate",
        "50",
      ]),
    ).toEqual({
      ok: true,
      options: { durationMs: 30_000, citizens: 8, operators: 2, seed: 0, rate: 50 },
    });
    expect(parseSoakArgs([])).toEqual({ ok: true, options: {} });
    expect(parseSoakArgs(["--citizens", "0"])).toMatchObject({
      ok: false,
      error: expect.stringContaining("--citizens"),
    });
    expect(parseSoakArgs(["--duration", "later"])).toMatchObject({
      ok: false,
      error: expect.stringContaining("--duration"),
    });
    expect(parseSoakArgs(["--bogus"])).toMatchObject({ ok: false });
    expect(parseSoakArgs(["--help"])).toEqual({ ok: false, help: true });
  });
});
