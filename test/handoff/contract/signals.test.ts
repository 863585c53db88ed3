import { afterEach, describe, expect, it } from "vitest";
import { createPostgresSignals } from "../../../handoff/postgres/signals.ts";
import { createLocalSignals, type Signals } from "../../../handoff/signals.ts";
import { freshPostgres } from "../../postgres/fresh.ts";

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two processes' signals on one database: [publisher's, listener's]. */
const engines: [string, () => Promise<[Signals, Signals]>][] = [
  [
    "one process",
    async () => {
      const signals = createLocalSignals();
      cleanups.push(() => signals.close());
      return [signals, signals];
    },
  ],
  [
    "postgres",
    async () => {
      const { db, url, drop } = await freshPostgres();
      cleanups.push(drop);
      const a = createPostgresSignals(db, url, { retryMs: 50 });
      const b = createPostgresSignals(db, url, { retryMs: 50, onBroken: () => {} });
      cleanups.push(
        () => a.close(),
        () => b.close(),
      );
      return [a, b];
    },
  ],
];

describe.each(engines)("Signals (%s)", (_name, open) => {
  it("reach every subscriber of the channel, and no other", async () => {
    const [publisher, listener] = await open();
    const got: string[] = [];
    const other: string[] = [];
    listener.subscribe("outbox", (payload) => got.push(payload));
    listener.subscribe("knowledge", (payload) => other.push(payload));
    // LISTEN takes effect once the session runs it; publish until it is heard.
    await until(() => {
      void publisher.publish("outbox", "warm-up");
      return got.length > 0;
    });
    await publisher.publish("outbox", "chat 1");
    await publisher.publish("outbox", "chat 2");
    await until(() => got.includes("chat 2"));
    expect(got.filter((payload) => payload !== "warm-up")).toEqual(["chat 1", "chat 2"]);
    expect(other).toEqual([]);
    expect(() => publisher.subscribe("drop table", () => {})).toThrow(/channel/);
  });
});

describe("Signals on postgres after the listening session breaks", () => {
  it("tell listeners to resync, and carry signals again", async () => {
    const { db, url, drop } = await freshPostgres();
    cleanups.push(drop);
    const publisher = createPostgresSignals(db, url);
    const listener = createPostgresSignals(db, url, { retryMs: 50, onBroken: () => {} });
    cleanups.push(
      () => publisher.close(),
      () => listener.close(),
    );
    const got: string[] = [];
    let resyncs = 0;
    listener.subscribe("outbox", (payload) => got.push(payload));
    listener.onResync(() => resyncs++);
    await until(() => {
      void publisher.publish("outbox", "before");
      return got.length > 0;
    });
    await db.run(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gosuslugi-bot-session' AND datname = current_database()",
    );
    await until(() => resyncs === 1);
    got.length = 0;
    await until(() => {
      void publisher.publish("outbox", "after");
      return got.includes("after");
    });
  });
});
