import { expect } from "vitest";
import type { SoakResult } from "../../scripts/soak-run.ts";

/**
 * What a clean soak is, asserted one part at a time so a failure names the
 * part (`summary`, the printed report, goes with each): at least `minSent`
 * messages each way, every one delivered, nothing lost, duplicated beyond the
 * sends in flight at the kill, out of order or misrouted, nothing stored
 * twice or given up, and the bots settled.
 */
export function expectCleanSoak(result: SoakResult, summary: string, minSent: number): void {
  for (const duplicate of result.ledger.allowedDuplicates)
    expect(result.inFlight.tokens, summary).toContain(duplicate.token);
  for (const direction of ["citizen→operator", "operator→citizen"] as const) {
    const { sent, delivered } = result.messages[direction];
    expect(sent, summary).toBeGreaterThan(minSent);
    expect(delivered, summary).toBe(sent);
  }
  expect(result.ledger.losses, summary).toEqual([]);
  expect(result.ledger.duplicates, summary).toEqual([]);
  expect(result.ledger.orderErrors, summary).toEqual([]);
  expect(result.ledger.strays, summary).toEqual([]);
  expect(result.recordedTwice, summary).toBe(0);
  expect(result.failedRows, summary).toBe(0);
  expect(result.settled, summary).toBe(true);
  expect(result.clean, summary).toBe(true);
}
