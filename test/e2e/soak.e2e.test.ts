import { describe, expect, it } from "vitest";
import { formatSoak } from "../../scripts/soak.ts";
import { runSoak } from "../../scripts/soak-run.ts";
import { expectCleanSoak } from "./soak-verdict.ts";

// A short `npm run soak`: the real bot process against the Bot API double,
// 429 storms, 500s, dropped connections and a kill -9 while messages flow
// both ways; then the ledger of every relayed message.
describe("the soak, shortened", () => {
  it("delivers every message both ways exactly once and in order through faults and a kill -9", async () => {
    const result = await runSoak({
      durationMs: 20_000,
      citizens: 6,
      operators: 2,
      seed: 3,
      rate: 60,
      settleTimeoutMs: 60_000,
    });
    const summary = formatSoak(result);

    expect(result.tickets, summary).toBe(6);
    // The faults really happened: the double answered 429 and 500, dropped
    // requests unanswered, and the bot was killed once and came back.
    expect(result.faults.tooManyRequests.calls, summary).toBeGreaterThan(0);
    expect(result.faults.serverErrors.calls, summary).toBeGreaterThan(0);
    expect(result.faults.dropped.requests, summary).toBeGreaterThan(0);
    expect(result.restarts, summary).toBe(1);
    // The kill came just after the double accepted a relay the bot had not
    // recorded: that send was in flight, and only such sends may come twice.
    expect(result.inFlight.tokens.length, summary).toBeGreaterThan(0);
    expectCleanSoak(result, summary, 100);
    expect(summary).toContain("Result: clean");
  }, 240_000);
});
