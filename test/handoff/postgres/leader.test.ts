import { afterEach, describe, expect, it } from "vitest";
import { type Leadership, leadWith } from "../../../handoff/postgres/leader.ts";
import { freshPostgres } from "../../postgres/fresh.ts";

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe("leadWith", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("lets one process lead; another takes over when the leader's session dies or it stops", async () => {
    const { db, url, drop } = await freshPostgres();
    cleanups.push(drop);
    const events: string[] = [];
    const candidates: Leadership[] = [0, 1, 2].map((i) =>
      leadWith(url, 42, {
        retryMs: 50,
        onLead: () => events.push(`lead ${i}`),
        onFollow: () => events.push(`follow ${i}`),
        onBroken: () => {},
      }),
    );
    cleanups.push(async () => {
      for (const candidate of candidates) await candidate.stop();
    });
    const leaders = () => candidates.filter((c) => c.leading);
    await until(() => leaders().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(leaders()).toHaveLength(1);

    // The leader's connection is killed, as when its machine dies.
    const first = candidates.indexOf(leaders()[0] as Leadership);
    await db.run(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND objid = 42 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await until(() => leaders().length === 1 && !candidates[first]?.leading);
    expect(events).toContain(`follow ${first}`);

    const second = candidates.indexOf(leaders()[0] as Leadership);
    expect(second).not.toBe(first);
    await candidates[second]?.stop();
    await until(() => leaders().length === 1 && !candidates[second]?.leading);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(leaders()).toHaveLength(1);
  });
});
