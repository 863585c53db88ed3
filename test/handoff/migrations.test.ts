import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../handoff/sqlite/index.ts";
import { MIGRATIONS, migrate } from "../../handoff/sqlite/migrations.ts";
import { useTempDatabases } from "./temp-database.ts";

const { tempPath } = useTempDatabases();

const tablesOf = (db: Database.Database) =>
  db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
    .all()
    .map((row) => row.name);

describe("migrations", () => {
  it("creates the handoff tables on a fresh file", () => {
    const db = openDatabase(tempPath());
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    expect(tablesOf(db)).toEqual(
      expect.arrayContaining(["staff", "tickets", "ticket_messages", "audit_log", "outbox"]),
    );
    const indexes = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
      .all()
      .map((row) => row.name);
    expect(indexes).toContain("outbox_due");
    db.close();
  });

  it("upgrades a version 1 file and keeps its data", () => {
    const path = tempPath();
    const old = new Database(path);
    old.exec(MIGRATIONS[0] as string);
    old.pragma("user_version = 1");
    old.prepare("INSERT INTO chats (chat_id, language, updated_at) VALUES (7, 'en', 1)").run();
    old.close();

    const db = openDatabase(path);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT language FROM chats WHERE chat_id = 7").get()).toEqual({
      language: "en",
    });
    expect(tablesOf(db)).toContain("tickets");
    db.close();
  });

  it("does nothing on an up-to-date file", () => {
    const db = openDatabase(tempPath());
    migrate(db);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });
});
