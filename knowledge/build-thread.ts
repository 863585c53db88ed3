import { setImmediate } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { createDirectory } from "./directory.ts";
import type { KnowledgeIssue } from "./errors.ts";
import {
  type Matcher,
  type MatcherIndex,
  type MatcherOptions,
  openMatcherInSteps,
} from "./matcher.ts";
import type { Intent, KnowledgeBase, Language } from "./model.ts";
import type { DirectoryFile } from "./schema.ts";

/** An intent as the build thread sends it: its examples are packed apart. */
type IntentWithoutExamples = Omit<Intent, "examples">;

/**
 * Every intent's examples in one string a language, with each example's
 * length and how many each intent has (Russian, English, Russian, …): a few
 * long strings cross between threads in a copy, where 190,000 short ones
 * would hold the receiving thread for a third of a second.
 */
interface PackedExamples {
  ru: string;
  en: string;
  lengths: { ru: Int32Array; en: Int32Array };
  counts: Int32Array;
}

/** What the build thread sends back: the knowledge base as plain data and the matcher's index. */
export type ThreadMessage =
  | {
      ok: true;
      kb: Omit<KnowledgeBase, "byId" | "directory" | "intents"> & {
        directoryFile: DirectoryFile;
        intents: IntentWithoutExamples[];
        examples: PackedExamples;
      };
      index: MatcherIndex;
      buildMs: number;
    }
  | { ok: false; issues: KnowledgeIssue[] };

/** The intents as the build thread sends them (see PackedExamples). */
export function packIntents(intents: readonly Intent[]): {
  intents: IntentWithoutExamples[];
  examples: PackedExamples;
} {
  const counts = new Int32Array(intents.length * 2);
  const texts = { ru: [] as string[], en: [] as string[] };
  const without = intents.map(({ examples, ...rest }, i) => {
    counts[2 * i] = examples.ru.length;
    counts[2 * i + 1] = examples.en.length;
    texts.ru.push(...examples.ru);
    texts.en.push(...examples.en);
    return rest;
  });
  return {
    intents: without,
    examples: {
      ru: texts.ru.join(""),
      en: texts.en.join(""),
      lengths: {
        ru: Int32Array.from(texts.ru, (text) => text.length),
        en: Int32Array.from(texts.en, (text) => text.length),
      },
      counts,
    },
  };
}

// Intents unpacked between two pauses.
const INTENTS_PER_STEP = 250;

async function unpackIntents(
  intents: readonly IntentWithoutExamples[],
  examples: PackedExamples,
): Promise<Intent[]> {
  const at = { ru: 0, en: 0 };
  const next = { ru: 0, en: 0 };
  const take = (language: Language, count: number) => {
    const texts: string[] = [];
    const packed = examples[language];
    for (let k = 0; k < count; k++) {
      const end = at[language] + (examples.lengths[language][next[language]++] ?? 0);
      texts.push(packed.slice(at[language], end));
      at[language] = end;
    }
    return texts;
  };
  const out: Intent[] = [];
  for (let i = 0; i < intents.length; i++) {
    if (i > 0 && i % INTENTS_PER_STEP === 0) await setImmediate();
    const ru = take("ru", examples.counts[2 * i] ?? 0);
    const en = take("en", examples.counts[2 * i + 1] ?? 0);
    out.push({ ...(intents[i] as IntentWithoutExamples), examples: { ru, en } });
  }
  return out;
}

export type ThreadLoadResult =
  | {
      ok: true;
      kb: KnowledgeBase;
      matcher: Matcher;
      /** How long the thread took to build the index, and this thread to open it. */
      buildMs: number;
      openMs: number;
    }
  | { ok: false; issues: KnowledgeIssue[] };

const ENTRY = new URL("./build-thread-entry.mjs", import.meta.url);

/**
 * Loads a knowledge folder and builds its matcher in a worker thread, so
 * that this thread keeps answering meanwhile; here only the look-up tables
 * of the vocabulary and the features are made (`openMatcher`). The issues
 * when the folder is invalid; rejects when the thread fails (a bug, out of
 * memory), with the thread's error.
 *
 * @example const loaded = await loadInThread("./intents"); if (loaded.ok) loaded.matcher.match("пароль")
 */
export function loadInThread(
  folder: string,
  options: MatcherOptions = {},
): Promise<ThreadLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { folder } });
    let settled = false;
    const settle = (outcome: () => ThreadLoadResult | Error) => {
      if (settled) return;
      settled = true;
      let result: ThreadLoadResult | Error;
      try {
        result = outcome();
      } catch (error) {
        result = error instanceof Error ? error : new Error(String(error));
      }
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    // Once the thread has answered, its end is no failure.
    let answered = false;
    worker.once("message", async (message: ThreadMessage) => {
      answered = true;
      void worker.terminate();
      if (!message.ok) return settle(() => message);
      try {
        const started = performance.now();
        const { directoryFile, examples, synonyms, outOfScope } = message.kb;
        const intents = await unpackIntents(message.kb.intents, examples);
        const kb: KnowledgeBase = {
          intents,
          byId: new Map(intents.map((intent) => [intent.id, intent])),
          directory: createDirectory(directoryFile),
          synonyms,
          outOfScope,
        };
        const matcher = await openMatcherInSteps(kb, message.index, options);
        const openMs = performance.now() - started;
        settle(() => ({ ok: true, kb, matcher, buildMs: message.buildMs, openMs }));
      } catch (error) {
        settle(() => (error instanceof Error ? error : new Error(String(error))));
      }
    });
    worker.once("error", (error) => {
      if (!answered) settle(() => error);
    });
    worker.once("exit", (code) => {
      if (answered) return;
      settle(
        () =>
          new Error(`the knowledge build thread stopped (exit code ${code}) before it answered`),
      );
    });
  });
}
