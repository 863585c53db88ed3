import { afterEach, describe, expect, it } from "vitest";
import { createFloodCounts, createOutbox, createStaff } from "../../../handoff/index.ts";
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

  it("takes back only a silent process's half-sent rows, never a live one's, whatever their age", async () => {
    const db = await fresh();
    let clock = 1_000_000;
    const now = () => clock;
    const instances = createInstances(db, { now });
    await instances.register({ id: "live", host: "a", pid: 1 });
    await instances.register({ id: "dead", host: "b", pid: 2 });
    const live = createOutbox(db, { now, instance: "live" });
    const dead = createOutbox(db, { now, instance: "dead" });
    for (let chat = 1; chat <= 4; chat++) {
      await live.enqueue({ chatId: chat, message: { kind: "text", text: `m${chat}` } });
    }
    const fromLive = [await live.claimNext(), await live.claimNext()];
    const fromDead = [await dead.claimNext(), await dead.claimNext()];
    expect([...fromLive, ...fromDead].every(Boolean)).toBe(true);
    // What each was sending (read after a kill -9: its sends in flight).
    expect((await live.sendingBy("dead")).map((item) => item.id)).toEqual(
      fromDead.map((item) => item?.id),
    );
    clock += 10_000;
    await instances.heartbeat("live");
    expect(await live.recoverOrphans(6_000)).toBe(2);
    const states = async (ids: (number | undefined)[]) =>
      Promise.all(ids.map(async (id) => (await live.get(id as number))?.state));
    expect(await states(fromDead.map((item) => item?.id))).toEqual(["pending", "pending"]);
    expect(await states(fromLive.map((item) => item?.id))).toEqual(["sending", "sending"]);
    // Long after, the live process's rows are still its own; only a stale claim goes back.
    clock += 60_000;
    await instances.heartbeat("live");
    expect(await live.recoverOrphans(6_000)).toBe(0);
    expect(await live.recoverStale(3 * 60_000)).toBe(0);
  });

  it("add the same operators when processes start together (each seeds OPERATOR_IDS): one row each, no error", async () => {
    const db = await fresh();
    const seed = (name: string) =>
      Promise.all(
        [5001, 5002, 5003].map((telegramUserId) =>
          createStaff(db).add({
            telegramUserId,
            name: `${name} ${telegramUserId}`,
            role: "operator",
          }),
        ),
      );
    const results = await Promise.all(["a", "b", "c", "d"].map(seed));
    expect(
      results
        .flat()
        .filter((r) => r.created)
        .map((r) => r.member.telegramUserId)
        .sort(),
    ).toEqual([5001, 5002, 5003]);
    expect((await createStaff(db).list()).map((o) => o.telegramUserId).sort()).toEqual([
      5001, 5002, 5003,
    ]);
  });

  it("count a chat's messages together, whichever process gets them, and tell it once a minute", async () => {
    const db = await fresh();
    let clock = 7 * 60_000;
    const now = () => clock;
    // Two processes' counters on one database.
    const a = createFloodCounts(db, "message", 5, { now });
    const b = createFloodCounts(db, "message", 5, { now });
    const verdicts = [];
    for (let i = 0; i < 8; i++) verdicts.push(await (i % 2 === 0 ? a : b).hit(42));
    expect(verdicts.slice(0, 5)).toEqual(Array(5).fill({ allowed: true }));
    expect(verdicts.slice(5)).toEqual([
      { allowed: false, notify: true },
      { allowed: false, notify: false },
      { allowed: false, notify: false },
    ]);
    // Another chat, and presses, are counted apart.
    expect(await a.hit(43)).toEqual({ allowed: true });
    expect(await createFloodCounts(db, "press", 5, { now }).hit(42)).toEqual({ allowed: true });
    // The next minute starts again, and the chat may be told again.
    clock += 60_000;
    for (let i = 0; i < 5; i++) expect(await b.hit(42)).toEqual({ allowed: true });
    expect(await a.hit(42)).toEqual({ allowed: false, notify: true });
  });
});
