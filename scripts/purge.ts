// The retention purge: npm run purge [-- --days N] [--dry-run].
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createConfig } from "../bot/config.ts";
import { type PurgeCounts, purgeExpired, type SqlDatabase } from "../handoff/index.ts";
import { databaseName, databaseProblem, openToolDatabase } from "./tool-database.ts";

export const USAGE = `Usage: npm run purge [-- --days N] [--dry-run]

Erases personal data older than the retention period: the question, texts and
file ids of tickets closed more than N days ago, the text of questions asked
and of operators' suggestions made before then; deletes delivered and failed
outbox rows from before then, and handled update ids older than 3 days.
Counts, ratings, states, times and the audit log stay; open tickets and
messages still to deliver are never touched. The running bot does the same
at start-up and once a day.

  --days N     the retention period in days; defaults to RETENTION_DAYS, else 90
  --dry-run    say what would be erased and change nothing

The database is DATABASE_URL (PostgreSQL) when set, else the SQLite file
DATABASE_PATH, else ./data/bot.sqlite.`;

const DAY = 24 * 60 * 60_000;

export interface PurgeIo {
  /** The database, opened only once the command line is valid. */
  db: () => SqlDatabase | Promise<SqlDatabase>;
  /** RETENTION_DAYS, already validated: the period when --days is not given. */
  retentionDays: number;
  now?: number;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A local date and time, YYYY-MM-DD HH:MM. */
function moment(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The lines `npm run purge` prints for what was erased (or would be). */
export function describePurge(counts: PurgeCounts, dryRun: boolean): string[] {
  const verb = dryRun ? "would erase" : "erased";
  const gone = dryRun ? "would delete" : "deleted";
  return [
    `  ${verb} the question of ${counts.tickets} closed ticket(s)`,
    `  ${verb} ${counts.messages} ticket message(s), ${counts.files} of them with a file`,
    `  ${verb} the text of ${counts.questions} question(s)`,
    counts.suggestions === null
      ? "  no suggestions table in this database"
      : `  ${verb} the question of ${counts.suggestions} suggestion(s)`,
    `  ${gone} ${counts.outbox} sent or failed outbox row(s)`,
    `  ${gone} ${counts.updates} handled update id(s) older than 3 days`,
    `  ${gone} ${counts.inbox} saved update(s) never handled`,
    `  ${gone} ${counts.effects} rendered desk effect(s) older than 3 days`,
    `  ${gone} ${counts.sessions} web console session(s) over for 3 days, ${counts.signInFailures} old sign-in failure count(s)`,
  ];
}

/**
 * Runs one purge command line (the arguments after `npm run purge --`) and
 * returns the exit code: 0 done, 2 a command line mistake (then the database
 * is not even opened).
 */
export async function runPurge(argv: readonly string[], io: PurgeIo): Promise<number> {
  let values: { days?: string | undefined; "dry-run"?: boolean | undefined; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        days: { type: "string" },
        "dry-run": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // Node's messages go on with advice about "--"; the first sentence names the problem.
    io.err(`purge: ${(error as Error).message.split(/\.\s/)[0]}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const days = values.days === undefined ? io.retentionDays : Number(values.days);
  if (values.days !== undefined && !(/^\d+$/.test(values.days) && days >= 1)) {
    io.err(`purge: --days must be a whole number of days, 1 or more, not "${values.days}"`);
    return 2;
  }
  const dryRun = values["dry-run"] === true;
  const now = io.now ?? Date.now();
  const counts = await purgeExpired(await io.db(), { olderThanMs: days * DAY, now, dryRun });
  io.out(
    `${dryRun ? "Dry run: nothing changed. " : ""}Retention ${days} day(s): personal data from before ${moment(now - days * DAY)}`,
  );
  for (const line of describePurge(counts, dryRun)) io.out(line);
  return 0;
}

// Run as a command, not when a test imports runPurge.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const configured = createConfig(process.env);
  if (!configured.ok) {
    console.error(`Configuration error:\n  ${configured.errors.join("\n  ")}`);
    process.exit(2);
  }
  const { database } = configured.config;
  let db: SqlDatabase | undefined;
  try {
    process.exitCode = await runPurge(process.argv.slice(2), {
      db: async () => {
        // A purge never creates a database: a wrong path is a mistake to report.
        if (database.engine === "sqlite" && !existsSync(database.path)) {
          throw new Error("no such file (set DATABASE_PATH, or DATABASE_URL for PostgreSQL)");
        }
        db = await openToolDatabase(database);
        return db;
      },
      retentionDays: configured.config.retentionDays,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } catch (error) {
    console.error(`error: ${databaseProblem(error, `database ${databaseName(database)}`)}`);
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}
