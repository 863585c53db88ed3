import { describe, expect, it } from "vitest";
import { createAuditLog, createOperators, createTicketService } from "../../handoff/index.ts";
import { openTestDatabase } from "../storage.ts";
import { movableClock } from "./temp-database.ts";

const setup = async () => {
  const db = await openTestDatabase();
  const clock = movableClock();
  return {
    db,
    clock,
    operators: createOperators(db, { now: clock.now }),
    tickets: createTicketService(db, { now: clock.now }),
    audit: createAuditLog(db),
  };
};

describe("operators", () => {
  it("adds, lists, looks up roles and sets shifts", async () => {
    const { operators, audit } = await setup();
    expect(await operators.add({ userId: 1, name: "Boris", role: "operator" }, 99)).toMatchObject({
      created: true,
      operator: { userId: 1, name: "Boris", role: "operator", onShift: false, removedAt: null },
    });
    await operators.add({ userId: 2, name: "Anna", role: "supervisor" });
    expect((await operators.list()).map((o) => o.name)).toEqual(["Anna", "Boris"]);
    expect(await operators.roleOf(2)).toBe("supervisor");
    expect(await operators.roleOf(3)).toBeUndefined();

    expect(await operators.setShift(1, true)).toMatchObject({
      ok: true,
      operator: { onShift: true },
    });
    expect((await operators.onShift()).map((o) => o.userId)).toEqual([1]);
    expect(await operators.setShift(3, true)).toEqual({ ok: false, reason: "not_operator" });

    expect((await audit.entries({ operatorId: 1 })).map((e) => [e.action, e.details])).toEqual([
      ["operator_add", { by: 99, name: "Boris", role: "operator" }],
      ["shift_on", {}],
    ]);
  });

  it("updates an existing operator's name and role without changing the shift", async () => {
    const { operators } = await setup();
    await operators.add({ userId: 1, name: "Boris", role: "operator" });
    await operators.setShift(1, true);
    expect(await operators.add({ userId: 1, name: "Boris P.", role: "supervisor" })).toMatchObject({
      created: false,
      operator: { name: "Boris P.", role: "supervisor", onShift: true },
    });
  });

  it("removes an operator: off shift, no role, tickets back in the queue; re-adding restores", async () => {
    const { operators, tickets, clock } = await setup();
    await operators.add({ userId: 1, name: "Boris", role: "operator" });
    await operators.setShift(1, true);
    const opened = await tickets.openTicket({
      chatId: 500,
      language: "ru",
      question: "q",
      topIntents: [],
    });
    if (!opened.ok) throw new Error("not opened");
    await tickets.takeTicket(opened.ticket.id, 1);

    clock.advance(1000);
    const removed = await operators.remove(1, 99);
    expect(removed).toMatchObject({
      ok: true,
      operator: { removedAt: clock.now(), onShift: false },
      requeued: [opened.ticket.id],
    });
    expect(await tickets.ticket(opened.ticket.id)).toMatchObject({
      state: "waiting",
      operatorId: null,
    });
    expect(await operators.roleOf(1)).toBeUndefined();
    expect(await operators.list()).toEqual([]);
    expect(await operators.list({ includeRemoved: true })).toHaveLength(1);
    expect(await operators.remove(1)).toEqual({ ok: false, reason: "not_operator" });
    expect(await tickets.takeTicket(opened.ticket.id, 1)).toEqual({
      ok: false,
      reason: "not_operator",
    });

    expect(await operators.add({ userId: 1, name: "Boris", role: "operator" })).toMatchObject({
      created: true,
      operator: { removedAt: null, onShift: false, addedAt: clock.now() },
    });
  });
});
