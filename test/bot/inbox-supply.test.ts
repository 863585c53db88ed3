import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createInboxSupply } from "../../bot/inbox-supply.ts";
import { createStore } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { faultyConnection } from "../handoff/faulty-connection.ts";

/** Telegram's side of getUpdates: updates kept until a later offset confirms them. */
function fakeTelegram() {
  let pending: Update[] = [];
  let nextId = 1;
  const offsets: number[] = [];
  return {
    offsets,
    get pending() {
      return pending.map((update) => update.update_id);
    },
    push(text: string) {
      const update = { update_id: nextId++, message: { text } } as unknown as Update;
      pending.push(update);
      return update;
    },
    fetchFrom: async (offset: number, limit: number) => {
      offsets.push(offset);
      pending = pending.filter((update) => update.update_id >= offset);
      return pending.slice(0, limit);
    },
  };
}

function setup() {
  const telegram = fakeTelegram();
  const faulty = faultyConnection(openSqlite(":memory:"));
  const store = createStore(faulty.db);
  const pauses: number[] = [];
  const inbox = createInboxSupply(
    { fetchFrom: telegram.fetchFrom, store },
    { sleep: async (ms) => void pauses.push(ms) },
  );
  const supply = async () =>
    (await inbox.supply(100, new AbortController().signal)).map((update) => update.update_id);
  return { telegram, store, fail: faulty.fail, pauses, inbox, supply };
}

describe("createInboxSupply", () => {
  it("saves each batch before the next poll confirms it to Telegram", async () => {
    const s = setup();
    s.telegram.push("телефон");
    s.telegram.push("пароль");
    expect(await s.supply()).toEqual([1, 2]);
    expect(await s.store.takeUnhandledUpdates(3)).toHaveLength(2);
    expect(s.telegram.pending).toEqual([1, 2]);
    s.telegram.push("паспорт");
    expect(await s.supply()).toEqual([3]);
    expect(s.telegram.offsets).toEqual([0, 3]);
    expect(s.telegram.pending).toEqual([3]);
    expect(s.pauses).toEqual([]);
  });

  it("hands on a batch it cannot save without confirming it, then saves what is still unhandled once writes work", async () => {
    const s = setup();
    s.fail("SQLITE_FULL", "writes");
    s.telegram.push("телефон");
    s.telegram.push("пароль");
    expect(await s.supply()).toEqual([1, 2]);
    expect(s.inbox.degraded).toBe(true);
    s.inbox.finished(1);

    // Polled again from the same offset, with a pause: only the new one is handed on.
    s.telegram.push("паспорт");
    expect(await s.supply()).toEqual([3]);
    expect(await s.supply()).toEqual([]);
    expect(s.telegram.offsets).toEqual([0, 0, 0]);
    expect(s.telegram.pending).toEqual([1, 2, 3]);
    expect(s.pauses).toEqual([1000, 2000]);

    s.fail(undefined);
    s.inbox.finished(3);
    expect(await s.supply()).toEqual([]);
    expect(s.inbox.degraded).toBe(false);
    // Finished ones are marked handled; the one still in the bot's hands waits in the inbox.
    expect(await s.store.wasHandled(1)).toBe(true);
    expect(await s.store.wasHandled(3)).toBe(true);
    expect(await s.store.takeUnhandledUpdates(3)).toEqual([
      { update_id: 2, message: { text: "пароль" } },
    ]);
    s.telegram.push("справка");
    expect(await s.supply()).toEqual([4]);
    expect(s.telegram.pending).toEqual([4]);
    expect(s.pauses).toEqual([1000, 2000, 4000]);
  });

  it("pauses at most maxRetryMs between polls while saves fail", async () => {
    const telegram = fakeTelegram();
    const faulty = faultyConnection(openSqlite(":memory:"));
    const pauses: number[] = [];
    const inbox = createInboxSupply(
      { fetchFrom: telegram.fetchFrom, store: createStore(faulty.db) },
      { retryMs: 100, maxRetryMs: 300, sleep: async (ms) => void pauses.push(ms) },
    );
    faulty.fail("SQLITE_IOERR_WRITE", "writes");
    telegram.push("телефон");
    for (let i = 0; i < 5; i++) await inbox.supply(100, new AbortController().signal);
    expect(pauses).toEqual([100, 200, 300, 300]);
  });

  it("throws what is not a storage fault (a bug), so it is not mistaken for a full disk", async () => {
    const telegram = fakeTelegram();
    const inbox = createInboxSupply({
      fetchFrom: telegram.fetchFrom,
      store: {
        saveUpdates: async () => {
          throw new TypeError("payload is undefined");
        },
        markHandled: async () => undefined,
      },
    });
    telegram.push("телефон");
    await expect(inbox.supply(100, new AbortController().signal)).rejects.toThrow(TypeError);
  });
});
