// Tools for the people who keep the knowledge base: npm run kb -- <command>.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  createMatcher,
  crossValidate,
  evaluate,
  fillReferences,
  findDuplicateExamples,
  findMisplacedExamples,
  formatIssue,
  loadKnowledgeBase,
  type Matcher,
  type MatchResult,
  readLabelled,
  type SliceFigures,
  tuneCalibration,
} from "../knowledge/index.ts";
import { knowledgeFolder, loadKnowledgeOrExit } from "./knowledge-folder.ts";

const USAGE = `Usage: npm run kb -- <command>

  check              validate every file and lint the content (exit 1 on errors)
  try "text"         show how a message is normalised and matched
  classify           JSON lines {"text": ...} on stdin → one decision per line on stdout
  export             the whole knowledge base as JSON
  eval FILE.jsonl    accuracy on labelled lines {"text", "intent": id or null}
  crossval [--folds 5] [--seed 1]
                     k-fold cross-validation over the examples: each fold's
                     examples asked of a matcher built without them
  tune [FILE.jsonl ...] [--write]
                     fit the confidence model and thresholds on the development
                     sets (default test/fixtures/eval-dev.jsonl and
                     test/fixtures/dev-kinds/*.jsonl); --write saves them to
                     knowledge/calibration.json
  unanswered [--since 7d] [--limit N] [--csv | --out FILE]
                     escalated, clarified and 👎 questions in clusters of similar
                     ones, with the nearest intent (--help for more)
  suggestions [--all] | --accept ID | --reject ID
                     operators' suggestions of the intent a closed ticket's
                     question belonged to; --accept adds it as an example
  report --html FILE [--since 30d]
                     the managers' report: one offline HTML page of questions,
                     intents, tickets, waits and ratings (--help for more)

The knowledge folder is KNOWLEDGE_DIR, else intents/.`;

const DEV_SET = fileURLToPath(new URL("../test/fixtures/eval-dev.jsonl", import.meta.url));
const DEV_KINDS = fileURLToPath(new URL("../test/fixtures/dev-kinds/", import.meta.url));

// The development sets thresholds are fitted on: never the test set or the held-out set.
function developmentSets(): string[] {
  const kinds = existsSync(DEV_KINDS)
    ? readdirSync(DEV_KINDS)
        .filter((name) => name.endsWith(".jsonl"))
        .sort()
        .map((name) => join(DEV_KINDS, name))
    : [];
  return [DEV_SET, ...kinds];
}
const CALIBRATION_FILE = fileURLToPath(new URL("../knowledge/calibration.json", import.meta.url));

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

function check(): number {
  const folder = knowledgeFolder();
  const result = loadKnowledgeBase(folder);
  if (!result.ok) {
    for (const issue of result.issues) console.log(`error: ${formatIssue(issue)}`);
    console.log(`\n${result.issues.length} error(s): the bot will not load this knowledge base.`);
    return 1;
  }
  const { kb } = result;
  const matcher = createMatcher(kb);
  const findings = [...findDuplicateExamples(kb, matcher), ...findMisplacedExamples(kb, matcher)];
  for (const f of findings) console.log(`${f.severity}: ${f.file}: ${f.field}: ${f.message}`);
  const errors = findings.filter((f) => f.severity === "error").length;
  const examples = kb.intents.reduce((n, i) => n + i.examples.ru.length + i.examples.en.length, 0);
  console.log(
    `\n${kb.intents.length} intents, ${examples} examples: ${errors} error(s), ${findings.length - errors} warning(s).`,
  );
  return errors > 0 ? 1 : 0;
}

function describe(result: MatchResult): string {
  const { decision } = result;
  if (decision.kind === "answer") return `answer: ${decision.intent}`;
  if (decision.kind === "clarify") return `clarify: ${decision.intents.join(", ")}`;
  return `escalate (${decision.reason})`;
}

function tryText(matcher: Matcher, text: string): number {
  const result = matcher.match(text);
  const { analysis } = result;
  console.log(`language: ${analysis.language}${analysis.languageDetected ? "" : " (assumed)"}`);
  if (analysis.layout !== "none") console.log(`keyboard layout repaired: ${analysis.layout}`);
  console.log(
    `tokens:   ${analysis.tokens
      .map(
        (t) =>
          (t.corrected !== t.word ? `${t.word}→${t.corrected}` : t.word) +
          `[${t.stem}]` +
          (t.language !== analysis.language ? `(${t.language})` : ""),
      )
      .join(" ")}`,
  );
  console.log(
    `unknown:  ${percent(result.unknownShare)} of words; out-of-scope similarity ${result.outOfScopeScore.toFixed(2)}`,
  );
  console.log("top intents:");
  for (const e of matcher.explain(result)) {
    console.log(
      `  ${e.score.toFixed(3)}  ${e.intent.padEnd(32)} words: ${e.sharedWords.join(", ") || "—"}  (closest example: "${e.example}")`,
    );
  }
  console.log(`decision: ${describe(result)}  confidence ${result.confidence.toFixed(2)}`);
  return 0;
}

async function classify(matcher: Matcher): Promise<number> {
  let failed = 0;
  let line = 0;
  for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    line++;
    if (raw.trim() === "") continue;
    let text: unknown;
    try {
      text = (JSON.parse(raw) as { text?: unknown }).text;
    } catch {
      text = undefined;
    }
    if (typeof text !== "string") {
      failed++;
      console.log(JSON.stringify({ error: `line ${line}: expected {"text": "..."}` }));
      continue;
    }
    const result = matcher.match(text);
    const { decision } = result;
    console.log(
      JSON.stringify({
        text,
        intent: decision.kind === "answer" ? decision.intent : null,
        decision: decision.kind,
        confidence: Number(result.confidence.toFixed(4)),
        candidates: result.candidates.map((c) => ({
          intent: c.intent,
          score: Number(c.score.toFixed(4)),
        })),
      }),
    );
  }
  return failed > 0 ? 1 : 0;
}

function exportKnowledge(): number {
  const kb = loadKnowledgeOrExit();
  const intents = kb.intents.map((intent) => ({
    id: intent.id,
    topic: intent.topic,
    title: intent.title,
    examples: intent.examples,
    answer: intent.answer,
    // Links as the buttons show them: directory references resolved.
    links: intent.links.map((link) => ({
      title: link.title,
      url: fillReferences(kb.directory, link.url, "ru", new Date(), false),
    })),
    follow_up: intent.followUp,
    escalate: intent.escalate,
  }));
  console.log(JSON.stringify({ intents, directory: kb.directory.file }, null, 2));
  return 0;
}

function evalFile(matcher: Matcher, file: string, showFailures: boolean): number {
  const questions = readLabelled(file);
  const report = evaluate(matcher, questions);
  console.log(
    `${file}: ${questions.length} questions (${report.inScope.total} in scope, ${report.outOfScope.total} out of scope)`,
  );
  console.log(`in-scope accuracy (right intent answered): ${percent(report.accuracy)}`);
  console.log(`wrong-answer rate (in-scope, wrong intent): ${percent(report.wrongAnswerRate)}`);
  console.log(`clarify rate (all questions):               ${percent(report.clarifyRate)}`);
  console.log(
    `out-of-scope escalation rate:               ${percent(report.outOfScopeEscalation)}`,
  );
  console.log(`out-of-scope answered with an intent:       ${percent(report.outOfScopeAnswered)}`);
  console.log("\nby kind:            total  right  wrong  clarify  escalated");
  for (const [kind, s] of Object.entries(report.byKind).sort()) {
    console.log(
      `  ${kind.padEnd(16)} ${String(s.total).padStart(6)} ${String(s.correct).padStart(6)} ${String(s.wrong).padStart(6)} ${String(s.clarified).padStart(8)} ${String(s.escalated).padStart(10)}`,
    );
  }
  console.log("\nmost often confused (expected → got):");
  for (const c of report.confusions.slice(0, 10)) {
    console.log(`  ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}`);
  }
  if (showFailures) {
    console.log("\nfailures:");
    for (const { question, result } of report.failures) {
      console.log(
        `  [${question.intent ?? "null"}] ${question.text}\n      → ${describe(result)}; ${result.candidates
          .slice(0, 3)
          .map((c) => `${c.intent} ${c.score.toFixed(2)}`)
          .join(", ")}`,
      );
    }
  }
  return 0;
}

// The value after a flag ("--folds 5"), as a positive integer; undefined when absent.
function integerFlag(args: readonly string[], flag: string): number | undefined | Error {
  const at = args.indexOf(flag);
  if (at === -1) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    return new Error(`${flag} takes a whole number, got "${args[at + 1] ?? ""}"`);
  }
  return value;
}

function crossval(args: readonly string[]): number {
  const folds = integerFlag(args, "--folds") ?? 5;
  const seed = integerFlag(args, "--seed") ?? 1;
  for (const value of [folds, seed]) {
    if (value instanceof Error) {
      console.error(value.message);
      return 2;
    }
  }
  if (typeof folds !== "number" || typeof seed !== "number") return 2;
  if (folds < 2) {
    console.error("--folds takes 2 or more");
    return 2;
  }
  const kb = loadKnowledgeOrExit();
  const start = performance.now();
  const { folds: results, overall } = crossValidate(kb, { folds, seed });
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const row = (name: string, inScope: SliceFigures, outOfScope: SliceFigures, extra = "") => {
    const share = (n: number, d: number) => (d === 0 ? "—" : percent(n / d)).padStart(7);
    return `  ${name.padEnd(8)} ${String(inScope.total).padStart(5)} ${share(inScope.correct, inScope.total)} ${share(inScope.wrong, inScope.total)} ${share(inScope.clarified, inScope.total)} ${share(inScope.escalated, inScope.total)}   ${String(outOfScope.total).padStart(5)} ${share(outOfScope.correct, outOfScope.total)} ${share(outOfScope.wrong, outOfScope.total)}${extra}`;
  };
  console.log(
    `${folds}-fold cross-validation (seed ${seed}) over the examples of ${kb.intents.length} intents and the out-of-scope examples: each fold's examples asked of a matcher built without them`,
  );
  console.log(
    "\n           in scope: total  right  wrong  clarify escalated   out of scope: total escalated answered",
  );
  for (const fold of results) {
    console.log(
      row(
        `fold ${fold.fold}`,
        fold.inScope,
        fold.outOfScope,
        `   (${fold.trained} trained, ${(fold.milliseconds / 1000).toFixed(1)} s)`,
      ),
    );
  }
  console.log(row("overall", overall.inScope, overall.outOfScope));
  console.log("\nby language:");
  for (const language of ["ru", "en"]) {
    const inScope = overall.byKind[language];
    const outOfScope = overall.byKind[`oos_${language}`];
    if (inScope && outOfScope) console.log(row(language, inScope, outOfScope));
  }
  console.log("\nmost often confused (expected → got):");
  for (const c of overall.confusions.slice(0, 10)) {
    console.log(`  ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}`);
  }
  console.log(`\n${seconds} s`);
  return 0;
}

function tune(files: readonly string[], write: boolean): number {
  const kb = loadKnowledgeOrExit();
  const questions = files.flatMap((file) => readLabelled(file));
  const file =
    files.length === 1 ? files[0] : `${files.length} files (${questions.length} questions)`;
  const matcher = createMatcher(kb);
  const matches = questions.map((question) => ({ question, result: matcher.match(question.text) }));
  const tuned = tuneCalibration(matches);
  console.log(
    `${file}: accuracy ${percent(tuned.accuracy)}, wrong answers ${percent(tuned.wrongRate)} of in-scope, out of scope escalated ${percent(tuned.outOfScopeEscalation)}`,
  );
  const json = `${JSON.stringify(tuned.calibration, (_, v) => (typeof v === "number" ? Number(v.toFixed(4)) : v), 2)}\n`;
  if (write) {
    writeFileSync(CALIBRATION_FILE, json);
    console.log(`written to ${CALIBRATION_FILE}`);
  } else {
    console.log(`${json}(run with --write to save it as knowledge/calibration.json)`);
  }
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "check":
      return check();
    case "try":
      if (rest.length === 0) break;
      return tryText(createMatcher(loadKnowledgeOrExit()), rest.join(" "));
    case "classify":
      return classify(createMatcher(loadKnowledgeOrExit()));
    case "export":
      return exportKnowledge();
    case "eval": {
      const file = rest.find((a) => !a.startsWith("--"));
      if (!file) break;
      return evalFile(createMatcher(loadKnowledgeOrExit()), file, rest.includes("--failures"));
    }
    case "crossval":
      return crossval(rest);
    case "tune": {
      const files = rest.filter((a) => !a.startsWith("--"));
      return tune(files.length > 0 ? files : developmentSets(), rest.includes("--write"));
    }
    case "unanswered":
      return (await import("./kb-unanswered.ts")).runUnanswered(rest);
    case "suggestions":
      return (await import("./kb-suggestions.ts")).runSuggestions(rest);
    case "report":
      return (await import("./kb-report.ts")).runReport(rest);
  }
  console.error(USAGE);
  return 2;
}

// Run as a command, not when another script imports this one.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
