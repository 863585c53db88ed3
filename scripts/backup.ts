// Backup and restore of the bot's database: npm run backup -- FILE [--force] [--export],
// npm run backup -- --restore FILE.
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createConfig, type DatabaseConfig } from "../bot/config.ts";
import type { SqlDatabase } from "../handoff/index.ts";
import {
  type ExportCounts,
  exportTables,
  ImportError,
  importTables,
} from "../handoff/sql/transfer.ts";
import { backupDatabase } from "../handoff/sqlite/index.ts";
import { databaseName, databaseProblem, openToolDatabase } from "./tool-database.ts";

export const USAGE = `Usage: npm run backup -- FILE [--force] [--export]
       npm run backup -- --restore FILE

Backs up the bot's database to FILE while the bot runs, and prints its size and
how long it took.

SQLite: an online backup, a consistent snapshot in one self-contained SQLite
file (the bot keeps writing), checked (PRAGMA integrity_check, same schema
version). --export writes a logical export instead.

PostgreSQL (DATABASE_URL): a logical export, every row of the bot's tables as
JSON lines, read in one snapshot (repeatable read) while the bot runs.

  --force           replace FILE if it exists (otherwise an existing FILE is refused)
  --export          on SQLite too, a logical export rather than a SQLite file
  --restore FILE    load a logical export (from either engine) into the
                    configured database, which must be empty: a new SQLite
                    file is made; on PostgreSQL, a new database (createdb) gets
                    its tables. All of it or nothing. This is also the way from
                    SQLite to PostgreSQL: --export from one, --restore into the other

The database is DATABASE_URL (PostgreSQL) when set, else the SQLite file
DATABASE_PATH, else ./data/bot.sqlite.`;

/** 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export interface BackupIo {
  /** The configured database: `databaseOf(env)`. */
  database: DatabaseConfig;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** "tickets 3, ticket_messages 12": the tables with rows, in export order. */
function describeCounts(counts: ExportCounts): string {
  const rows = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const tables = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`);
  return `${rows} row(s)${tables.length > 0 ? ` (${tables.join(", ")})` : ""}`;
}

/** Whether `path` begins as a SQLite database file does. */
function isSqliteFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    return head.toString("latin1") === "SQLite format 3\0";
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a logical export of `db` to `file`: into a temporary file next to
 * it, renamed into place once complete, so a failed export never leaves a
 * half-written FILE nor replaces a good one.
 */
async function exportTo(db: SqlDatabase, file: string): Promise<ExportCounts> {
  const partial = `${file}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { flags: "w" });
  const failed = new Promise<never>((_, reject) => stream.once("error", reject));
  failed.catch(() => {});
  try {
    const counts = await exportTables(db, async (line) => {
      if (!stream.write(`${line}\n`)) {
        await Promise.race([
          new Promise<void>((done) => stream.once("drain", () => done())),
          failed,
        ]);
      }
    });
    await Promise.race([new Promise<void>((done) => stream.end(() => done())), failed]);
    renameSync(partial, file);
    return counts;
  } catch (error) {
    stream.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

async function backup(file: string, io: BackupIo, options: { force: boolean; exported: boolean }) {
  const { database } = io;
  const to = resolve(file);
  if (database.engine === "sqlite" && !options.exported) {
    const result = await backupDatabase(database.path, file, { force: options.force });
    if (!result.ok) {
      io.err(`backup: ${result.message}`);
      return 1;
    }
    io.out(
      `backed up ${resolve(database.path)} to ${to}: ${formatBytes(result.bytes)} (${result.pages} pages, schema version ${result.userVersion}) in ${Math.round(result.ms)} ms; integrity ok`,
    );
    return 0;
  }
  const where = databaseName(database);
  if (database.engine === "sqlite" && !existsSync(where)) {
    io.err(`backup: ${where} does not exist`);
    return 1;
  }
  if (existsSync(to) && !options.force) {
    io.err(`backup: ${to} exists; --force replaces it`);
    return 1;
  }
  if (!existsSync(dirname(to))) {
    io.err(`backup: the folder ${dirname(to)} does not exist`);
    return 1;
  }
  const started = performance.now();
  let db: SqlDatabase | undefined;
  try {
    db = await openToolDatabase(database);
    const counts = await exportTo(db, to);
    io.out(
      `exported ${where} to ${to}: ${describeCounts(counts)}, ${formatBytes(statSync(to).size)} in ${Math.round(performance.now() - started)} ms`,
    );
    return 0;
  } catch (error) {
    io.err(`backup: ${databaseProblem(error, `export of ${where} failed`)}`);
    return 1;
  } finally {
    await db?.close();
  }
}

/**
 * The lines of a file. The iterator is made at once: readline drops the lines
 * it reads before anyone iterates, and never ends if the file was read by then
 * (importTables first checks the database is empty).
 */
function linesOf(path: string): AsyncIterable<string> {
  const iterator = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })[Symbol.asyncIterator]();
  return { [Symbol.asyncIterator]: () => iterator };
}

async function restore(file: string, io: BackupIo) {
  const { database } = io;
  const from = resolve(file);
  if (!existsSync(from) || !statSync(from).isFile()) {
    io.err(`backup: there is no file ${from} to restore`);
    return 1;
  }
  if (isSqliteFile(from)) {
    io.err(
      `backup: ${from} is a SQLite backup, not an export: put it in place of DATABASE_PATH with the bot stopped (README, "Personal data, backup and restore"), or export it first (DATABASE_PATH=${file} npm run backup -- --export FILE)`,
    );
    return 1;
  }
  const where = databaseName(database);
  const made = database.engine === "sqlite" && !existsSync(where);
  const started = performance.now();
  let db: SqlDatabase | undefined;
  let restored = false;
  try {
    // A new SQLite file is the usual target; an existing one must be empty.
    db = await openToolDatabase(database, { create: true });
    const counts = await importTables(db, linesOf(from));
    restored = true;
    io.out(
      `restored ${from} into ${where}: ${describeCounts(counts)} in ${Math.round(performance.now() - started)} ms`,
    );
    return 0;
  } catch (error) {
    io.err(
      error instanceof ImportError
        ? `backup: restore refused, nothing changed: ${error.message}`
        : `backup: ${databaseProblem(error, `restore into ${where} failed, nothing changed`)}`,
    );
    return 1;
  } finally {
    await db?.close();
    // A SQLite file made for a restore that failed goes again.
    if (made && !restored) {
      for (const suffix of ["", "-wal", "-shm", "-journal"])
        rmSync(`${where}${suffix}`, { force: true });
    }
  }
}

/**
 * Runs one backup command line (the arguments after `npm run backup --`) and
 * returns the exit code: 0 done, 1 refused or failed, 2 a command line mistake.
 */
export async function runBackup(argv: readonly string[], io: BackupIo): Promise<number> {
  let parsed: {
    values: { force?: boolean; export?: boolean; restore?: string; help?: boolean };
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        force: { type: "boolean" },
        export: { type: "boolean" },
        restore: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.err(`backup: ${(error as Error).message.split(/\.\s/)[0]}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.restore !== undefined) {
    if (positionals.length > 0 || values.force || values.export) {
      io.err(`backup: --restore FILE goes alone\n\n${USAGE}`);
      return 2;
    }
    return restore(values.restore, io);
  }
  if (positionals.length !== 1) {
    io.err(`backup: ${positionals.length === 0 ? "missing FILE" : "one FILE only"}\n\n${USAGE}`);
    return 2;
  }
  return backup(positionals[0] as string, io, {
    force: values.force === true,
    exported: values.export === true,
  });
}

// Run as a command, not when a test imports runBackup.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const configured = createConfig(process.env);
  if (!configured.ok) {
    console.error(`Configuration error:\n  ${configured.errors.join("\n  ")}`);
    process.exit(2);
  }
  try {
    process.exitCode = await runBackup(process.argv.slice(2), {
      database: configured.config.database,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } catch (error) {
    console.error(`backup failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
