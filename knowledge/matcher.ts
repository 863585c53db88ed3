import {
  type Analysis,
  type AnalyzedToken,
  type Analyzer,
  buildVocabulary,
  createAnalyzer,
  wordsOf,
} from "./analyzer.ts";
import defaultCalibration from "./calibration.json" with { type: "json" };
import {
  type Calibration,
  type Candidate,
  confidenceOf,
  decide,
  type MatchDecision,
} from "./decide.ts";
import { charFeatures, wordFeatures } from "./features.ts";
import type { KnowledgeBase, Language } from "./model.ts";
import { createSynonymMap } from "./synonyms.ts";

export type { Candidate, MatchDecision } from "./decide.ts";

export interface MatchResult {
  decision: MatchDecision;
  /** How sure the matcher is of its best candidate, 0..1. */
  confidence: number;
  /** The best intents, best first (at most five). */
  candidates: Candidate[];
  analysis: Analysis;
  /** Share of the message's words that no intent's examples have. */
  unknownShare: number;
  /** Similarity to the out-of-scope examples, 0..1. */
  outOfScopeScore: number;
}

/** The name of the out-of-scope class in explanations. */
export const OUT_OF_SCOPE = "(out of scope)";

export interface Explanation {
  intent: string;
  score: number;
  example: string;
  sharedWords: string[];
}

export interface MatchOptions {
  /** Leave out training examples with exactly this text (leave-one-out checks). */
  exclude?: string;
}

export interface Matcher {
  match(text: string, options?: MatchOptions): MatchResult;
  /** For each candidate: the example that scored best and the words they share. */
  explain(result: MatchResult): Explanation[];
  /** Analyzes an example like a training example (for content lint). */
  analyzer: Analyzer;
}

/** How the matcher scores and decides. */
export interface MatcherOptions {
  /** The confidence model and thresholds. Defaults to calibration.json, fitted by `kb tune`. */
  calibration?: Calibration;
  /** Weight of word stems against character n-grams in the score. Defaults to 0.4. */
  wordWeight?: number;
  /**
   * Weight of the similarity to an intent's examples taken together, against
   * the similarity to its best single example. Defaults to 0.8.
   */
  classWeight?: number;
}

// A small-talk example of at most this many content words is a polite formula.
const FORMULA_WORDS = 5;

interface ExampleEntry {
  intent: number;
  text: string;
  stems: ReadonlySet<string>;
}

/** Who has a feature: example (or class) numbers and their weights. */
interface Postings {
  ids: Int32Array;
  weights: Float64Array;
}

interface FeatureEntry {
  idf: number;
  examples: Postings;
  classes: Postings;
}

interface FeatureIndex {
  features: Map<string, FeatureEntry>;
  /** The weight given to a feature the index has never seen. */
  unseenIdf: number;
}

interface LanguageIndex {
  examples: ExampleEntry[];
  words: FeatureIndex;
  chars: FeatureIndex;
  wordScores: Float64Array;
  charScores: Float64Array;
  classWordScores: Float64Array;
  classCharScores: Float64Array;
}

function toPostings(list: readonly [number, number][]): Postings {
  return {
    ids: Int32Array.from(list, ([id]) => id),
    weights: Float64Array.from(list, ([, weight]) => weight),
  };
}

function buildFeatureIndex(
  features: readonly Set<string>[],
  intentOf: readonly number[],
  intentCount: number,
): FeatureIndex {
  const intentsWith = new Map<string, Set<number>>();
  features.forEach((set, example) => {
    for (const feature of set) {
      let intents = intentsWith.get(feature);
      if (!intents) {
        intents = new Set();
        intentsWith.set(feature, intents);
      }
      intents.add(intentOf[example] as number);
    }
  });
  const idf = new Map<string, number>();
  for (const [feature, intents] of intentsWith) {
    idf.set(feature, Math.log(1 + intentCount / intents.size));
  }
  const exampleLists = new Map<string, [number, number][]>();
  features.forEach((set, example) => {
    let norm = 0;
    for (const feature of set) norm += (idf.get(feature) ?? 0) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (const feature of set) {
      const list = exampleLists.get(feature) ?? [];
      list.push([example, (idf.get(feature) ?? 0) / norm]);
      exampleLists.set(feature, list);
    }
  });
  // A class's vector: every feature of its examples, weighted by idf and by
  // how many of its examples have it (sublinearly).
  const counts = Array.from({ length: intentCount }, () => new Map<string, number>());
  features.forEach((set, example) => {
    const classCounts = counts[intentOf[example] as number];
    for (const feature of set) classCounts?.set(feature, (classCounts.get(feature) ?? 0) + 1);
  });
  const classLists = new Map<string, [number, number][]>();
  counts.forEach((classCounts, intent) => {
    const weights = [...classCounts].map(
      ([feature, count]) => [feature, (idf.get(feature) ?? 0) * (1 + Math.log(count))] as const,
    );
    const norm = Math.sqrt(weights.reduce((sum, [, w]) => sum + w * w, 0)) || 1;
    for (const [feature, weight] of weights) {
      const list = classLists.get(feature) ?? [];
      list.push([intent, weight / norm]);
      classLists.set(feature, list);
    }
  });
  const entries = new Map<string, FeatureEntry>();
  for (const [feature, weight] of idf) {
    entries.set(feature, {
      idf: weight,
      examples: toPostings(exampleLists.get(feature) ?? []),
      classes: toPostings(classLists.get(feature) ?? []),
    });
  }
  return { features: entries, unseenIdf: Math.log(1 + intentCount / 0.5) };
}

// Cosine similarities of the query's features to every example and every
// class, into `exampleScores` and `classScores`.
function scoreInto(
  index: FeatureIndex,
  query: ReadonlySet<string>,
  exampleScores: Float64Array,
  classScores: Float64Array,
): number {
  exampleScores.fill(0);
  classScores.fill(0);
  let norm = 0;
  const found: FeatureEntry[] = [];
  for (const feature of query) {
    const entry = index.features.get(feature);
    if (entry) found.push(entry);
    norm += (entry?.idf ?? index.unseenIdf) ** 2;
  }
  norm = Math.sqrt(norm);
  if (norm === 0) return 0;
  for (const entry of found) {
    const weight = entry.idf / norm;
    const { examples, classes } = entry;
    for (let i = 0; i < examples.ids.length; i++) {
      const id = examples.ids[i] as number;
      exampleScores[id] = (exampleScores[id] as number) + weight * (examples.weights[i] as number);
    }
    for (let i = 0; i < classes.ids.length; i++) {
      const id = classes.ids[i] as number;
      classScores[id] = (classScores[id] as number) + weight * (classes.weights[i] as number);
    }
  }
  return norm;
}

/**
 * Builds the matcher over a knowledge base: a word-stem and a character
 * n-gram index per language, scored by cosine similarity to each training
 * example; an intent scores as its best example.
 *
 * @example
 * const matcher = createMatcher(kb);
 * matcher.match("не могу войти в госуслуги").decision // { kind: "answer", intent: "account.login_recovery" }
 */
export function createMatcher(kb: KnowledgeBase, options: MatcherOptions = {}): Matcher {
  const { wordWeight = 0.4, classWeight = 0.8, calibration = defaultCalibration } = options;
  const synonyms = createSynonymMap(kb.synonyms);
  const languages: Language[] = ["ru", "en"];

  // The out-of-scope examples form one more class after the intents: a
  // message closest to them is escalated.
  const outOfScopeClass = kb.intents.length;
  const classCount = kb.intents.length + 1;
  const examplesOf = (language: Language): { text: string; intent: number }[] => [
    ...kb.intents.flatMap((intent, i) =>
      intent.examples[language].map((text) => ({ text, intent: i })),
    ),
    ...kb.outOfScope[language].map((text) => ({ text, intent: outOfScopeClass })),
  ];

  const vocabularies = {
    ru: buildVocabulary(examplesOf("ru").map((e) => wordsOf(e.text, synonyms))),
    en: buildVocabulary(examplesOf("en").map((e) => wordsOf(e.text, synonyms))),
  };
  const analyzer = createAnalyzer(synonyms, vocabularies);

  const indexes = {} as Record<Language, LanguageIndex>;
  const inScopeStems = {} as Record<Language, Set<string>>;
  // Small talk answers only messages that are nothing but small talk. The
  // words of its short, formulaic examples ("спасибо большое", "добрый
  // вечер"), against those of every other class (topics and out of scope),
  // tell a polite word from a word that asks; its long examples tell stories
  // full of topic words, so they are left out of this.
  const smalltalkClasses = new Set(
    kb.intents.flatMap((intent, i) => (intent.topic === "smalltalk" ? [i] : [])),
  );
  const smalltalkStems = {} as Record<Language, Set<string>>;
  const otherStems = {} as Record<Language, Set<string>>;
  for (const language of languages) {
    const examples: ExampleEntry[] = [];
    const wordSets: Set<string>[] = [];
    const charSets: Set<string>[] = [];
    const stemsKnown = new Set<string>();
    const smalltalk = new Set<string>();
    const other = new Set<string>();
    for (const { text, intent } of examplesOf(language)) {
      const tokens = analyzer.exampleWords(text, language);
      const stems = wordFeatures(tokens);
      if (intent !== outOfScopeClass) for (const stem of stems) stemsKnown.add(stem);
      if (!smalltalkClasses.has(intent)) for (const stem of stems) other.add(stem);
      else if (tokens.length <= FORMULA_WORDS) for (const stem of stems) smalltalk.add(stem);
      examples.push({ intent, text, stems });
      wordSets.push(stems);
      charSets.push(charFeatures(tokens));
    }
    inScopeStems[language] = stemsKnown;
    smalltalkStems[language] = smalltalk;
    otherStems[language] = other;
    const intentOf = examples.map((e) => e.intent);
    indexes[language] = {
      examples,
      words: buildFeatureIndex(wordSets, intentOf, classCount),
      chars: buildFeatureIndex(charSets, intentOf, classCount),
      wordScores: new Float64Array(examples.length),
      charScores: new Float64Array(examples.length),
      classWordScores: new Float64Array(classCount),
      classCharScores: new Float64Array(classCount),
    };
  }

  // A word that asks something: known to a topic or to the out-of-scope
  // examples, and not a polite formula's. A polite word: a greeting or
  // thanks, or a word only polite formulas use. Unknown words are neither.
  const asks = ({ courtesy, stem, language }: AnalyzedToken) =>
    !courtesy && !smalltalkStems[language].has(stem) && otherStems[language].has(stem);
  const polite = ({ courtesy, stem, language }: AnalyzedToken) =>
    courtesy || (smalltalkStems[language].has(stem) && !otherStems[language].has(stem));

  // A message that asks something is matched on what it asks: its polite
  // words, and its sentences that ask nothing ("Заранее спасибо!"), are left
  // out, so politeness never decides the intent.
  const withoutPoliteness = (analysis: Analysis): Analysis => {
    if (!analysis.tokens.some(asks)) return analysis;
    const idle = new Set(analysis.sentences.filter((s) => !s.some(asks)).flat());
    const kept = (t: AnalyzedToken) => !polite(t) && !idle.has(t);
    return {
      ...analysis,
      tokens: analysis.tokens.filter(kept),
      sentences: analysis.sentences
        .map((sentence) => sentence.filter(kept))
        .filter((sentence) => sentence.length > 0),
    };
  };

  // Scores every intent by its best example, into `best` (kept when higher).
  // A message in two languages is one vector in two parts: each language's
  // words against that language's examples, the two cosines added in
  // proportion to each part's share of the message's length, as if both
  // examples were one translated example. A message in one language is
  // scored as before.
  const scoreIntents = (
    tokens: readonly AnalyzedToken[],
    best: Float64Array,
    bestExample: Int32Array,
    bestLanguage: Language[],
    exclude: string | undefined,
    skipSmalltalk: boolean,
  ) => {
    const parts = languages
      .map((language) => ({ language, tokens: tokens.filter((t) => t.language === language) }))
      .filter((part) => part.tokens.length > 0);
    const norms = parts.map(({ language, tokens: own }) => {
      const index = indexes[language];
      return {
        words: scoreInto(index.words, wordFeatures(own), index.wordScores, index.classWordScores),
        chars: scoreInto(index.chars, charFeatures(own), index.charScores, index.classCharScores),
      };
    });
    const wordNorm = Math.hypot(...norms.map((n) => n.words)) || 1;
    const charNorm = Math.hypot(...norms.map((n) => n.chars)) || 1;
    const exampleScore = new Float64Array(classCount);
    const wholeScore = new Float64Array(classCount);
    const exampleArg = new Int32Array(classCount).fill(-1);
    const argLanguage: Language[] = [];
    const argShare = new Float64Array(classCount);
    parts.forEach(({ language }, p) => {
      const index = indexes[language];
      const wordShare = wordWeight * ((norms[p]?.words ?? 0) / wordNorm);
      const charShare = (1 - wordWeight) * ((norms[p]?.chars ?? 0) / charNorm);
      const exampleBest = new Float64Array(classCount);
      const arg = new Int32Array(classCount).fill(-1);
      for (let e = 0; e < index.examples.length; e++) {
        const score =
          wordShare * (index.wordScores[e] ?? 0) + charShare * (index.charScores[e] ?? 0);
        const { intent, text } = index.examples[e] as ExampleEntry;
        if (score > (exampleBest[intent] ?? 0) && text !== exclude) {
          exampleBest[intent] = score;
          arg[intent] = e;
        }
      }
      for (let c = 0; c < classCount; c++) {
        const fromExample = exampleBest[c] ?? 0;
        exampleScore[c] = (exampleScore[c] ?? 0) + fromExample;
        wholeScore[c] =
          (wholeScore[c] ?? 0) +
          wordShare * (index.classWordScores[c] ?? 0) +
          charShare * (index.classCharScores[c] ?? 0);
        if (fromExample > (argShare[c] ?? 0)) {
          argShare[c] = fromExample;
          exampleArg[c] = arg[c] ?? -1;
          argLanguage[c] = language;
        }
      }
    });
    for (let c = 0; c < classCount; c++) {
      if (skipSmalltalk && smalltalkClasses.has(c)) continue;
      // The out-of-scope class is no topic but many: only its examples count.
      const score =
        c === outOfScopeClass
          ? (exampleScore[c] ?? 0)
          : (1 - classWeight) * (exampleScore[c] ?? 0) + classWeight * (wholeScore[c] ?? 0);
      if (score > (best[c] ?? 0)) {
        best[c] = score;
        bestExample[c] = exampleArg[c] ?? -1;
        bestLanguage[c] = argLanguage[c] ?? "ru";
      }
    }
  };

  // A long message is scored as a whole and sentence by sentence: the
  // question is often one sentence after a story.
  const rank = (analysis: Analysis, exclude?: string) => {
    const best = new Float64Array(classCount);
    const bestExample = new Int32Array(classCount).fill(-1);
    const bestLanguage: Language[] = [];
    const skipSmalltalk = analysis.tokens.some(asks);
    scoreIntents(analysis.tokens, best, bestExample, bestLanguage, exclude, skipSmalltalk);
    for (const sentence of analysis.sentences) {
      if (sentence.length >= 2) {
        scoreIntents(sentence, best, bestExample, bestLanguage, exclude, skipSmalltalk);
      }
    }
    const order = [...best.keys()].sort((a, b) => (best[b] ?? 0) - (best[a] ?? 0)).slice(0, 6);
    return order.map((i) => ({
      intent: kb.intents[i]?.id ?? OUT_OF_SCOPE,
      score: Math.min(1, best[i] ?? 0),
      example: bestExample[i] ?? -1,
      language: bestLanguage[i] ?? analysis.language,
    }));
  };

  return {
    analyzer,
    match(text, options = {}) {
      const analysis = withoutPoliteness(analyzer.analyze(text));
      const { tokens } = analysis;
      const unknownShare =
        tokens.length === 0
          ? 1
          : tokens.filter((t) => !inScopeStems[t.language].has(t.stem)).length / tokens.length;
      const ranked = tokens.length === 0 ? [] : rank(analysis, options.exclude);
      const outOfScopeScore = ranked.find((c) => c.intent === OUT_OF_SCOPE)?.score ?? 0;
      const candidates = ranked
        .filter((c) => c.score > 0 && c.intent !== OUT_OF_SCOPE)
        .slice(0, 5)
        .map(({ intent, score }) => ({ intent, score }));
      const signals = { tokenCount: tokens.length, unknownShare, candidates, outOfScopeScore };
      const decision = decide(signals, calibration);
      const confidence = confidenceOf(signals, calibration);
      return { decision, confidence, candidates, analysis, unknownShare, outOfScopeScore };
    },
    explain(result) {
      const { tokens } = result.analysis;
      const ranked = rank(result.analysis).filter((c) => c.intent !== OUT_OF_SCOPE);
      return ranked.slice(0, 5).map(({ intent, score, example, language }) => {
        const entry = indexes[language].examples[example];
        return {
          intent,
          score,
          example: entry?.text ?? "",
          sharedWords: entry
            ? tokens.filter((t) => entry.stems.has(t.stem)).map((t) => t.corrected)
            : [],
        };
      });
    },
  };
}
