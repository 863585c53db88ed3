import {
  type EvaluationReport,
  emptySlice,
  evaluate,
  type LabelledQuestion,
  type SliceFigures,
} from "./evaluate.ts";
import { createMatcher, type MatcherOptions } from "./matcher.ts";
import type { Intent, KnowledgeBase, Language } from "./model.ts";
import { normalizeText, splitWords } from "./normalize.ts";

/** How the examples are split. */
export interface CrossValidationOptions {
  /** How many folds; each example is held out in exactly one. Defaults to 5. */
  folds?: number;
  /** Seed of the shuffle that deals the examples into folds. Defaults to 1. */
  seed?: number;
  /** How the matcher of each fold is built (calibration, weights). */
  matcher?: MatcherOptions;
}

/** One fold: the examples held out, and how a matcher built without them did on them. */
export interface CrossValidationFold {
  fold: number;
  /** Training examples the fold's matcher was built from (intents and out of scope). */
  trained: number;
  inScope: SliceFigures;
  outOfScope: SliceFigures;
  /** By language: "ru", "en", and "oos_ru", "oos_en" for out-of-scope examples. */
  byKind: Record<string, SliceFigures>;
  confusions: EvaluationReport["confusions"];
  milliseconds: number;
}

export interface CrossValidationReport {
  folds: CrossValidationFold[];
  /** The folds added up. */
  overall: Omit<CrossValidationFold, "fold" | "trained" | "milliseconds">;
}

interface Held {
  text: string;
  intent: string | null;
  language: Language;
}

// A deterministic pseudo-random generator, so a seed deals the same folds.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const canonical = (text: string) => splitWords(normalizeText(text)).join(" ");

/**
 * Deals every training example into one of `folds` folds: each intent's
 * examples of each language (and the out-of-scope examples of each) are
 * shuffled and dealt in turn, so every fold holds about 1/folds of each;
 * examples with the same words land in the same fold, so none is trained
 * on while it is tested.
 */
export function assignFolds(kb: KnowledgeBase, folds: number, seed = 1): Map<string, number> {
  const next = random(seed);
  const foldOf = new Map<string, number>();
  const groups: string[][] = [];
  for (const language of ["ru", "en"] as const) {
    for (const intent of kb.intents) groups.push([...intent.examples[language]]);
    groups.push([...kb.outOfScope[language]]);
  }
  let turn = 0;
  for (const group of groups) {
    const texts = group.map(canonical);
    for (let i = texts.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [texts[i], texts[j]] = [texts[j] as string, texts[i] as string];
    }
    for (const text of texts) {
      if (foldOf.has(text)) continue;
      foldOf.set(text, turn % folds);
      turn++;
    }
  }
  return foldOf;
}

function addInto(sum: SliceFigures, slice: SliceFigures): void {
  sum.total += slice.total;
  sum.correct += slice.correct;
  sum.wrong += slice.wrong;
  sum.clarified += slice.clarified;
  sum.escalated += slice.escalated;
}

/**
 * K-fold cross-validation over the knowledge base's own examples: for each
 * fold a matcher is built from scratch without the fold's examples (its
 * vocabulary, typo index, IDF weights and intent centroids too), and asked
 * each held-out example; an intent's example should be answered with that
 * intent, an out-of-scope example escalated. The confidence calibration is
 * the one given (by default the one fitted on the development set).
 *
 * @example crossValidate(kb, { folds: 5 }).overall.inScope // { total: 1746, correct: ..., ... }
 */
export function crossValidate(
  kb: KnowledgeBase,
  options: CrossValidationOptions = {},
): CrossValidationReport {
  const { folds = 5, seed = 1, matcher: matcherOptions = {} } = options;
  if (!Number.isInteger(folds) || folds < 2)
    throw new Error("folds must be an integer of 2 or more");
  const foldOf = assignFolds(kb, folds, seed);
  const inFold = (text: string, fold: number) => foldOf.get(canonical(text)) === fold;

  const results: CrossValidationFold[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const start = performance.now();
    const held: Held[] = [];
    const keep = (texts: readonly string[], intent: string | null, language: Language) =>
      texts.filter((text) => {
        if (!inFold(text, fold)) return true;
        held.push({ text, intent, language });
        return false;
      });
    const intents: Intent[] = kb.intents.map((intent) => ({
      ...intent,
      examples: {
        ru: keep(intent.examples.ru, intent.id, "ru"),
        en: keep(intent.examples.en, intent.id, "en"),
      },
    }));
    const outOfScope = {
      ru: keep(kb.outOfScope.ru, null, "ru"),
      en: keep(kb.outOfScope.en, null, "en"),
    };
    const trained =
      intents.reduce((n, i) => n + i.examples.ru.length + i.examples.en.length, 0) +
      outOfScope.ru.length +
      outOfScope.en.length;
    const foldKb: KnowledgeBase = {
      ...kb,
      intents,
      byId: new Map(intents.map((intent) => [intent.id, intent])),
      outOfScope,
    };
    const questions: LabelledQuestion[] = held.map(({ text, intent, language }) => ({
      text,
      intent,
      kind: intent === null ? `oos_${language}` : language,
    }));
    const report = evaluate(createMatcher(foldKb, matcherOptions), questions);
    results.push({
      fold: fold + 1,
      trained,
      inScope: report.inScope,
      outOfScope: report.outOfScope,
      byKind: report.byKind,
      confusions: report.confusions,
      milliseconds: performance.now() - start,
    });
  }

  const overall: CrossValidationReport["overall"] = {
    inScope: emptySlice(),
    outOfScope: emptySlice(),
    byKind: {},
    confusions: [],
  };
  const confusions = new Map<string, { expected: string; got: string; count: number }>();
  for (const fold of results) {
    addInto(overall.inScope, fold.inScope);
    addInto(overall.outOfScope, fold.outOfScope);
    for (const [kind, slice] of Object.entries(fold.byKind)) {
      overall.byKind[kind] ??= emptySlice();
      addInto(overall.byKind[kind], slice);
    }
    for (const c of fold.confusions) {
      const key = `${c.expected}\u0000${c.got}`;
      const sum = confusions.get(key) ?? { expected: c.expected, got: c.got, count: 0 };
      sum.count += c.count;
      confusions.set(key, sum);
    }
  }
  overall.confusions = [...confusions.values()].sort((a, b) => b.count - a.count);
  return { folds: results, overall };
}
