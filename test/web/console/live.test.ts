import { describe, expect, it } from "vitest";
import { createDeskEffects, type DeskEffect } from "../../../handoff/index.ts";
import { openSqlite } from "../../../handoff/sqlite/index.ts";
import { concerns, createLiveFeed, type LiveEvent } from "../../../web/console/live.ts";

const card = (staffId: number): DeskEffect => ({
  kind: "staff",
  staffId,
  notice: { kind: "card", ticketId: 1, language: "ru", question: "вопрос", tried: [] },
  ticketId: 1,
  shown: "card",
});
const toCitizen: DeskEffect = {
  kind: "citizen",
  chatId: 501,
  language: "ru",
  notice: { kind: "from_operator", text: "ответ" },
  ticketId: 1,
};
const taken: DeskEffect = {
  kind: "update",
  ticketId: 1,
  shown: "card",
  notice: { kind: "card_taken", ticketId: 1, operatorName: "Ольга" },
};

describe("the console's live feed", () => {
  it("tells an operator what is said to them and of the queue; a supervisor everything", () => {
    const operator = { staffId: 7, role: "operator" as const };
    expect(concerns(card(7), operator)).toBe(true);
    expect(concerns(card(8), operator)).toBe(false);
    expect(concerns(toCitizen, operator)).toBe(false);
    expect(concerns(taken, operator)).toBe(true);
    const supervisor = { staffId: 9, role: "supervisor" as const };
    expect([card(8), toCitizen, taken].every((e) => concerns(e, supervisor))).toBe(true);
  });

  it("passes each new effect once to the pages it concerns, with nothing personal, from the newest on", async () => {
    const db = openSqlite(":memory:");
    const effects = createDeskEffects(db);
    await effects.record(card(7), { rendered: true });
    const feed = createLiveFeed(() => effects, { pollMs: 10_000 });
    await feed.start();
    const seen: LiveEvent[] = [];
    const others: LiveEvent[] = [];
    feed.add({ staffId: 7, role: "operator", send: (event) => seen.push(event) });
    const remove = feed.add({ staffId: 8, role: "operator", send: (event) => others.push(event) });
    const second = await effects.record(card(7), { rendered: true });
    await effects.record(toCitizen, { rendered: false });
    await Promise.all([feed.wake(), feed.wake()]);
    await feed.wake();
    expect(seen).toEqual([{ id: second, to: "staff", notice: "card", ticketId: 1 }]);
    expect(JSON.stringify(seen)).not.toContain("вопрос");
    expect(others).toEqual([]);
    remove();
    expect(feed.size).toBe(1);
    await feed.stop();
    await db.close();
  });
});
