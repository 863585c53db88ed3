// npm run bench: how fast the matcher is, on this knowledge base and on
// synthetic ones of 1,000 and 5,000 intents, what a reload does to the
// answers meanwhile, how it compares with nlp.js on the same labelled
// questions; then the bot's and the handoff's throughput (`npm run bench --
// --knowledge` stops before those). Prints a report; asserts nothing.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  createMatcher,
  evaluate,
  type KnowledgeBase,
  type LabelledQuestion,
  readLabelled,
} from "../knowledge/index.ts";
import { detectLanguage, normalizeText, splitWords } from "../knowledge/normalize.ts";
import { benchBot } from "./bench-bot.ts";
import { benchConsole, formatConsoleBench } from "./bench-console.ts";
import { benchHandoffBothEngines } from "./bench-handoff.ts";
import { benchInstancesOnPostgres } from "./bench-instances.ts";
import { benchReload } from "./bench-reload.ts";
import { quantile, timeMatches } from "./bench-scale.ts";
import { loadKnowledgeOrExit } from "./knowledge-folder.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));

function timeBuild(kb: KnowledgeBase, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    createMatcher(kb);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return quantile(times, 0.5);
}

interface NlpJs {
  addLanguage(language: string): void;
  addDocument(language: string, text: string, intent: string): void;
  train(): Promise<void>;
  process(language: string, text: string): Promise<{ intent: string; score: number }>;
  settings: { autoSave: boolean };
}

async function createNlpJs(kb: KnowledgeBase): Promise<NlpJs> {
  const require = createRequire(import.meta.url);
  const { containerBootstrap } = require("@nlpjs/core");
  const { Nlp } = require("@nlpjs/nlp");
  const { LangRu } = require("@nlpjs/lang-ru");
  const { LangEn } = require("@nlpjs/lang-en-min");
  const container = await containerBootstrap();
  container.use(Nlp);
  container.use(LangRu);
  container.use(LangEn);
  const nlp = container.get("nlp") as NlpJs;
  nlp.settings.autoSave = false;
  nlp.addLanguage("ru");
  nlp.addLanguage("en");
  for (const intent of kb.intents) {
    for (const language of ["ru", "en"] as const) {
      for (const text of intent.examples[language]) nlp.addDocument(language, text, intent.id);
    }
  }
  // nlp.js's own out-of-scope class is the intent "None".
  for (const language of ["ru", "en"] as const) {
    for (const text of kb.outOfScope[language]) nlp.addDocument(language, text, "None");
  }
  // nlp.js prints a line per training epoch; keep the report readable.
  const log = console.log;
  console.log = () => {};
  try {
    await nlp.train();
  } finally {
    console.log = log;
  }
  return nlp;
}

async function evaluateNlpJs(nlp: NlpJs, questions: readonly LabelledQuestion[]) {
  let right = 0;
  let wrong = 0;
  let escalated = 0;
  let answeredOutOfScope = 0;
  const samples: number[] = [];
  for (const question of questions) {
    const language = detectLanguage(splitWords(normalizeText(question.text))) ?? "ru";
    const start = performance.now();
    const result = await nlp.process(language, question.text);
    samples.push(performance.now() - start);
    const answered = result.intent !== "None";
    if (question.intent === null) {
      if (answered) answeredOutOfScope++;
      else escalated++;
    } else if (answered) {
      if (result.intent === question.intent) right++;
      else wrong++;
    }
  }
  const inScope = questions.filter((q) => q.intent !== null).length;
  const outOfScope = questions.length - inScope;
  samples.sort((a, b) => a - b);
  return {
    accuracy: right / inScope,
    wrongAnswerRate: wrong / inScope,
    outOfScopeEscalation: escalated / outOfScope,
    outOfScopeAnswered: answeredOutOfScope / outOfScope,
    median: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
  };
}

const ms = (x: number) => `${x.toFixed(3)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const kb = loadKnowledgeOrExit();
const testSet = readLabelled(fixture("eval-test.jsonl"));
const devSet = readLabelled(fixture("eval-dev.jsonl"));
const texts = [...testSet, ...devSet].map((q) => q.text);

console.log("== Matcher on this knowledge base ==");
const examples = kb.intents.reduce((n, i) => n + i.examples.ru.length + i.examples.en.length, 0);
console.log(`${kb.intents.length} intents, ${examples} examples`);
console.log(`index build: ${ms(timeBuild(kb, 5))} (median of 5)`);
const matcher = createMatcher(kb);
const latency = timeMatches(matcher, texts, 5);
console.log(
  `per question: median ${ms(latency.median)}, p99 ${ms(latency.p99)} (${latency.count} matches of ${texts.length} labelled questions)`,
);

// Each size in a process of its own (scripts/bench-scale.ts): its peak
// memory is then the matcher's, not this process's.
console.log(
  "\n== Synthetic knowledge bases (the real examples' words, 30 Russian and 8 English examples an intent) ==",
);
for (const size of [1000, 5000]) {
  const output = execFileSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(new URL("./bench-scale.ts", import.meta.url)),
      String(size),
    ],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  const figures = JSON.parse(output.trim().split("\n").pop() ?? "{}");
  console.log(
    `${figures.intents} intents, ${figures.examples} examples: index build ${(figures.buildMs / 1000).toFixed(1)} s, per question median ${ms(figures.median)}, p99 ${ms(figures.p99)} (600 matches), peak RSS of the process ${figures.peakRssMb.toFixed(0)} MB`,
  );
}

console.log(
  "\n== A reload while answering (synthetic 5,000 intents and ours, built in a worker thread) ==",
);
const reload = await benchReload(kb, 5000);
console.log(
  `${reload.intents} intents reloaded in ${(reload.reloadMs / 1000).toFixed(1)} s; meanwhile a question 5 ms after each answer: ${reload.questions} answered, wait from due to answered median ${ms(reload.median)}, p99 ${ms(reload.p99)}, worst ${ms(reload.max)}; without a reload p99 ${ms(reload.quietP99)} (built on the event loop, as before, a question would wait up to ${(reload.inProcessMs / 1000).toFixed(1)} s)`,
);

console.log("\n== Accuracy on the held-out test set, side by side with nlp.js ==");
const ours = evaluate(matcher, testSet);
// The same questions, one pass each after a warm-up, as nlp.js is timed.
const oursLatency = timeMatches(
  matcher,
  testSet.map((q) => q.text),
  1,
);
const nlpStart = performance.now();
const nlp = await createNlpJs(kb);
const nlpTrain = performance.now() - nlpStart;
const theirs = await evaluateNlpJs(nlp, testSet);
const rows: [string, string, string][] = [
  ["in-scope accuracy", pct(ours.accuracy), pct(theirs.accuracy)],
  ["wrong answers (in scope)", pct(ours.wrongAnswerRate), pct(theirs.wrongAnswerRate)],
  ["out of scope escalated", pct(ours.outOfScopeEscalation), pct(theirs.outOfScopeEscalation)],
  ["out of scope answered", pct(ours.outOfScopeAnswered), pct(theirs.outOfScopeAnswered)],
  ["clarified (all)", pct(ours.clarifyRate), "—"],
  ["median latency", ms(oursLatency.median), ms(theirs.median)],
  ["p99 latency", ms(oursLatency.p99), ms(theirs.p99)],
];
console.log(
  `${"".padEnd(28)}${"ours".padEnd(14)}nlp.js 4 (trained in ${(nlpTrain / 1000).toFixed(1)} s)`,
);
for (const [name, a, b] of rows) console.log(`${name.padEnd(28)}${a.padEnd(14)}${b}`);
console.log(
  `(${testSet.length} questions: ${ours.inScope.total} in scope, ${ours.outOfScope.total} out of scope; nlp.js trained on the same examples, out-of-scope ones as its "None" intent)`,
);

if (process.argv.includes("--knowledge")) process.exit(0);

console.log("\n== The web console: one process, many operators' pages following the live feed ==");
console.log(formatConsoleBench(await benchConsole(kb)));
console.log(formatConsoleBench(await benchConsole(kb, { sameProcess: true, loads: 0 })));
if (process.argv.includes("--console")) process.exit(0);

console.log(
  "\n== The bot: updates through grammY, the matcher and SQLite, against the Bot API double ==",
);
const throughput = await benchBot(kb, texts);
console.log(
  `${throughput.answered}/${throughput.messages} questions from as many citizens at once: ${throughput.perSecond.toFixed(0)} updates/s (median wait in that queue ${throughput.queuedMedian.toFixed(0)} ms)\n` +
    `one question at a time: reply latency median ${throughput.singleMedian.toFixed(1)} ms, p99 ${throughput.singleP99.toFixed(1)} ms (update queued → reply received by the double)`,
);

console.log(
  "\n== The bot with 1, 2 and 3 processes on one PostgreSQL database (webhook mode behind a round-robin proxy) ==",
);
console.log(
  `This machine has ${availableParallelism()} cores: the processes, PostgreSQL, the Bot API double and the proxy share them.`,
);
await benchInstancesOnPostgres((text) => console.log(text), texts);

await benchHandoffBothEngines((text) => console.log(text));
