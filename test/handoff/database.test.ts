import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { DatabaseError, openDatabase } from "../../handoff/sqlite/index.ts";
import { MIGRATIONS } from "../../handoff/sqlite/migrations.ts";
import { useTempDatabases } from "./temp-database.ts";

const { tempPath } = useTempDatabases();

/** What openDatabase threw, or undefined when it opened the file. */
function refusal(path: string, options?: Parameters<typeof openDatabase>[1]) {
  try {
    openDatabase(path, options).close();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A database with enough questions to span many pages, closed (the WAL folded in). */
function filledDatabase(path: string) {
  const db = openDatabase(path);
  const insert = db.prepare(
    `INSERT INTO questions (chat_id, text, language, decision, intent, confidence, candidates, created_at)
     VALUES (1, ?, 'ru', 'answer', 'contacts', 1, '[]', 1)`,
  );
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`вопрос номер ${i} `.repeat(10));
  })();
  const pages = db.pragma("page_count", { simple: true }) as number;
  db.close();
  return pages;
}

describe("openDatabase refuses a file it cannot use, naming it and what to do", () => {
  it("a missing file when asked not to create one, creating nothing", () => {
    const path = join(dirname(tempPath()), "data", "bot.sqlite");
    const error = refusal(path, { create: false });
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: "missing", path });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("DATABASE_PATH");
    expect(existsSync(dirname(path))).toBe(false);
    // By default (the bot's first start) it is created.
    expect(refusal(path)).toBeUndefined();
    expect(refusal(path, { create: false })).toBeUndefined();
  });

  it("a file that is not a SQLite database", () => {
    const path = tempPath();
    writeFileSync(path, "these are somebody's notes, not a database\n".repeat(200));
    const error = refusal(path);
    expect(error).toMatchObject({ code: "corrupt", path });
    expect((error as Error).message).toMatch(/not a SQLite file.*restore the latest backup/);
  });

  it("a database with damaged pages (quick_check at opening)", () => {
    const path = tempPath();
    const pages = filledDatabase(path);
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * Math.floor(pages / 2));
    closeSync(fd);
    const error = refusal(path);
    expect(error).toMatchObject({ code: "corrupt", path });
    expect((error as Error).message).toContain(path);
    // Told not to check, it opens: the check is what noticed.
    expect(refusal(path, { check: false })).toBeUndefined();
  });

  it("a database whose schema is newer than this code, leaving it as it was", () => {
    const path = tempPath();
    const newer = new Database(path);
    newer.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    newer.close();
    const error = refusal(path);
    expect(error).toMatchObject({ code: "newer_schema", path });
    expect((error as Error).message).toContain(
      `schema version ${MIGRATIONS.length + 1}, newer than this code knows (${MIGRATIONS.length})`,
    );
    const after = new Database(path, { readonly: true });
    expect(after.prepare("SELECT count(*) AS n FROM sqlite_master").get()).toEqual({ n: 0 });
    after.close();
  });

  it("a path SQLite cannot open (a folder)", () => {
    const path = tempPath();
    mkdirSync(path);
    const error = refusal(path);
    expect(error).toMatchObject({ code: "unreadable", path });
    expect((error as Error).message).toMatch(/cannot open the database .* DATABASE_PATH/);
  });
});
