import { describe, expect, it } from "vitest";
import { checkLedger, type LedgerStream } from "../../scripts/soak-ledger.ts";

const up = (sent: string[], received: string[], ticketId = 1): LedgerStream => ({
  ticketId,
  direction: "citizen→operator",
  sent,
  received,
});
const none = new Set<string>();

describe("checkLedger", () => {
  it("is clean when every stream received what it sent, once, in order", () => {
    const check = checkLedger(
      [
        up(["c1-m1", "c1-m2", "c1-m3"], ["c1-m1", "c1-m2", "c1-m3"]),
        { ticketId: 1, direction: "operator→citizen", sent: ["o1-m1"], received: ["o1-m1"] },
      ],
      none,
    );
    expect(check).toMatchObject({
      sent: 4,
      delivered: 4,
      losses: [],
      duplicates: [],
      allowedDuplicates: [],
      orderErrors: [],
      strays: [],
      clean: true,
    });
  });

  it("counts a token that never arrived as a loss", () => {
    const check = checkLedger([up(["c1-m1", "c1-m2", "c1-m3"], ["c1-m1", "c1-m3"], 7)], none);
    expect(check.losses).toEqual([{ ticketId: 7, direction: "citizen→operator", token: "c1-m2" }]);
    expect(check.delivered).toBe(2);
    expect(check.clean).toBe(false);
  });

  it("refuses a second copy of a message that was not in flight at the crash", () => {
    const check = checkLedger([up(["c1-m1", "c1-m2"], ["c1-m1", "c1-m1", "c1-m2"])], none);
    expect(check.duplicates).toEqual([
      { ticketId: 1, direction: "citizen→operator", token: "c1-m1", detail: "2" },
    ]);
    expect(check.allowedDuplicates).toEqual([]);
    expect(check.clean).toBe(false);
  });

  it("allows one extra copy, right after the first, of a message in flight at the crash", () => {
    const check = checkLedger(
      [up(["c1-m1", "c1-m2"], ["c1-m1", "c1-m1", "c1-m2"])],
      new Set(["c1-m1"]),
    );
    expect(check.allowedDuplicates.map((f) => f.token)).toEqual(["c1-m1"]);
    expect(check.duplicates).toEqual([]);
    expect(check.orderErrors).toEqual([]);
    expect(check.clean).toBe(true);
  });

  it("refuses a third copy even of a message in flight at the crash", () => {
    const check = checkLedger([up(["c1-m1"], ["c1-m1", "c1-m1", "c1-m1"])], new Set(["c1-m1"]));
    expect(check.duplicates.map((f) => [f.token, f.detail])).toEqual([["c1-m1", "3"]]);
    expect(check.allowedDuplicates).toEqual([]);
    expect(check.clean).toBe(false);
  });

  it("counts a resent copy that comes after a later message as an order error", () => {
    const check = checkLedger(
      [up(["c1-m1", "c1-m2"], ["c1-m1", "c1-m2", "c1-m1"])],
      new Set(["c1-m1"]),
    );
    expect(check.allowedDuplicates.map((f) => f.token)).toEqual(["c1-m1"]);
    expect(check.orderErrors.map((f) => [f.token, f.detail])).toEqual([
      ["c1-m1", "copy 2 after c1-m2"],
    ]);
    expect(check.clean).toBe(false);
  });

  it("counts a message that arrived before an earlier one as an order error", () => {
    const check = checkLedger([up(["c1-m1", "c1-m2", "c1-m3"], ["c1-m2", "c1-m1", "c1-m3"])], none);
    expect(check.orderErrors.map((f) => [f.token, f.detail])).toEqual([["c1-m1", "after c1-m2"]]);
    expect(check.losses).toEqual([]);
    expect(check.clean).toBe(false);
  });

  it("counts a token in a stream that never sent it, and strays found by the collector", () => {
    const stray = { ticketId: 2, direction: "operator→citizen" as const, token: "o2-m1" };
    const check = checkLedger([up(["c1-m1"], ["c1-m1", "c2-m1"])], none, [stray]);
    expect(check.strays.map((f) => f.token)).toEqual(["o2-m1", "c2-m1"]);
    expect(check.clean).toBe(false);
  });
});
