// The managers' report: npm run kb -- report --html FILE [--since 30d].

import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { databaseOf } from "../bot/config.ts";
import { collectReport, type IntentTitle, startOfMoscowDay } from "../handoff/index.ts";
import { loadKnowledgeBase } from "../knowledge/index.ts";
import { renderReportHtml } from "../web/report/index.ts";
import { knowledgeFolder } from "./knowledge-folder.ts";
import { databaseName, databaseProblem, openToolDatabase } from "./tool-database.ts";

export const USAGE = `Usage: npm run kb -- report --html FILE [--since 30d]

  --html FILE         write the report to FILE: one HTML page that opens in any
                      browser, offline (charts included, nothing to download)
  --since Nd          the last N days in Moscow time, today included (1d is
                      today so far); at most 366d; default 30d
  --since YYYY-MM-DD  from that day (Moscow time) until now

The database is DATABASE_URL (PostgreSQL) when set, else DATABASE_PATH,
else ./data/bot.sqlite. Intents are shown with their titles from the
knowledge folder (KNOWLEDGE_DIR, else intents/).`;

const DAY = 86_400_000;
const MAX_DAYS = 366;

/** Where runReport prints to, the environment it reads and its clock. */
export interface ReportIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

const consoleIo: ReportIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  now: Date.now,
};

/** A command line mistake: reported in one line, exit 2, nothing read or written. */
class UsageError extends Error {}

/** The start of the period `--since` names, given the moment of the report. */
function sinceOf(text: string, now: number): number {
  const days = /^(\d+)d$/.exec(text);
  if (days) {
    const n = Number(days[1]);
    if (n < 1 || n > MAX_DAYS) throw new UsageError(`--since ${text}: from 1d to ${MAX_DAYS}d`);
    return startOfMoscowDay(now) - (n - 1) * DAY;
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date) {
    const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
    const utc = Date.UTC(year, month - 1, day);
    if (new Date(utc).toISOString().slice(0, 10) !== text) {
      throw new UsageError(`--since ${text}: no such date`);
    }
    // 00:00 UTC is 03:00 in Moscow, the same day.
    const since = startOfMoscowDay(utc);
    if (since > now) throw new UsageError(`--since ${text}: the day has not begun yet`);
    if (now - since > MAX_DAYS * DAY) {
      throw new UsageError(`--since ${text}: the report covers at most ${MAX_DAYS} days`);
    }
    return since;
  }
  throw new UsageError(
    `--since takes a number of days like 30d or a date like 2026-11-01, not "${text}"`,
  );
}

function parseCommandLine(argv: readonly string[], now: number) {
  let values: { html?: string; since?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        html: { type: "string" },
        since: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    // Node's messages go on with advice about "--"; the first sentence names the problem.
    throw new UsageError((error as Error).message.split(/\.\s/)[0] ?? String(error));
  }
  if (values.help) return { help: true as const };
  if (!values.html) throw new UsageError("--html FILE is required: where to write the page");
  return { help: false as const, file: values.html, since: sinceOf(values.since ?? "30d", now) };
}

/** Intent titles from the knowledge base, or none (with a warning) when it does not load. */
function intentTitles(io: ReportIo): IntentTitle | undefined {
  const result = loadKnowledgeBase(knowledgeFolder(io.env));
  if (!result.ok) {
    io.err(
      `warning: the knowledge base did not load (${result.issues.length} error(s), npm run kb -- check); intents are shown by id`,
    );
    return undefined;
  }
  const { byId } = result.kb;
  return (id) => byId.get(id)?.title.ru;
}

/**
 * Runs `report` (the arguments after `npm run kb -- report`) and returns the
 * exit code: 0 written, 1 no database or it could not be read or the file not
 * written, 2 a command line mistake (nothing read or written then).
 *
 * @example runReport(["--html", "report.html", "--since", "7d"]);
 */
export async function runReport(
  argv: readonly string[],
  io: ReportIo = consoleIo,
): Promise<number> {
  const until = io.now();
  let options: ReturnType<typeof parseCommandLine>;
  try {
    options = parseCommandLine(argv, until);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`report: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }

  const database = databaseOf(io.env);
  const where = databaseName(database);
  if (database.engine === "sqlite" && !existsSync(where)) {
    io.err(
      `report: no database at ${where}; set DATABASE_PATH to the bot's SQLite file (the bot creates it on first start), or DATABASE_URL to its PostgreSQL database`,
    );
    return 1;
  }
  let data: Awaited<ReturnType<typeof collectReport>>;
  try {
    const db = await openToolDatabase(database);
    try {
      data = await collectReport(db, { since: options.since, until });
    } finally {
      await db.close();
    }
  } catch (error) {
    io.err(`report: ${databaseProblem(error, `cannot read the database at ${where}`)}`);
    return 1;
  }

  const intentTitle = intentTitles(io);
  const html = renderReportHtml(data, {
    generatedAt: until,
    ...(intentTitle ? { intentTitle } : {}),
  });
  const file = resolve(options.file);
  try {
    writeFileSync(file, html);
  } catch (error) {
    io.err(`report: cannot write ${file}: ${(error as Error).message}`);
    return 1;
  }
  io.out(
    `wrote ${file} (${Math.ceil(Buffer.byteLength(html) / 1024)} KB): ${data.days.length} day(s), ${data.questions.total} question(s), ${data.tickets.opened} ticket(s)`,
  );
  return 0;
}
