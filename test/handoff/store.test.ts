import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  createStorageMonitor,
  createStore,
  createTicketService,
  openDatabase,
} from "../../handoff/index.ts";
import { MIGRATIONS } from "../../handoff/migrations.ts";
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
  it("creates its folder and schema, in WAL mode, and keeps data across reopening", () => {
    const path = tempPath();
    const first = createStore(path);
    first.setLanguage(1, "en");
    first.markHandled(10);
    first.recordFeedback(1, "contacts.hotline", true);
    first.close();
    const db = new Database(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const second = createStore(path);
    expect(second.languageOf(1)).toBe("en");
    expect(second.wasHandled(10)).toBe(true);
    expect(second.wasHandled(11)).toBe(false);
    expect(second.feedback()).toHaveLength(1);
    second.close();
  });

  it("marks a citizen blocked and active again", () => {
    const store = createStore(":memory:");
    expect(store.isBlocked(5)).toBe(false);
    store.markBlocked(5);
    expect(store.isBlocked(5)).toBe(true);
    store.markActive(5);
    expect(store.isBlocked(5)).toBe(false);
  });

  it("keeps questions with their decision and candidates", () => {
    let clock = 1000;
    const store = createStore(":memory:", { now: () => clock });
    store.recordQuestion({
      chatId: 3,
      text: "какая погода",
      language: "ru",
      decision: "escalate",
      intent: null,
      confidence: 0.1,
      candidates: [{ intent: "hours.schedule", score: 0.2 }],
    });
    clock = 2000;
    store.recordQuestion({
      chatId: 3,
      text: "пароль",
      language: "ru",
      decision: "answer",
      intent: "account.login_recovery",
      confidence: 0.9,
      candidates: [],
    });
    expect(store.questions().map((q) => [q.decision, q.intent, q.createdAt])).toEqual([
      ["escalate", null, 1000],
      ["answer", "account.login_recovery", 2000],
    ]);
    expect(store.questions()[0]?.candidates).toEqual([{ intent: "hours.schedule", score: 0.2 }]);
  });

  it("shares a connection from openDatabase with the ticket service", () => {
    const db = openDatabase(":memory:");
    const store = createStore(db);
    const tickets = createTicketService(db);
    store.setLanguage(9, "en");
    tickets.openTicket({ chatId: 9, language: "en", question: "hi", topIntents: [] });
    expect(db.prepare("SELECT count(*) AS n FROM tickets").get()).toEqual({ n: 1 });
    expect(store.languageOf(9)).toBe("en");
    store.close();
    expect(db.open).toBe(false);
  });

  it("keeps fetched updates until handled, gives back the rest once per crash, and gives up a poison one", () => {
    const store = createStore(":memory:");
    const update = (id: number) => ({ update_id: id, message: { text: `m${id}` } });
    store.saveUpdates([update(1), update(2), update(3)]);
    store.saveUpdates([update(3)]); // Telegram sends an unconfirmed batch again
    store.markHandled(2);
    expect(store.takeUnhandledUpdates(3)).toEqual([update(1), update(3)]);
    store.markHandled(1);
    expect(store.takeUnhandledUpdates(3)).toEqual([update(3)]);
    // Update 3 crashes the bot each time: after three replays it is left out.
    expect(store.takeUnhandledUpdates(3)).toEqual([update(3)]);
    expect(store.takeUnhandledUpdates(3)).toEqual([]);
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
  it("on a full disk skips bookkeeping without throwing, refuses to save updates, and recovers", () => {
    const db = openDatabase(":memory:");
    const storage = createStorageMonitor(db);
    const store = createStore(db, { storage });
    store.setLanguage(5, "en");
    fillUp(db);

    // A long message needs pages of its own, and there are none left.
    const long = { ...question, text: "я подал заявление и ".repeat(400) };
    expect(() => store.recordQuestion(long)).not.toThrow();
    expect(storage.fault()).toMatchObject({
      kind: "write_failed",
      error: expect.stringMatching(/SQLITE_FULL/),
    });
    const update = { update_id: 7, message: { text: long.text } };
    expect(() => store.saveUpdates([update])).toThrow(/full/);
    // Reads still work.
    expect(store.languageOf(5)).toBe("en");

    db.pragma("max_page_count = 1000000");
    store.recordQuestion(long);
    expect(storage.fault()).toBeUndefined();
    expect(store.questions()).toHaveLength(1);
    store.saveUpdates([update]);
    expect(store.takeUnhandledUpdates(3)).toEqual([update]);
  });

  it("on I/O errors reads as 'nothing known' so the update is still answered, and a bug still throws", () => {
    const faulty = faultyConnection(openDatabase(":memory:"));
    const storage = createStorageMonitor(faulty.db);
    const store = createStore(faulty.db, { storage });
    store.setLanguage(5, "en");
    store.markHandled(3);
    store.markBlocked(6);

    faulty.fail("SQLITE_IOERR_READ");
    expect(store.wasHandled(3)).toBe(false);
    expect(store.languageOf(5)).toBeUndefined();
    expect(store.isBlocked(6)).toBe(false);
    expect(() => store.markActive(6)).not.toThrow();
    expect(() => store.saveUpdates([{ update_id: 8 }])).toThrow(/IOERR/);
    expect(storage.fault()).toMatchObject({ kind: "write_failed" });

    faulty.fail("SQLITE_CORRUPT");
    expect(store.wasHandled(3)).toBe(false);
    expect(storage.fault()).toMatchObject({ kind: "corrupt" });

    faulty.fail("SQLITE_CONSTRAINT_CHECK");
    expect(() => store.setLanguage(5, "ru")).toThrow(/CONSTRAINT/);

    faulty.fail(undefined);
    expect(store.wasHandled(3)).toBe(true);
    expect(store.languageOf(5)).toBe("en");
  });
});
