import { afterEach, describe, expect, it } from "vitest";
import { createInstances } from "../../../handoff/sql/instances.ts";
import { createPeriodicRuns } from "../../../handoff/sql/periodic-runs.ts";
import { ENGINES, type TestDatabase } from "./engines.ts";

describe.each(ENGINES)("several processes' bookkeeping on %s", (_engine, open) => {
  let opened: TestDatabase | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  const fresh = async () => {
    opened = await open();
    return opened.db;
  };

  it("gives a periodic run to exactly one of the processes asking together, once a period", async () => {
    const db = await fresh();
    let clock = 1_000_000;
    const runs = createPeriodicRuns(db, { now: () => clock });
    const ask = () =>
      Promise.all(
        ["a", "b", "c", "d"].map((instance) => runs.claim("reminders", 60_000, instance)),
      );
    expect((await ask()).filter(Boolean)).toHaveLength(1);
    clock += 59_999;
    expect((await ask()).filter(Boolean)).toHaveLength(0);
    clock += 1;
    expect((await ask()).filter(Boolean)).toHaveLength(1);
    expect((await runs.lastRun("reminders"))?.at).toBe(clock);
    // Another job keeps its own period.
    expect(await runs.claim("retention", 86_400_000, "b")).toBe(true);
    expect(await runs.lastRun("never")).toBeUndefined();
  });

  it("keeps each process's row fresh, and tells the live from the dead", async () => {
    const db = await fresh();
    let clock = 5_000;
    const instances = createInstances(db, { now: () => clock });
    await instances.register({ id: "one", host: "h1", pid: 11 });
    await instances.register({ id: "two", host: "h2", pid: 22 });
    clock += 20_000;
    expect(await instances.heartbeat("one")).toBe(true);
    expect((await instances.alive(10_000)).map((i) => i.id)).toEqual(["one"]);
    // Registering again (after an outage) keeps the first start.
    await instances.register({ id: "two", host: "h2", pid: 22 });
    expect((await instances.alive(10_000)).map((i) => [i.id, i.startedAt])).toEqual([
      ["one", 5_000],
      ["two", 5_000],
    ]);
    await instances.leave("one");
    expect(await instances.heartbeat("one")).toBe(false);
    clock += 60_000;
    expect(await instances.forgetDead(30_000)).toBe(1);
    expect(await instances.alive(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});
