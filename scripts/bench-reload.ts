// Questions answered while the knowledge base reloads, for `npm run bench`:
// the synthetic base written as a knowledge folder beside the real one, the
// bot's knowledge source opened on it, and a question every 5 ms while a
// reload builds in its worker thread.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { openKnowledgeSource } from "../bot/knowledge-source.ts";
import {
  createMatcher,
  DEFAULT_KNOWLEDGE_FOLDER,
  formatIssue,
  type KnowledgeBase,
} from "../knowledge/index.ts";
import { quantile } from "./bench-scale.ts";
import { syntheticKnowledgeBase } from "./bench-synthetic.ts";

const QUESTION_EVERY_MS = 5;

/**
 * Writes the real knowledge folder and `count` synthetic intents into a
 * temporary folder, reloads it while asking questions, and returns how long
 * the questions waited for their answers (from when each was due) during the
 * reload, and how long an in-process build would have held them.
 */
export async function benchReload(real: KnowledgeBase, count: number) {
  const parent = mkdtempSync(join(tmpdir(), "bench-reload-"));
  const folder = join(parent, "intents");
  try {
    cpSync(DEFAULT_KNOWLEDGE_FOLDER, folder, { recursive: true });
    const synthetic = syntheticKnowledgeBase(real, count);
    synthetic.kb.intents.forEach((intent, n) => {
      // Intent ids are letters: the n-th in base 26.
      let id = "";
      for (let k = n; id === "" || k > 0; k = Math.floor(k / 26))
        id += "abcdefghijklmnopqrstuvwxyz"[k % 26];
      writeFileSync(
        join(folder, `synthetic.intent_${id}.yaml`),
        stringify({
          id: `synthetic.intent_${id}`,
          topic: intent.topic,
          title: intent.title,
          examples: intent.examples,
          answer: intent.answer,
          links: intent.links,
          escalate: intent.escalate,
        }),
      );
    });
    const opened = openKnowledgeSource(folder);
    if (!opened.ok) {
      const issues = opened.issues.slice(0, 3).map(formatIssue).join("; ");
      throw new Error(`the synthetic knowledge folder did not load: ${issues}`);
    }
    const source = opened.source;
    const { kb } = source.current();
    const inProcessStart = performance.now();
    createMatcher(kb);
    const inProcessMs = performance.now() - inProcessStart;

    const questions = synthetic.queries;
    let asked = 0;
    // Questions until `busy` settles, each due 5 ms after the last was
    // answered; a wait runs from then to the answer, so time the event loop
    // was held counts against it.
    const askWhile = async (busy: Promise<unknown>) => {
      const waits: number[] = [];
      let done = false;
      void busy.finally(() => {
        done = true;
      });
      await new Promise<void>((finish) => {
        let due = performance.now();
        const ask = () => {
          source.current().matcher.match(questions[asked++ % questions.length] as string);
          waits.push(performance.now() - due);
          if (done) return finish();
          due = performance.now() + QUESTION_EVERY_MS;
          setTimeout(ask, QUESTION_EVERY_MS);
        };
        setTimeout(ask, 0);
      });
      return waits.sort((x, y) => x - y);
    };
    // The same questions for two seconds without a reload: what the machine gives.
    const quiet = await askWhile(new Promise((done) => setTimeout(done, 2000)));
    const started = performance.now();
    const reloaded = source.reload();
    const waits = await askWhile(reloaded);
    const result = await reloaded;
    const reloadMs = performance.now() - started;
    source.close();
    if (!result.ok) throw new Error("the synthetic knowledge folder did not reload");
    return {
      intents: kb.intents.length,
      reloadMs,
      questions: waits.length,
      median: quantile(waits, 0.5),
      p99: quantile(waits, 0.99),
      max: waits[waits.length - 1] ?? 0,
      inProcessMs,
      quietP99: quantile(quiet, 0.99),
    };
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}
