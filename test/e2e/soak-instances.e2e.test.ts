import { describe, expect, it } from "vitest";
import { formatSoak } from "../../scripts/soak.ts";
import { runSoak } from "../../scripts/soak-run.ts";
import { expectCleanSoak } from "./soak-verdict.ts";

// A short `npm run soak -- --instances 3 --database postgres`: three bot
// processes in webhook mode behind the round-robin proxy, on a PostgreSQL
// server of the run's own, through 429 storms, 500s, dropped connections, a
// kill -9 of one process and a PostgreSQL restart; then the ledger.
describe("the soak with three processes on PostgreSQL, shortened", () => {
  it("delivers every message it took exactly once and in order through a kill -9 and a PostgreSQL restart", async () => {
    const result = await runSoak({
      instances: 3,
      database: "postgres",
      durationMs: 10_000,
      citizens: 6,
      operators: 3,
      seed: 3,
      rate: 24,
      settleTimeoutMs: 40_000,
    });
    const summary = formatSoak(result);

    expect(result.mode, summary).toBe("webhook");
    expect(result.tickets, summary).toBe(6);
    expect(result.faults.tooManyRequests.calls, summary).toBeGreaterThan(0);
    expect(result.faults.dropped.requests, summary).toBeGreaterThan(0);
    // One process was killed and came back, and the proxy passed its
    // share of Telegram's calls to the others meanwhile.
    expect(result.restarts, summary).toBe(1);
    expect(result.passedOn, summary).toBeGreaterThan(0);
    expect(result.databaseRestart, summary).toMatchObject({ downMs: expect.any(Number) });
    expectCleanSoak(result, summary, 40);
  }, 180_000);
});
