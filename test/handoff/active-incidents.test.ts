import { describe, expect, it } from "vitest";
import {
  createLocalSignals,
  followIncidents,
  INCIDENTS_SIGNAL,
  type Incident,
  type Signals,
} from "../../handoff/index.ts";

// The incidents a process answers with, in memory: loaded at start, at the
// signal, after a resync and by the backstop poll; a failed load keeps the
// last ones; a change during a load is not missed.

const incident = (id: number): Incident => ({
  id,
  noticeRu: `сбой ${id}`,
  noticeEn: null,
  broken: "портал",
  since: 0,
  expectedFix: null,
  intents: ["tech.site_problems"],
  postedBy: 1,
  postedAt: 0,
  updatedBy: 1,
  updatedAt: 0,
  endedBy: null,
  endedAt: null,
});

/** A load whose answer the test sets, counting its calls; `hold` makes the next ones wait. */
function source() {
  let answer: Incident[] = [];
  let failure: Error | undefined;
  let gate: Promise<void> | undefined;
  let loads = 0;
  return {
    load: async () => {
      loads++;
      await gate;
      if (failure) throw failure;
      return answer;
    },
    set: (next: Incident[]) => {
      answer = next;
    },
    fail: (error: Error | undefined) => {
      failure = error;
    },
    hold: () => {
      let open = () => {};
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
    loads: () => loads,
  };
}

/** Signals whose resync the test fires. */
function resyncableSignals(): Signals & { resync(): void } {
  const local = createLocalSignals();
  const resyncs = new Set<() => void>();
  return {
    ...local,
    onResync: (listener) => {
      resyncs.add(listener);
      return () => resyncs.delete(listener);
    },
    resync: () => {
      for (const listener of resyncs) listener();
    },
  };
}

describe("followIncidents", () => {
  it("loads at start and again at the incidents signal and after a resync", async () => {
    const from = source();
    const signals = resyncableSignals();
    from.set([incident(1)]);
    const active = followIncidents(from.load, signals, { pollMs: 60_000 });
    await active.start();
    expect(active.current().map((i) => i.id)).toEqual([1]);
    from.set([incident(1), incident(2)]);
    await signals.publish("other_channel");
    expect(active.current()).toHaveLength(1);
    await signals.publish(INCIDENTS_SIGNAL);
    await expect.poll(() => active.current().map((i) => i.id)).toEqual([1, 2]);
    from.set([]);
    signals.resync();
    await expect.poll(() => active.current()).toEqual([]);
    await active.stop();
    from.set([incident(3)]);
    await signals.publish(INCIDENTS_SIGNAL);
    await active.refresh();
    // Stopped: signals no longer reach it (a refresh asked for by hand still loads).
    expect(from.loads()).toBe(4);
  });

  it("finds a change by its poll when no signal comes (another process on SQLite)", async () => {
    const from = source();
    const active = followIncidents(from.load, undefined, { pollMs: 20 });
    await active.start();
    expect(active.current()).toEqual([]);
    from.set([incident(5)]);
    await expect.poll(() => active.current().map((i) => i.id)).toEqual([5]);
    await active.stop();
    const loads = from.loads();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(from.loads()).toBe(loads);
  });

  it("keeps the last incidents when a load fails, and says so", async () => {
    const from = source();
    const errors: unknown[] = [];
    const active = followIncidents(from.load, undefined, {
      pollMs: 60_000,
      onError: (error) => errors.push(error),
    });
    from.set([incident(1)]);
    await active.start();
    from.fail(new Error("database is locked"));
    await active.refresh();
    expect(active.current().map((i) => i.id)).toEqual([1]);
    expect(errors).toEqual([new Error("database is locked")]);
    await active.stop();
  });

  it("loads once more after a load that a signal came during, and only once", async () => {
    const from = source();
    const signals = createLocalSignals();
    const active = followIncidents(from.load, signals, { pollMs: 60_000 });
    await active.start();
    const release = from.hold();
    const first = active.refresh();
    // Committed while the first load reads: three signals, one more load.
    from.set([incident(7)]);
    for (let i = 0; i < 3; i++) await signals.publish(INCIDENTS_SIGNAL);
    release();
    await first;
    expect(active.current().map((i) => i.id)).toEqual([7]);
    expect(from.loads()).toBe(3);
    await active.stop();
  });
});
