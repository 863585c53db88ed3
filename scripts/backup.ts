// Online backup of the bot's database: npm run backup -- FILE [--force].
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createConfig } from "../bot/config.ts";
import { backupDatabase } from "../handoff/index.ts";

export const USAGE = `Usage: npm run backup -- FILE [--force]

Copies the bot's SQLite database to FILE while the bot runs (SQLite's online
backup: a consistent snapshot; the bot keeps writing), checks the copy
(PRAGMA integrity_check, same schema version) and prints its size and how
long it took. The copy is one self-contained file.

  --force    replace FILE if it exists (otherwise an existing FILE is refused)

The database is DATABASE_PATH, else ./data/bot.sqlite.`;

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
  databasePath: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Runs one backup command line (the arguments after `npm run backup --`) and
 * returns the exit code: 0 done, 1 refused or failed, 2 a command line mistake.
 */
export async function runBackup(argv: readonly string[], io: BackupIo): Promise<number> {
  let parsed: { values: { force?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
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
  if (positionals.length !== 1) {
    io.err(`backup: ${positionals.length === 0 ? "missing FILE" : "one FILE only"}\n\n${USAGE}`);
    return 2;
  }
  const file = positionals[0] as string;
  const result = await backupDatabase(io.databasePath, file, { force: values.force === true });
  if (!result.ok) {
    io.err(`backup: ${result.message}`);
    return 1;
  }
  io.out(
    `backed up ${resolve(io.databasePath)} to ${resolve(file)}: ${formatBytes(result.bytes)} (${result.pages} pages, schema version ${result.userVersion}) in ${Math.round(result.ms)} ms; integrity ok`,
  );
  return 0;
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
      databasePath: configured.config.databasePath,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } catch (error) {
    console.error(`backup failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
