// Operators' suggestions of which intent a ticket's question belonged to:
// npm run kb -- suggestions [--all] | --accept ID | --reject ID.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { databaseOf } from "../bot/config.ts";
import {
  createSuggestions,
  ERASED_TEXT,
  type SqlDatabase,
  type Suggestion,
} from "../handoff/index.ts";
import {
  appendExample,
  asExample,
  createMatcher,
  findDuplicateExamples,
  findMisplacedExamples,
  formatIssue,
  type KnowledgeBase,
  type LintFinding,
  loadKnowledgeBase,
  type Matcher,
  oneLine,
} from "../knowledge/index.ts";
import { knowledgeFolder } from "./knowledge-folder.ts";
import { databaseName, databaseProblem, openToolDatabase } from "./tool-database.ts";

export const USAGE = `Usage: npm run kb -- suggestions [--all] | --accept ID | --reject ID

  suggestions          the pending suggestions operators made after closing
                       tickets: which intent the question belonged to, or
                       "новая тема" (no intent covers it)
  suggestions --all    every suggestion, with accepted and rejected ones
  --accept ID          add the question to examples.<language> of the
                       intent's file, then run the same check as kb check;
                       if the knowledge base no longer loads, the file is put
                       back as it was and the suggestion stays pending
  --reject ID          drop a suggestion

The database is DATABASE_URL (PostgreSQL) when set, else DATABASE_PATH,
else ./data/bot.sqlite; the knowledge folder is KNOWLEDGE_DIR, else intents/.`;

const NEW_TOPIC = "новая тема";

/** What `kb check` finds: the knowledge base does not load, or it loads with lint findings. */
export type KnowledgeCheck =
  | { ok: false; errors: string[] }
  | { ok: true; kb: KnowledgeBase; findings: LintFinding[] };

/** The database and the knowledge folder runSuggestions works on, and where it prints. */
export interface SuggestionsIo {
  /** Opened only once the command line is valid. */
  db: () => SqlDatabase | Promise<SqlDatabase>;
  folder: string;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Closes the database once done, if it was opened. */
  close?: () => Promise<void>;
  /** Validates the folder after a change. Defaults to checkKnowledge, what `kb check` runs. */
  check?: (folder: string) => KnowledgeCheck;
}

/**
 * Loads the knowledge folder and lints it (duplicate examples, examples
 * closer to another intent), as `npm run kb -- check` does.
 */
export function checkKnowledge(folder: string): KnowledgeCheck {
  const loaded = loadKnowledgeBase(folder);
  if (!loaded.ok) return { ok: false, errors: loaded.issues.map(formatIssue) };
  const matcher = createMatcher(loaded.kb);
  return {
    ok: true,
    kb: loaded.kb,
    findings: [
      ...findDuplicateExamples(loaded.kb, matcher),
      ...findMisplacedExamples(loaded.kb, matcher),
    ],
  };
}

/** A command line mistake: reported with the usage, exit 2, nothing done. */
class UsageError extends Error {}

/**
 * Runs `npm run kb -- suggestions …` and returns the exit code: 0 done,
 * 1 refused (nothing changed), 2 a command line mistake.
 *
 * @example runSuggestions(["--accept", "3"])
 */
export async function runSuggestions(args: readonly string[], io = defaultIo()): Promise<number> {
  let values: { all?: boolean; accept?: string; reject?: string; help?: boolean };
  let id: number | undefined;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        all: { type: "boolean" },
        accept: { type: "string" },
        reject: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }).values;
    if (values.accept !== undefined && values.reject !== undefined) {
      throw new UsageError("--accept and --reject go one at a time");
    }
    const given = values.accept ?? values.reject;
    if (given !== undefined) id = idOf(given);
  } catch (error) {
    io.err(`suggestions: ${(error as Error).message.split(/\.\s/)[0]}\n`);
    io.err(USAGE);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    if (id === undefined) return await list(io, values.all === true);
    return await (values.accept !== undefined ? accept(id, io) : reject(id, io));
  } finally {
    await io.close?.();
  }
}

function idOf(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`ID must be a suggestion's number, not "${text}"`);
  }
  return id;
}

const pad = (n: number) => String(n).padStart(2, "0");
/** A local date and time, YYYY-MM-DD HH:MM. */
function moment(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  // The last column (the question) is not padded.
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

async function list(io: SuggestionsIo, all: boolean): Promise<number> {
  const suggestions = await createSuggestions(await io.db()).list({ all });
  if (suggestions.length === 0) {
    io.out(
      all ? "There are no suggestions yet." : "No pending suggestions (--all lists decided ones).",
    );
    return 0;
  }
  const header = ["ID", "DATE", "INTENT", "LANG", ...(all ? ["STATE"] : []), "QUESTION"];
  const rows = suggestions.map((s) => [
    String(s.id),
    moment(s.createdAt),
    s.intent ?? NEW_TOPIC,
    s.language,
    ...(all ? [s.state] : []),
    oneLine(s.question),
  ]);
  for (const line of table([header, ...rows])) io.out(line);
  io.out("\n--accept ID adds a question to its intent's examples; --reject ID drops it.");
  return 0;
}

/** The pending suggestion `id`, or an error said and undefined. */
async function pendingSuggestion(io: SuggestionsIo, id: number): Promise<Suggestion | undefined> {
  const suggestion = await createSuggestions(await io.db()).get(id);
  if (!suggestion) {
    io.err(`There is no suggestion ${id} (npm run kb -- suggestions --all lists them).`);
    return undefined;
  }
  if (suggestion.state !== "pending") {
    io.err(`Suggestion ${id} is already ${suggestion.state}.`);
    return undefined;
  }
  return suggestion;
}

async function reject(id: number, io: SuggestionsIo): Promise<number> {
  if (!(await pendingSuggestion(io, id))) return 1;
  const decided = await createSuggestions(await io.db()).decide(id, "rejected");
  if (!decided.ok) {
    io.err(`Suggestion ${id} could not be rejected: ${decided.reason}.`);
    return 1;
  }
  io.out(`Suggestion ${id} rejected.`);
  return 0;
}

/** The example an existing one already says, exactly or with the same words after normalisation. */
function existingExample(kb: KnowledgeBase, matcher: Matcher, language: "ru" | "en", text: string) {
  const key = (example: string) =>
    [...new Set(matcher.analyzer.exampleWords(example, language).map((t) => t.stem))]
      .sort()
      .join(" ");
  const wanted = key(text);
  for (const intent of kb.intents) {
    for (const example of intent.examples[language]) {
      if (example.trim() === text) return { intent, example, exact: true };
      if (wanted !== "" && key(example) === wanted) return { intent, example, exact: false };
    }
  }
  return undefined;
}

const findingLine = (f: LintFinding) => `${f.severity}: ${f.file}: ${f.field}: ${f.message}`;

async function accept(id: number, io: SuggestionsIo): Promise<number> {
  const suggestion = await pendingSuggestion(io, id);
  if (!suggestion) return 1;
  const { intent: intentId, language } = suggestion;
  if (intentId === null) {
    io.err(
      `Suggestion ${id} is a new topic: no intent covers the question yet, so it cannot become an example.\n` +
        `Create an intent for it (intents/README.md, "An intent file": a new <group.name>.yaml with 25 Russian and 8 English examples and an answer),\n` +
        `then clear the suggestion with: npm run kb -- suggestions --reject ${id}\n` +
        `The question: ${oneLine(suggestion.question)}`,
    );
    return 1;
  }

  const loaded = loadKnowledgeBase(io.folder);
  if (!loaded.ok) {
    io.err(
      `The knowledge base in ${io.folder} has errors already; fix them first (npm run kb -- check):\n` +
        loaded.issues.map((issue) => `  ${formatIssue(issue)}`).join("\n"),
    );
    return 1;
  }
  const { kb } = loaded;
  const intent = kb.byId.get(intentId);
  if (!intent) {
    io.err(`Suggestion ${id} is for ${intentId}, which is not an intent in ${io.folder} any more.`);
    return 1;
  }
  // Not words of the question: the placeholders of its personal data, or of its erased text.
  const example = asExample(suggestion.question, [ERASED_TEXT]);
  if (example === undefined) {
    io.err(
      `Suggestion ${id} has no words to add as an example: "${oneLine(suggestion.question)}".`,
    );
    return 1;
  }
  const matcher = createMatcher(kb);
  const existing = existingExample(kb, matcher, language, example);
  if (existing) {
    io.err(
      `Not added: "${example}" is already ${existing.exact ? "" : "(the same words after normalisation) "}` +
        `an example of ${existing.intent.id} in ${existing.intent.file}: "${existing.example}".\n` +
        `Drop the suggestion with: npm run kb -- suggestions --reject ${id}`,
    );
    return 1;
  }

  const file = join(io.folder, intent.file);
  const original = readFileSync(file, "utf8");
  const edited = appendExample(original, language, example);
  if (!edited.ok) {
    io.err(`Not added to ${intent.file}: ${edited.reason}.`);
    return 1;
  }
  const errorsBefore = new Set(
    findDuplicateExamples(kb, matcher)
      .filter((f) => f.severity === "error")
      .map((f) => `${f.file}: ${f.message}`),
  );
  writeFileSync(file, edited.text);
  const checked = (io.check ?? checkKnowledge)(io.folder);
  const newErrors = checked.ok
    ? checked.findings.filter(
        (f) => f.severity === "error" && !errorsBefore.has(`${f.file}: ${f.message}`),
      )
    : [];
  if (!checked.ok || newErrors.length > 0) {
    writeFileSync(file, original);
    const errors = checked.ok ? newErrors.map(findingLine) : checked.errors;
    io.err(
      `Not added: with "${example}" in ${intent.file} the knowledge base fails the check:\n` +
        errors.map((line) => `  ${line}`).join("\n") +
        `\n${intent.file} is back as it was; suggestion ${id} stays pending.`,
    );
    return 1;
  }

  const decided = await createSuggestions(await io.db()).decide(id, "accepted");
  io.out(`Added to ${intent.file}, examples.${language}: ${example}`);
  if (example !== oneLine(suggestion.question)) {
    io.out("(personal-data placeholders such as [телефон] left out)");
  }
  for (const finding of checked.findings) io.out(findingLine(finding));
  const errors = checked.findings.filter((f) => f.severity === "error").length;
  const examples = checked.kb.intents.reduce(
    (n, i) => n + i.examples.ru.length + i.examples.en.length,
    0,
  );
  io.out(
    `\nkb check: ${checked.kb.intents.length} intents, ${examples} examples: ${errors} error(s), ${checked.findings.length - errors} warning(s).`,
  );
  if (!decided.ok) {
    io.err(`Suggestion ${id} was decided meanwhile (${decided.reason}); the example stays added.`);
    return 1;
  }
  io.out(`Suggestion ${id} accepted.`);
  return 0;
}

/** The command line's database (DATABASE_PATH) and knowledge folder (KNOWLEDGE_DIR). */
function defaultIo(): SuggestionsIo {
  const database = databaseOf(process.env);
  let db: Promise<SqlDatabase> | undefined;
  return {
    db: () => {
      db ??= openToolDatabase(database).catch((error: Error) => {
        const where = databaseName(database);
        console.error(
          database.engine === "sqlite" && !existsSync(where)
            ? `error: there is no database at ${where}; set DATABASE_PATH to the bot's database file, or DATABASE_URL to its PostgreSQL database`
            : `error: ${databaseProblem(error, `database ${where}`)}`,
        );
        process.exit(1);
      });
      return db;
    },
    close: async () => {
      await (await db)?.close();
    },
    folder: knowledgeFolder(),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  };
}
