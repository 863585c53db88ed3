import { afterEach, describe, expect, it } from "vitest";
import { createOutbox, createStaff, createTicketService } from "../../../handoff/index.ts";
import { openPostgres, type PostgresDatabase } from "../../../handoff/postgres/client.ts";
import { freshPostgres } from "../../postgres/fresh.ts";

// Several bot processes on one PostgreSQL database, each with its own pool:
// the guarantees SQLite's single writer gave for free must hold here by the
// statements alone.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function processes(count: number): Promise<PostgresDatabase[]> {
  const { url, drop } = await freshPostgres({ migrated: true });
  cleanups.push(drop);
  return Array.from({ length: count }, () => {
    const db = openPostgres(url, { max: 4 });
    cleanups.push(() => db.close());
    return db;
  });
}

describe("several processes on one PostgreSQL database", () => {
  it("give each waiting ticket to exactly one of the operators taking it at once", async () => {
    const pools = await processes(4);
    const [first] = pools as [PostgresDatabase];
    const staff = createStaff(first);
    const ids: number[] = [];
    for (let n = 1; n <= 8; n++) {
      const { member } = await staff.add({
        telegramUserId: 1000 + n,
        name: `op${n}`,
        role: "operator",
      });
      await staff.setShift(member.id, true);
      ids.push(member.id);
    }
    const tickets = createTicketService(first);
    for (let round = 0; round < 20; round++) {
      const opened = await tickets.openTicket({
        chatId: 1000 + round,
        language: "ru",
        question: "?",
        topIntents: [],
      });
      if (!opened.ok) throw new Error("not opened");
      const attempts = await Promise.all(
        ids.map((userId, i) =>
          createTicketService(pools[i % pools.length] as PostgresDatabase).takeTicket(
            opened.ticket.id,
            userId,
          ),
        ),
      );
      const winners = attempts.filter((attempt) => attempt.ok);
      expect(winners).toHaveLength(1);
      expect(attempts.filter((a) => !a.ok && a.reason === "already_taken")).toHaveLength(
        ids.length - 1,
      );
      const stored = await tickets.ticket(opened.ticket.id);
      expect(stored?.operatorId).toBe(winners[0]?.ok ? winners[0].ticket.operatorId : -1);
    }
  });

  it("claim every outbox row once, a chat's rows one at a time and in order", async () => {
    const pools = await processes(3);
    const outbox = createOutbox(pools[0] as PostgresDatabase);
    const chats = 12;
    const rows = 360;
    for (let i = 0; i < rows; i++) {
      await outbox.enqueue({ chatId: 1 + (i % chats), message: { kind: "text", text: `m${i}` } });
    }
    const claimed: number[] = [];
    const inFlight = new Map<number, number>();
    let overlaps = 0;
    const order = new Map<number, number[]>();
    // Each process runs three workers, as the delivery worker does.
    const worker = async (db: PostgresDatabase) => {
      const mine = createOutbox(db);
      let idle = 0;
      while (idle < 5) {
        const item = await mine.claimNext();
        if (!item) {
          idle++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        idle = 0;
        claimed.push(item.id);
        if (inFlight.has(item.chatId)) overlaps++;
        inFlight.set(item.chatId, item.id);
        order.set(item.chatId, [...(order.get(item.chatId) ?? []), item.id]);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        inFlight.delete(item.chatId);
        expect(await mine.markSent(item.id, item.id)).toBe(true);
      }
    };
    await Promise.all(pools.flatMap((db) => [worker(db), worker(db), worker(db)]));
    expect(claimed).toHaveLength(rows);
    expect(new Set(claimed).size).toBe(rows);
    expect(overlaps).toBe(0);
    for (const ids of order.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await outbox.lag()).toBe(0);
  });
});
