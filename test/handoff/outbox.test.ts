import { describe, expect, it } from "vitest";
import { createOutbox, type OutboxMessage, openDatabase } from "../../handoff/index.ts";
import { movableClock, useTempDatabases } from "./temp-database.ts";

const { tempPath, connect } = useTempDatabases();
const text = (body: string): OutboxMessage => ({ kind: "text", text: body });

const setup = () => {
  const clock = movableClock();
  const db = openDatabase(":memory:");
  return { db, clock, outbox: createOutbox(db, { now: clock.now }) };
};

describe("the outbox", () => {
  it("keeps every kind of message as it was given", () => {
    const { outbox, clock } = setup();
    const messages: OutboxMessage[] = [
      { kind: "text", text: "<b>#12</b>", options: { parse_mode: "HTML" } },
      { kind: "photo", fileId: "AgAD", caption: "скриншот" },
      { kind: "document", fileId: "BQAD" },
      { kind: "copy", fromChatId: 500, messageId: 42 },
    ];
    const ids = messages.map((message, n) =>
      outbox.enqueue({ chatId: 100 + n, message, ticketId: 12 }),
    );
    expect(ids.map((id) => outbox.get(id)?.message)).toEqual(messages);
    expect(outbox.get(ids[0] as number)).toMatchObject({
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
    expect(outbox.get(999)).toBeUndefined();
  });

  it("delivers a chat's rows one at a time, oldest first, and other chats meanwhile", () => {
    const { outbox } = setup();
    const a1 = outbox.enqueue({ chatId: 1, message: text("a1") });
    const a2 = outbox.enqueue({ chatId: 1, message: text("a2") });
    const b1 = outbox.enqueue({ chatId: 2, message: text("b1") });
    const a3 = outbox.enqueue({ chatId: 1, message: text("a3") });

    expect(outbox.claimNext()?.id).toBe(a1);
    // a2 waits while a1 is being sent; chat 2 goes on.
    expect(outbox.claimNext()?.id).toBe(b1);
    expect(outbox.claimNext()).toBeUndefined();
    expect(outbox.markSent(a1, 9001)).toBe(true);
    expect(outbox.claimNext()?.id).toBe(a2);
    expect(outbox.markSent(a2)).toBe(true);
    expect(outbox.claimNext()?.id).toBe(a3);
    expect(outbox.get(a1)).toMatchObject({ state: "sent", messageId: 9001 });
  });

  it("retries after the given delay, counting attempts, and holds the chat's later rows back", () => {
    const { outbox, clock } = setup();
    const first = outbox.enqueue({ chatId: 1, message: text("first") });
    const second = outbox.enqueue({ chatId: 1, message: text("second") });
    outbox.claimNext();
    expect(outbox.markRetry(first, "429: Too Many Requests", 3000)).toBe(true);
    expect(outbox.get(first)).toMatchObject({
      state: "pending",
      attempts: 1,
      nextAttemptAt: clock.now() + 3000,
      lastError: "429: Too Many Requests",
    });
    // Not due yet, and the second row must not overtake it.
    expect(outbox.claimNext()).toBeUndefined();
    clock.advance(2999);
    expect(outbox.claimNext()).toBeUndefined();
    clock.advance(1);
    expect(outbox.claimNext()?.id).toBe(first);
    expect(outbox.markRetry(first, "502: Bad Gateway", 0)).toBe(true);
    expect(outbox.claimNext()).toMatchObject({ id: first, attempts: 2 });
    outbox.markSent(first);
    expect(outbox.claimNext()?.id).toBe(second);
    // Only a row being sent can be put back for a retry.
    expect(outbox.markRetry(first, "late", 0)).toBe(false);
  });

  it("postpones a row Telegram asked to wait for without counting an attempt, holding the chat back", () => {
    const { outbox, clock } = setup();
    const first = outbox.enqueue({ chatId: 1, message: text("first") });
    const second = outbox.enqueue({ chatId: 1, message: text("second") });
    outbox.claimNext();
    expect(outbox.postpone(first, "429: Too Many Requests: retry after 2", 2000)).toBe(true);
    expect(outbox.get(first)).toMatchObject({
      state: "pending",
      attempts: 0,
      nextAttemptAt: clock.now() + 2000,
      lastError: "429: Too Many Requests: retry after 2",
    });
    expect(outbox.claimNext()).toBeUndefined();
    clock.advance(2000);
    expect(outbox.claimNext()).toMatchObject({ id: first, attempts: 0 });
    expect(outbox.markRetry(first, "500: Internal Server Error", 0)).toBe(true);
    expect(outbox.claimNext()).toMatchObject({ id: first, attempts: 1 });
    outbox.markSent(first);
    expect(outbox.claimNext()?.id).toBe(second);
    // Only a row being sent can be postponed.
    expect(outbox.postpone(first, "late", 0)).toBe(false);
  });

  it("marks a permanent failure, after which the chat's next rows go on", () => {
    const { outbox } = setup();
    const blocked = outbox.enqueue({ chatId: 1, message: text("one") });
    const next = outbox.enqueue({ chatId: 1, message: text("two") });
    outbox.claimNext();
    expect(outbox.markFailed(blocked, "403: Forbidden: bot was blocked by the user")).toBe(true);
    expect(outbox.get(blocked)).toMatchObject({
      state: "failed",
      attempts: 1,
      lastError: "403: Forbidden: bot was blocked by the user",
    });
    expect(outbox.claimNext()?.id).toBe(next);
    expect(outbox.markFailed(blocked, "again")).toBe(false);
  });

  it("tells how long the oldest undelivered row has waited", () => {
    const { outbox, clock } = setup();
    expect(outbox.lag()).toBe(0);
    const id = outbox.enqueue({ chatId: 1, message: text("x") });
    clock.advance(1500);
    outbox.enqueue({ chatId: 2, message: text("y") });
    expect(outbox.lag()).toBe(1500);
    outbox.claimNext();
    expect(outbox.lag()).toBe(1500); // being sent is not delivered yet
    outbox.markSent(id);
    expect(outbox.lag()).toBe(0);
  });

  it("finds the ticket of a message it delivered, for replies", () => {
    const { outbox } = setup();
    const id = outbox.enqueue({ chatId: 7, message: text("#5: hello"), ticketId: 5 });
    outbox.claimNext();
    outbox.markSent(id, 321);
    expect(outbox.ticketOfMessage(7, 321)).toBe(5);
    expect(outbox.ticketOfMessage(8, 321)).toBeUndefined();
  });

  it("after a crash between claiming and marking sent, sends the row again, once", () => {
    const path = tempPath();
    const clock = movableClock();
    const before = connect(path);
    const outbox = createOutbox(before, { now: clock.now });
    const lost = outbox.enqueue({ chatId: 1, message: text("in flight") });
    const after = outbox.enqueue({ chatId: 1, message: text("after it") });
    const delivered = outbox.enqueue({ chatId: 2, message: text("done") });
    expect(outbox.claimNext()?.id).toBe(lost);
    expect(outbox.claimNext()?.id).toBe(delivered);
    outbox.markSent(delivered);
    // The process dies here: the first row was handed to Telegram (or not),
    // and markSent never ran.
    before.close();

    clock.advance(10_000);
    const reopened = createOutbox(connect(path), { now: clock.now });
    expect(reopened.get(lost)?.state).toBe("sending");
    // The chat stays blocked behind the row stuck in 'sending'…
    expect(reopened.claimNext()).toBeUndefined();
    // …until start-up recovery puts it back.
    expect(reopened.recoverStale(0)).toBe(1);
    expect(reopened.get(lost)).toMatchObject({ state: "pending", attempts: 0 });
    expect(reopened.claimNext()?.id).toBe(lost);
    reopened.markSent(lost);
    expect(reopened.claimNext()?.id).toBe(after);
    reopened.markSent(after);
    expect(reopened.claimNext()).toBeUndefined();
    expect(reopened.get(delivered)?.state).toBe("sent");
  });

  it("recovers only rows claimed longer ago than asked", () => {
    const { outbox, clock } = setup();
    const old = outbox.enqueue({ chatId: 1, message: text("old") });
    outbox.claimNext();
    clock.advance(60_000);
    const fresh = outbox.enqueue({ chatId: 2, message: text("fresh") });
    outbox.claimNext();
    expect(outbox.recoverStale(30_000)).toBe(1);
    expect(outbox.get(old)?.state).toBe("pending");
    expect(outbox.get(fresh)?.state).toBe("sending");
  });

  it("never hands the same row to two connections", () => {
    const path = tempPath();
    const first = createOutbox(connect(path));
    const second = createOutbox(connect(path));
    for (let chatId = 1; chatId <= 20; chatId++) {
      first.enqueue({ chatId, message: text(`to ${chatId}`) });
    }
    const claimed: number[] = [];
    for (;;) {
      const a = first.claimNext();
      const b = second.claimNext();
      if (!a && !b) break;
      for (const item of [a, b]) if (item) claimed.push(item.id);
    }
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed).size).toBe(20);
  });
});
