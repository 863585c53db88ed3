// npm run kb -- unanswered: the questions the bot did not answer well, in
// clusters of similar ones, for content staff to add examples or an intent.

import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { databaseOf } from "../bot/config.ts";
import { createStore, type SqlDatabase, type UnansweredRecords } from "../handoff/index.ts";
import {
  clusterUnanswered,
  createMatcher,
  type KnowledgeBase,
  type Matcher,
  UNANSWERED_REASONS,
  type UnansweredCluster,
  type UnansweredReason,
  withoutBidiControls,
} from "../knowledge/index.ts";
import { type CsvCell, spreadsheetText, toCsv } from "./csv.ts";
import { knowledgeFolder, loadKnowledgeOrExit } from "./knowledge-folder.ts";
import { databaseName, databaseProblem, openToolDatabase } from "./tool-database.ts";

export const USAGE = `Usage: npm run kb -- unanswered [--since 7d] [--limit N] [--csv | --out FILE]

  The questions the bot escalated, clarified, or answered and was given 👎
  for, in clusters of similar questions (typos, keyboard layout and word forms
  taken into account), most asked first: how many, why, examples, the
  nearest intent (add the examples to it) or none (a new topic?).

  --since N[h|d|w]   the period back from now: hours, days or weeks (default 7d)
  --limit N          how many clusters (default 20; with --csv or --out, all)
  --csv              CSV on stdout (UTF-8 with BOM, for Excel); with npm use
                     npm run -s kb -- unanswered --csv > file.csv, or --out
  --out FILE         write the CSV to FILE
  --threshold X      how similar (0..1) a question must be to join a cluster
                     (default 0.45; higher: smaller, tighter clusters)

The database is DATABASE_URL (PostgreSQL) when set, else DATABASE_PATH,
else ./data/bot.sqlite; the knowledge folder is KNOWLEDGE_DIR, else intents/.`;

const DEFAULT_LIMIT = 20;
const HOUR = 60 * 60_000;
const UNITS: Record<string, { ms: number; name: string }> = {
  h: { ms: HOUR, name: "hour" },
  d: { ms: 24 * HOUR, name: "day" },
  w: { ms: 7 * 24 * HOUR, name: "week" },
};

const REASON_LABELS: Record<UnansweredReason, string> = {
  escalated: "escalated",
  clarified: "clarified",
  unhelpful: "👎",
};

/** Where the command prints, its clock, environment and knowledge: the process's unless a test gives its own. */
export interface UnansweredIo {
  now?: () => number;
  env?: NodeJS.ProcessEnv;
  /** The knowledge base and its matcher. Defaults to loading KNOWLEDGE_DIR (exit 1 on errors). */
  knowledge?: () => { kb: KnowledgeBase; matcher: Matcher };
  out?: (text: string) => void;
  err?: (line: string) => void;
}

/** A command line mistake: reported in one line, exit 2, nothing opened. */
class UsageError extends Error {}

/** A period like "12h", "7d" or "2w": its length in ms and in words. */
export function parseSince(text: string): { ms: number; words: string } {
  const match = /^(\d{1,5})([hdw])$/.exec(text.trim());
  const count = Number(match?.[1]);
  const unit = UNITS[match?.[2] ?? ""];
  if (!unit || !(count > 0)) {
    throw new UsageError(
      `--since takes a number of hours, days or weeks like 12h, 7d or 2w, not "${text}"`,
    );
  }
  return { ms: count * unit.ms, words: `${count} ${unit.name}${count === 1 ? "" : "s"}` };
}

function parseCommandLine(args: readonly string[]) {
  let values: ReturnType<typeof parseFlags>["values"];
  try {
    values = parseFlags(args).values;
  } catch (error) {
    // Node's messages go on with advice about "--"; the first sentence names the problem.
    throw new UsageError((error as Error).message.split(/\.\s/)[0] ?? String(error));
  }
  const since = parseSince(values.since ?? "7d");
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit) || !Number.isSafeInteger(limit) || limit < 1) {
      throw new UsageError(
        `--limit takes a whole number of clusters, 1 or more, not "${values.limit}"`,
      );
    }
  }
  let threshold: number | undefined;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (values.threshold.trim() === "" || !(threshold > 0 && threshold <= 1)) {
      throw new UsageError(
        `--threshold takes a number above 0 and at most 1, not "${values.threshold}"`,
      );
    }
  }
  if (values.out === "") throw new UsageError("--out needs a file name");
  return {
    since,
    limit,
    threshold,
    csv: values.csv === true || values.out !== undefined,
    out: values.out,
    help: values.help === true,
  };
}

const parseFlags = (args: readonly string[]) =>
  parseArgs({
    args: [...args],
    options: {
      since: { type: "string" },
      limit: { type: "string" },
      threshold: { type: "string" },
      csv: { type: "boolean" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
    strict: true,
  });

const pad = (n: number) => String(n).padStart(2, "0");
/** A local date and time, YYYY-MM-DD HH:MM (Excel reads it as one). */
function time(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A citizen's text for one terminal line: control characters (an escape
 * sequence could restyle or rewrite the terminal) become spaces, bidi
 * controls go (withoutBidiControls), runs of spaces become one, and a long
 * text is cut.
 */
function terminalText(text: string, max = 100): string {
  const line = withoutBidiControls(text).replace(/\p{Cc}/gu, " ");
  const flat = line.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

function reasonSummary(reasons: Record<UnansweredReason, number>, total: number): string {
  return UNANSWERED_REASONS.filter((r) => reasons[r] > 0)
    .map((r) => `${REASON_LABELS[r]} ${reasons[r]} (${percent(reasons[r], total)})`)
    .join(", ");
}

function nearestLine(cluster: UnansweredCluster): string {
  if (cluster.noWords) return "no words: emoji, punctuation or stop words only";
  const { nearest } = cluster;
  if (!nearest) return "nearest intent: none (new topic?)";
  return `nearest intent: ${nearest.intent} (mean score ${nearest.meanScore.toFixed(2)}; the best candidate for ${percent(nearest.share, 1)} of them)`;
}

function textReport(
  clusters: readonly UnansweredCluster[],
  records: UnansweredRecords,
  period: string,
  limit: number,
): string[] {
  const { questions, unmatchedFeedback, erased } = records;
  const lines: string[] = [];
  const notes = [
    unmatchedFeedback > 0
      ? `${unmatchedFeedback} 👎 matched no question the bot answered (the answer was picked from the menu or from a clarification).`
      : "",
    erased > 0
      ? `${erased} question(s) left out: their text was erased by the retention purge.`
      : "",
  ].filter(Boolean);
  if (questions.length === 0) {
    return [`No unanswered questions in ${period}.`, ...notes];
  }
  const reasons = { escalated: 0, clarified: 0, unhelpful: 0 };
  for (const q of questions) reasons[q.reason]++;
  lines.push(
    `Unanswered questions in ${period}: ${questions.length} in ${clusters.length} cluster(s); ${reasonSummary(reasons, questions.length)}.`,
    ...notes,
  );
  clusters.slice(0, limit).forEach((cluster, i) => {
    lines.push(
      "",
      `#${i + 1}  ${cluster.count} question(s): ${reasonSummary(cluster.reasons, cluster.count)}`,
      `    ${nearestLine(cluster)}`,
      `    seen ${time(cluster.firstSeen)} – ${time(cluster.lastSeen)}`,
      ...cluster.examples.map(
        (e) => `      "${terminalText(e.text)}"${e.count > 1 ? ` ×${e.count}` : ""}`,
      ),
    );
  });
  if (clusters.length > limit) {
    lines.push(
      "",
      `Showing ${limit} of ${clusters.length} clusters: --limit ${clusters.length} shows all, --csv exports them.`,
    );
  }
  return lines;
}

const EXAMPLE_COLUMNS = 5;

/** The clusters as a CSV table, one row each. */
export function clustersCsv(clusters: readonly UnansweredCluster[]): string {
  const header: CsvCell[] = [
    "rank",
    "questions",
    "escalated",
    "clarified",
    "unhelpful",
    "nearest_intent",
    "nearest_mean_score_percent",
    "nearest_best_for_percent",
    "note",
    "first_seen",
    "last_seen",
    ...Array.from({ length: EXAMPLE_COLUMNS }, (_, i) => `example_${i + 1}`),
  ];
  const rows = clusters.map((c, i): CsvCell[] => [
    i + 1,
    c.count,
    c.reasons.escalated,
    c.reasons.clarified,
    c.reasons.unhelpful,
    c.nearest?.intent ?? "",
    c.nearest ? Math.round(100 * c.nearest.meanScore) : "",
    c.nearest ? Math.round(100 * c.nearest.share) : "",
    c.noWords ? "no words" : c.nearest ? "" : "new topic?",
    time(c.firstSeen),
    time(c.lastSeen),
    ...Array.from({ length: EXAMPLE_COLUMNS }, (_, e) =>
      spreadsheetText(c.examples[e]?.text ?? ""),
    ),
  ]);
  return toCsv([header, ...rows]);
}

/**
 * Runs `kb unanswered` with the arguments after it and returns the exit
 * code: 0 done, 1 no database (it is never created here) or it cannot be
 * read, 2 a command line mistake.
 */
export async function runUnanswered(
  args: readonly string[],
  io: UnansweredIo = {},
): Promise<number> {
  const {
    now = Date.now,
    env = process.env,
    out = (text: string) => process.stdout.write(text),
    err = (line: string) => console.error(line),
    knowledge = () => {
      const kb = loadKnowledgeOrExit(knowledgeFolder(env));
      return { kb, matcher: createMatcher(kb) };
    },
  } = io;
  let options: ReturnType<typeof parseCommandLine>;
  try {
    options = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`kb unanswered: ${error.message} (npm run kb -- unanswered --help shows the usage)`);
    return 2;
  }
  if (options.help) {
    out(`${USAGE}\n`);
    return 0;
  }

  const database = databaseOf(env);
  const where = databaseName(database);
  if (database.engine === "sqlite" && !existsSync(where)) {
    err(
      `kb unanswered: there is no database at ${where}: set DATABASE_PATH to the bot's SQLite file (the bot creates it on its first start), or DATABASE_URL to its PostgreSQL database`,
    );
    return 1;
  }
  const since = now() - options.since.ms;
  let records: UnansweredRecords;
  let db: SqlDatabase | undefined;
  try {
    db = await openToolDatabase(database);
    records = await createStore(db).unansweredQuestions(since);
  } catch (error) {
    err(`kb unanswered: ${databaseProblem(error, `cannot read the database at ${where}`)}`);
    return 1;
  } finally {
    await db?.close();
  }

  const clusters = clusterUnanswered(
    records.questions,
    knowledge(),
    options.threshold === undefined ? {} : { threshold: options.threshold },
  );
  if (options.csv) {
    const csv = clustersCsv(clusters.slice(0, options.limit ?? clusters.length));
    if (options.out === undefined) {
      out(csv);
      return 0;
    }
    try {
      writeFileSync(options.out, csv);
    } catch (error) {
      err(`kb unanswered: cannot write ${resolve(options.out)}: ${(error as Error).message}`);
      return 1;
    }
    const shown = Math.min(clusters.length, options.limit ?? clusters.length);
    out(
      `${shown} cluster(s) of ${records.questions.length} question(s) written to ${resolve(options.out)}\n`,
    );
    return 0;
  }
  const period = `the last ${options.since.words} (since ${time(since)})`;
  out(`${textReport(clusters, records, period, options.limit ?? DEFAULT_LIMIT).join("\n")}\n`);
  return 0;
}
