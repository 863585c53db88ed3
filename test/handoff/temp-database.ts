import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach } from "vitest";
import { openDatabase } from "../../handoff/index.ts";

/**
 * Temp database files for one test file: `tempPath()` gives a fresh path,
 * `tempDatabase()` an open connection to a fresh file; both are closed and
 * removed after each test.
 */
export function useTempDatabases() {
  const dirs: string[] = [];
  const open: Database[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempPath = () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-"));
    dirs.push(dir);
    return join(dir, "bot.sqlite");
  };
  const connect = (path: string) => {
    const db = openDatabase(path);
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
