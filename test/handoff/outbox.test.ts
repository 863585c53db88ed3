import { describe, expect, it } from "vitest";
import { createOutbox, type OutboxMessage } from "../../handoff/index.ts";
import { openTestDatabase } from "../storage.ts";
import { movableClock, useTempDatabases } from "./temp-database.ts";

const { tempPath, connect } = useTempDatabases();
const text = (body: string): OutboxMessage => ({ kind: "text", text: body });

const setup = async () => {
  const clock = movableClock();
  const db = await openTestDatabase();
  return { db, clock, outbox: createOutbox(db, { now: clock.now }) };
};

describe("the outbox", () => {
  it("keeps every kind of message as it was given", async () => {
    const { outbox, clock } = await setup();
    const messages: OutboxMessage[] = [
      { kind: "text", text: "<b>#12</b>", options: { parse_mode: "HTML" } },
      { kind: "photo", fileId: "AgAD", caption: "скриншот" },
      { kind: "document", fileId: "BQAD" },
      { kind: "copy", fromChatId: 500, messageId: 42 },
    ];
    const ids = await Promise.all(
      messages.map((message, n) => outbox.enqueue({ chatId: 100 + n, message, ticketId: 12 })),
    );
    expect(await Promise.all(ids.map(async (id) => (await outbox.get(id))?.message))).toEqual(
      messages,
    );
    expect(await outbox.get(ids[0] as number)).toMatchObject({
      chatId: 100,
      ticketId: 12,
      state: "pending",
      attempts: 0,
      nextAttemptAt: clock.now(),
      createdAt: clock.now(),
      lastError: null,
      messageId: null,
      sentAt: null,
    });
    expect(await outbox.get(999)).toBeUndefined();
  });

  it("delivers a chat's rows one at a time, oldest first, and other chats meanwhile", async () => {
    const { outbox } = await setup();
    const a1 = await outbox.enqueue({ chatId: 1, message: text("a1") });
    const a2 = await outbox.enqueue({ chatId: 1, message: text("a2") });
    const b1 = await outbox.enqueue({ chatId: 2, message: text("b1") });
    const a3 = await outbox.enqueue({ chatId: 1, message: text("a3") });

    expect((await outbox.claimNext())?.id).toBe(a1);
    // a2 waits while a1 is being sent; chat 2 goes on.
    expect((await outbox.claimNext())?.id).toBe(b1);
    expect(await outbox.claimNext()).toBeUndefined();
    expect(await outbox.markSent(a1, 9001)).toBe(true);
    expect((await outbox.claimNext())?.id).toBe(a2);
    expect(await outbox.markSent(a2)).toBe(true);
    expect((await outbox.claimNext())?.id).toBe(a3);
    expect(await outbox.get(a1)).toMatchObject({ state: "sent", messageId: 9001 });
  });

  it("paced, sends a chat's next row no sooner than the gap after its last, other chats meanwhile", async () => {
    const clock = movableClock();
    const outbox = createOutbox(await openTestDatabase(), { now: clock.now, chatGapMs: 1000 });
    const a1 = await outbox.enqueue({ chatId: 1, message: text("a1") });
    const a2 = await outbox.enqueue({ chatId: 1, message: text("a2") });
    const b1 = await outbox.enqueue({ chatId: 2, message: text("b1") });

    expect((await outbox.claimNext())?.id).toBe(a1);
    await outbox.markSent(a1);
    // a2 is due, but chat 1 was sent to just now; chat 2 was not.
    expect((await outbox.claimNext())?.id).toBe(b1);
    await outbox.markSent(b1);
    clock.advance(999);
    expect(await outbox.claimNext()).toBeUndefined();
    clock.advance(1);
    expect((await outbox.claimNext())?.id).toBe(a2);
    await outbox.markSent(a2);

    // A row enqueued later waits out the gap too, and a failed row sets none.
    const a3 = await outbox.enqueue({ chatId: 1, message: text("a3") });
    expect(await outbox.claimNext()).toBeUndefined();
    clock.advance(1000);
    expect((await outbox.claimNext())?.id).toBe(a3);
    await outbox.markFailed(a3, "Forbidden");
    const a4 = await outbox.enqueue({ chatId: 1, message: text("a4") });
    expect((await outbox.claimNext())?.id).toBe(a4);
  });

  it("retries after the given delay, counting attempts, and holds the chat's later rows back", async () => {
    const { outbox, clock } = await setup();
    const first = await outbox.enqueue({ chatId: 1, message: text("first") });
    const second = await outbox.enqueue({ chatId: 1, message: text("second") });
    await outbox.claimNext();
    expect(await outbox.markRetry(first, "429: Too Many Requests", 3000)).toBe(true);
    expect(await outbox.get(first)).toMatchObject({
      state: "pending",
      attempts: 1,
      nextAttemptAt: clock.now() + 3000,
      lastError: "429: Too Many Requests",
    });
    // Not due yet, and the second row must not overtake it.
    expect(await outbox.claimNext()).toBeUndefined();
    clock.advance(2999);
    expect(await outbox.claimNext()).toBeUndefined();
    clock.advance(1);
    expect((await outbox.claimNext())?.id).toBe(first);
    expect(await outbox.markRetry(first, "502: Bad Gateway", 0)).toBe(true);
    expect(await outbox.claimNext()).toMatchObject({ id: first, attempts: 2 });
    await outbox.markSent(first);
    expect((await outbox.claimNext())?.id).toBe(second);
    // Only a row being sent can be put back for a retry.
    expect(await outbox.markRetry(first, "late", 0)).toBe(false);
  });

  it("postpones a row Telegram asked to wait for without counting an attempt, holding the chat back", async () => {
    const { outbox, clock } = await setup();
    const first = await outbox.enqueue({ chatId: 1, message: text("first") });
    const second = await outbox.enqueue({ chatId: 1, message: text("second") });
    await outbox.claimNext();
    expect(await outbox.postpone(first, "429: Too Many Requests: retry after 2", 2000)).toBe(true);
    expect(await outbox.get(first)).toMatchObject({
      state: "pending",
      attempts: 0,
      nextAttemptAt: clock.now() + 2000,
      lastError: "429: Too Many Requests: retry after 2",
    });
    expect(await outbox.claimNext()).toBeUndefined();
    clock.advance(2000);
    expect(await outbox.claimNext()).toMatchObject({ id: first, attempts: 0 });
    expect(await outbox.markRetry(first, "500: Internal Server Error", 0)).toBe(true);
    expect(await outbox.claimNext()).toMatchObject({ id: first, attempts: 1 });
    await outbox.markSent(first);
    expect((await outbox.claimNext())?.id).toBe(second);
    // Only a row being sent can be postponed.
    expect(await outbox.postpone(first, "late", 0)).toBe(false);
  });

  it("marks a permanent failure, after which the chat's next rows go on", async () => {
    const { outbox } = await setup();
    const blocked = await outbox.enqueue({ chatId: 1, message: text("one") });
    const next = await outbox.enqueue({ chatId: 1, message: text("two") });
    await outbox.claimNext();
    expect(await outbox.markFailed(blocked, "403: Forbidden: bot was blocked by the user")).toBe(
      true,
    );
    expect(await outbox.get(blocked)).toMatchObject({
      state: "failed",
      attempts: 1,
      lastError: "403: Forbidden: bot was blocked by the user",
    });
    expect((await outbox.claimNext())?.id).toBe(next);
    expect(await outbox.markFailed(blocked, "again")).toBe(false);
  });

  it("tells how long the oldest undelivered row has waited", async () => {
    const { outbox, clock } = await setup();
    expect(await outbox.lag()).toBe(0);
    const id = await outbox.enqueue({ chatId: 1, message: text("x") });
    clock.advance(1500);
    await outbox.enqueue({ chatId: 2, message: text("y") });
    expect(await outbox.lag()).toBe(1500);
    await outbox.claimNext();
    expect(await outbox.lag()).toBe(1500); // being sent is not delivered yet
    await outbox.markSent(id);
    expect(await outbox.lag()).toBe(0);
  });

  it("finds the ticket of a message it delivered, for replies", async () => {
    const { outbox } = await setup();
    const id = await outbox.enqueue({ chatId: 7, message: text("#5: hello"), ticketId: 5 });
    await outbox.claimNext();
    await outbox.markSent(id, 321);
    expect(await outbox.ticketOfMessage(7, 321)).toBe(5);
    expect(await outbox.ticketOfMessage(8, 321)).toBeUndefined();
  });

  it("after a crash between claiming and marking sent, sends the row again, once", async () => {
    const path = tempPath();
    const clock = movableClock();
    const before = connect(path);
    const outbox = createOutbox(before, { now: clock.now });
    const lost = await outbox.enqueue({ chatId: 1, message: text("in flight") });
    const after = await outbox.enqueue({ chatId: 1, message: text("after it") });
    const delivered = await outbox.enqueue({ chatId: 2, message: text("done") });
    expect((await outbox.claimNext())?.id).toBe(lost);
    expect((await outbox.claimNext())?.id).toBe(delivered);
    await outbox.markSent(delivered);
    // The process dies here: the first row was handed to Telegram (or not),
    // and markSent never ran.
    await before.close();

    clock.advance(10_000);
    const reopened = createOutbox(connect(path), { now: clock.now });
    expect((await reopened.get(lost))?.state).toBe("sending");
    // The chat stays blocked behind the row stuck in 'sending'…
    expect(await reopened.claimNext()).toBeUndefined();
    // …until start-up recovery puts it back.
    expect(await reopened.recoverStale(0)).toBe(1);
    expect(await reopened.get(lost)).toMatchObject({ state: "pending", attempts: 0 });
    expect((await reopened.claimNext())?.id).toBe(lost);
    await reopened.markSent(lost);
    expect((await reopened.claimNext())?.id).toBe(after);
    await reopened.markSent(after);
    expect(await reopened.claimNext()).toBeUndefined();
    expect((await reopened.get(delivered))?.state).toBe("sent");
  });

  it("recovers only rows claimed longer ago than asked", async () => {
    const { outbox, clock } = await setup();
    const old = await outbox.enqueue({ chatId: 1, message: text("old") });
    await outbox.claimNext();
    clock.advance(60_000);
    const fresh = await outbox.enqueue({ chatId: 2, message: text("fresh") });
    await outbox.claimNext();
    expect(await outbox.recoverStale(30_000)).toBe(1);
    expect((await outbox.get(old))?.state).toBe("pending");
    expect((await outbox.get(fresh))?.state).toBe("sending");
  });

  it("never hands the same row to two connections", async () => {
    const path = tempPath();
    const first = createOutbox(connect(path));
    const second = createOutbox(connect(path));
    for (let chatId = 1; chatId <= 20; chatId++) {
      await first.enqueue({ chatId, message: text(`to ${chatId}`) });
    }
    const claimed: number[] = [];
    for (;;) {
      const a = await first.claimNext();
      const b = await second.claimNext();
      if (!a && !b) break;
      for (const item of [a, b]) if (item) claimed.push(item.id);
    }
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed).size).toBe(20);
  });
});
