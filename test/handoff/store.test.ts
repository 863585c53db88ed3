import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createStorageMonitor, createStore, createTicketService } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { MIGRATIONS } from "../../handoff/sqlite/migrations.ts";
import { faultyConnection } from "./faulty-connection.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempPath = () => {
  const dir = mkdtempSync(join(tmpdir(), "store-"));
  dirs.push(dir);
  return join(dir, "nested", "bot.sqlite");
};

describe("the SQLite store", () => {
  it("creates its folder and schema, in WAL mode, and keeps data across reopening", async () => {
    const path = tempPath();
    const firstDb = openSqlite(path);
    const first = createStore(firstDb);
    await first.setLanguage(1, "en");
    await first.markHandled(10);
    await first.recordFeedback(1, "contacts.hotline", true);
    await firstDb.close();
    const db = new Database(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const secondDb = openSqlite(path);
    const second = createStore(secondDb);
    expect(await second.languageOf(1)).toBe("en");
    expect(await second.wasHandled(10)).toBe(true);
    expect(await second.wasHandled(11)).toBe(false);
    expect(await second.feedback()).toHaveLength(1);
    await secondDb.close();
  });

  it("marks a citizen blocked and active again", async () => {
    const storeDb = openSqlite(":memory:");
    const store = createStore(storeDb);
    expect(await store.isBlocked(5)).toBe(false);
    await store.markBlocked(5);
    expect(await store.isBlocked(5)).toBe(true);
    await store.markActive(5);
    expect(await store.isBlocked(5)).toBe(false);
  });

  it("keeps questions with their decision and candidates", async () => {
    let clock = 1000;
    const storeDb = openSqlite(":memory:");
    const store = createStore(storeDb, { now: () => clock });
    await store.recordQuestion({
      chatId: 3,
      text: "какая погода",
      language: "ru",
      decision: "escalate",
      intent: null,
      confidence: 0.1,
      candidates: [{ intent: "hours.schedule", score: 0.2 }],
    });
    clock = 2000;
    await store.recordQuestion({
      chatId: 3,
      text: "пароль",
      language: "ru",
      decision: "answer",
      intent: "account.login_recovery",
      confidence: 0.9,
      candidates: [],
    });
    expect((await store.questions()).map((q) => [q.decision, q.intent, q.createdAt])).toEqual([
      ["escalate", null, 1000],
      ["answer", "account.login_recovery", 2000],
    ]);
    expect((await store.questions())[0]?.candidates).toEqual([
      { intent: "hours.schedule", score: 0.2 },
    ]);
  });

  it("shares a database from openSqlite with the ticket service, closed by its owner", async () => {
    const db = openSqlite(":memory:");
    const store = createStore(db);
    const tickets = createTicketService(db);
    await store.setLanguage(9, "en");
    await tickets.openTicket({ chatId: 9, language: "en", question: "hi", topIntents: [] });
    expect(db.connection.prepare("SELECT count(*) AS n FROM tickets").get()).toEqual({ n: 1 });
    expect(await store.languageOf(9)).toBe("en");
    await db.close();
    expect(db.connection.open).toBe(false);
  });

  it("keeps fetched updates until handled, gives back the rest once per crash, and gives up a poison one", async () => {
    const storeDb = openSqlite(":memory:");
    const store = createStore(storeDb);
    const update = (id: number) => ({ update_id: id, message: { text: `m${id}` } });
    await store.saveUpdates([update(1), update(2), update(3)]);
    await store.saveUpdates([update(3)]); // Telegram sends an unconfirmed batch again
    await store.markHandled(2);
    expect(await store.takeUnhandledUpdates(3)).toEqual([update(1), update(3)]);
    await store.markHandled(1);
    expect(await store.takeUnhandledUpdates(3)).toEqual([update(3)]);
    // Update 3 crashes the bot each time: after three replays it is left out.
    expect(await store.takeUnhandledUpdates(3)).toEqual([update(3)]);
    expect(await store.takeUnhandledUpdates(3)).toEqual([]);
  });
});

/** Fills `db` up to a page limit on its connection, as a full disk would stop it. */
function fillUp(db: Database.Database) {
  db.pragma(`max_page_count = ${(db.pragma("page_count", { simple: true }) as number) + 2}`);
  const insert = db.prepare(
    "INSERT INTO feedback (chat_id, intent, helpful, created_at) VALUES (1, ?, 1, 0)",
  );
  expect(() => {
    for (let i = 0; ; i++) insert.run(`filler ${i} `.repeat(40));
  }).toThrow(/full/);
}

const question = {
  chatId: 1,
  text: "телефон горячей линии",
  language: "ru" as const,
  decision: "answer" as const,
  intent: "contacts.hotline",
  confidence: 0.9,
  candidates: [],
};

describe("the store when the database fails", () => {
  it("on a full disk skips bookkeeping without throwing, refuses to save updates, and recovers", async () => {
    const db = openSqlite(":memory:");
    const storage = createStorageMonitor(db);
    const store = createStore(db, { storage });
    await store.setLanguage(5, "en");
    fillUp(db.connection);

    // A long message needs pages of its own, and there are none left.
    const long = { ...question, text: "я подал заявление и ".repeat(400) };
    await expect(store.recordQuestion(long)).resolves.toBeUndefined();
    expect(storage.fault()).toMatchObject({
      kind: "write_failed",
      error: expect.stringMatching(/SQLITE_FULL/),
    });
    const update = { update_id: 7, message: { text: long.text } };
    await expect(store.saveUpdates([update])).rejects.toThrow(/full/);
    // Reads still work.
    expect(await store.languageOf(5)).toBe("en");

    db.connection.pragma("max_page_count = 1000000");
    await store.recordQuestion(long);
    expect(storage.fault()).toBeUndefined();
    expect(await store.questions()).toHaveLength(1);
    await store.saveUpdates([update]);
    expect(await store.takeUnhandledUpdates(3)).toEqual([update]);
  });

  it("on I/O errors reads as 'nothing known' so the update is still answered, and a bug still throws", async () => {
    const faulty = faultyConnection(openSqlite(":memory:"));
    const storage = createStorageMonitor(faulty.db);
    const store = createStore(faulty.db, { storage });
    await store.setLanguage(5, "en");
    await store.markHandled(3);
    await store.markBlocked(6);

    faulty.fail("SQLITE_IOERR_READ");
    expect(await store.wasHandled(3)).toBe(false);
    expect(await store.languageOf(5)).toBeUndefined();
    expect(await store.isBlocked(6)).toBe(false);
    await expect(store.markActive(6)).resolves.toBeUndefined();
    await expect(store.saveUpdates([{ update_id: 8 }])).rejects.toThrow(/IOERR/);
    expect(storage.fault()).toMatchObject({ kind: "write_failed" });

    faulty.fail("SQLITE_CORRUPT");
    expect(await store.wasHandled(3)).toBe(false);
    expect(storage.fault()).toMatchObject({ kind: "corrupt" });

    faulty.fail("SQLITE_CONSTRAINT_CHECK");
    await expect(store.setLanguage(5, "ru")).rejects.toThrow(/CONSTRAINT/);

    faulty.fail(undefined);
    expect(await store.wasHandled(3)).toBe(true);
    expect(await store.languageOf(5)).toBe("en");
  });
});
