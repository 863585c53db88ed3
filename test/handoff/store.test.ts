import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createStore, createTicketService, openDatabase } from "../../handoff/index.ts";
import { MIGRATIONS } from "../../handoff/migrations.ts";

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
