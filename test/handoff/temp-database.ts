import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { openSqlite, type SqliteDatabase } from "../../handoff/sqlite/index.ts";

/**
 * Temp database files for one test file: `tempPath()` gives a fresh path,
 * `tempDatabase()` an open connection to a fresh file; both are closed and
 * removed after each test.
 */
export function useTempDatabases() {
  const dirs: string[] = [];
  const open: SqliteDatabase[] = [];
  afterEach(async () => {
    for (const db of open.splice(0)) if (db.connection.open) await db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempPath = () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-"));
    dirs.push(dir);
    return join(dir, "bot.sqlite");
  };
  const connect = (path: string) => {
    const db = openSqlite(path);
    open.push(db);
    return db;
  };
  return { tempPath, connect, tempDatabase: () => connect(tempPath()) };
}

/** A clock the test moves by hand. */
export function movableClock(start = Date.UTC(2025, 0, 15, 9, 0)) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    set: (ms: number) => {
      time = ms;
    },
  };
}

export const MINUTE = 60_000;
