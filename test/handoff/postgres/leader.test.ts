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

  it("lets one process lead, through a broken session too; another takes over when the leader goes", async () => {
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

    // The leader's connection is killed (a blip, not a death): still one
    // leader once the sessions are back, whichever it is.
    await db.run(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND objid = 42 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await until(() => leaders().length === 1);
    const first = candidates.indexOf(leaders()[0] as Leadership);
    // The leader dies: another takes over.
    await candidates[first]?.stop();
    await until(() => leaders().length === 1 && !candidates[first]?.leading);
    expect(events).toContain(`lead ${candidates.indexOf(leaders()[0] as Leadership)}`);

    const second = candidates.indexOf(leaders()[0] as Leadership);
    expect(second).not.toBe(first);
    await candidates[second]?.stop();
    await until(() => leaders().length === 1 && !candidates[second]?.leading);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(leaders()).toHaveLength(1);
  });
});
