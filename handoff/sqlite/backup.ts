import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";

export interface BackupOptions {
  /** Replace an existing destination. Defaults to false. */
  force?: boolean;
  /** Told how many pages there are and how many remain, between copy steps. */
  onProgress?: (progress: { totalPages: number; remainingPages: number }) => void;
}

export type BackupResult =
  | { ok: true; bytes: number; pages: number; userVersion: number; ms: number }
  | {
      ok: false;
      reason: "no_source" | "exists" | "same_file" | "no_folder" | "verify_failed";
      message: string;
    };

/** The whole database in one step: see backupDatabase. */
const ALL_PAGES = 0x7fffffff;

/** Opens the copy, makes it a single file (no WAL) and checks it; the problem found, if any. */
function verifyCopy(path: string, userVersion: number): string | undefined {
  const copy = new Database(path, { fileMustExist: true });
  try {
    // The copy inherits WAL mode; a rollback journal makes it one file that
    // reading leaves alone (the bot turns WAL back on when it opens it).
    copy.pragma("journal_mode = DELETE");
    const problems = copy.pragma("integrity_check", { simple: false }) as {
      integrity_check: string;
    }[];
    const report = problems.map((row) => row.integrity_check);
    if (report.join() !== "ok") return `integrity_check: ${report.slice(0, 5).join("; ")}`;
    const copied = copy.pragma("user_version", { simple: true }) as number;
    if (copied !== userVersion) {
      return `schema version ${copied} in the copy, ${userVersion} in the database`;
    }
    return undefined;
  } finally {
    copy.close();
  }
}

/**
 * Copies the SQLite database at `source` to `destination` while other
 * connections (the running bot) keep reading and writing it, and verifies
 * the copy. The copy holds exactly what was committed when it began: it is
 * made in one step under a read snapshot (in WAL mode writers go on
 * meanwhile); copying in small steps would restart after every write of
 * another connection and might never end on a busy bot. The copy is written
 * next to `destination` and renamed into place once verified, so a failed
 * backup never leaves a half-written FILE, nor replaces a good one.
 *
 * @example await backupDatabase("./data/bot.sqlite", "/backups/bot-2025-01-15.sqlite")
 */
export async function backupDatabase(
  source: string,
  destination: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const { force = false, onProgress } = options;
  const from = resolve(source);
  const to = resolve(destination);
  if (!existsSync(from))
    return { ok: false, reason: "no_source", message: `${from} does not exist` };
  if (from === to) {
    return { ok: false, reason: "same_file", message: "FILE is the database itself" };
  }
  if (existsSync(to) && !force) {
    return { ok: false, reason: "exists", message: `${to} exists; --force replaces it` };
  }
  if (!existsSync(dirname(to))) {
    return { ok: false, reason: "no_folder", message: `the folder ${dirname(to)} does not exist` };
  }
  const partial = `${to}.partial-${process.pid}`;
  const removePartial = () => {
    for (const suffix of ["", "-journal", "-wal", "-shm"])
      rmSync(`${partial}${suffix}`, { force: true });
  };
  removePartial();

  const started = performance.now();
  const db = new Database(from, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const userVersion = db.pragma("user_version", { simple: true }) as number;
    const { totalPages } = await db.backup(partial, {
      progress: (progress) => {
        onProgress?.(progress);
        return ALL_PAGES;
      },
    });
    const problem = verifyCopy(partial, userVersion);
    if (problem !== undefined) {
      removePartial();
      return { ok: false, reason: "verify_failed", message: `the copy is damaged: ${problem}` };
    }
    // A stale -wal beside an old FILE must not be read with the new one.
    for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${to}${suffix}`, { force: true });
    renameSync(partial, to);
    return {
      ok: true,
      bytes: statSync(to).size,
      pages: totalPages,
      userVersion,
      ms: performance.now() - started,
    };
  } catch (error) {
    removePartial();
    throw error;
  } finally {
    db.close();
  }
}
