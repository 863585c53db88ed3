import { setImmediate } from "node:timers/promises";
import {
  type Analysis,
  type AnalyzedToken,
  type Analyzer,
  buildVocabulary,
  createAnalyzer,
  type LanguageVocabulary,
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
import {
  addExampleScores,
  buildFeatureIndex,
  ExampleScores,
  type ExampleScratch,
  exampleScore,
  type FeatureIndex,
  type FeatureIndexData,
  FeatureNumbers,
  IntList,
  markQuery,
  openFeatureIndex,
  postingWork,
  type QueryScores,
  scoreClasses,
  transferablesOf,
  unmarkQuery,
} from "./feature-index.ts";
import { charFeatures, wordFeatures, wordGrams } from "./features.ts";
import type { KnowledgeBase, Language } from "./model.ts";
import { createSynonymMap } from "./synonyms.ts";
import { typoIndexSteps } from "./typo.ts";

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
  /** The thresholds it decides by (the test pane says why). */
  readonly calibration: Calibration;
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

const LANGUAGES: readonly Language[] = ["ru", "en"];

// Scoring by class bounds visits, for each class it scores exactly (a dozen
// or more), each of its examples' features (some 50 in each of two
// indexes): when the message's features have fewer postings than this many
// times a class's examples, scoring every example through them is cheaper.
// Both give the same scores.
const POSTINGS_PER_CLASS_EXAMPLE = 1600;

/** One language's part of a matcher index. */
interface LanguageIndexData {
  /** The class of each example: an intent's number, or the out-of-scope class after them. */
  exampleClass: Int32Array;
  /** The number of each class's first example (a class's examples are together). */
  firstExample: Int32Array;
  words: FeatureIndexData;
  chars: FeatureIndexData;
  /** The examples' words, as first met, with how often each occurs. */
  vocabulary: { words: string[]; counts: Int32Array; stems: string[]; pairs: Int32Array };
  /** Stems of the intents' examples (not the out-of-scope ones). */
  inScopeStems: string[];
  /** Stems of small talk's short formulaic examples. */
  smalltalkStems: string[];
  /** Stems of every other class's examples. */
  otherStems: string[];
}

/**
 * What a matcher is made of, as plain data (strings, numbers and typed
 * arrays): built with `buildMatcherIndex`, possibly in a worker thread,
 * and opened with `openMatcher` over the same knowledge base.
 */
export interface MatcherIndex {
  /** The number of intents it was built for, to catch a mismatched knowledge base. */
  intents: number;
  languages: Record<Language, LanguageIndexData>;
}

/** The typed arrays of an index, to hand to another thread without a copy. */
export function matcherTransferables(index: MatcherIndex): ArrayBuffer[] {
  return LANGUAGES.flatMap((language) => {
    const part = index.languages[language];
    return [
      part.exampleClass.buffer as ArrayBuffer,
      part.firstExample.buffer as ArrayBuffer,
      part.vocabulary.counts.buffer as ArrayBuffer,
      part.vocabulary.pairs.buffer as ArrayBuffer,
      ...transferablesOf(part.words),
      ...transferablesOf(part.chars),
    ];
  });
}

// Each language's examples, intents' first and the out-of-scope ones after
// them, with their class numbers.
function* examplesOf(
  kb: KnowledgeBase,
  language: Language,
): Generator<{ text: string; intent: number }> {
  for (let i = 0; i < kb.intents.length; i++) {
    for (const text of (kb.intents[i] as KnowledgeBase["intents"][number]).examples[language]) {
      yield { text, intent: i };
    }
  }
  for (const text of kb.outOfScope[language]) yield { text, intent: kb.intents.length };
}

/**
 * Builds the matcher's index over a knowledge base: the examples analysed
 * and weighed, every feature's examples and classes. The costly part of a
 * matcher, and pure data: `openMatcher` makes the matcher from it.
 *
 * @example const matcher = openMatcher(kb, buildMatcherIndex(kb));
 */
export function buildMatcherIndex(kb: KnowledgeBase): MatcherIndex {
  const synonyms = createSynonymMap(kb.synonyms);
  const outOfScopeClass = kb.intents.length;
  const classCount = kb.intents.length + 1;
  const exampleWordsOf = {
    ru: Array.from(examplesOf(kb, "ru"), (e) => wordsOf(e.text, synonyms)),
    en: Array.from(examplesOf(kb, "en"), (e) => wordsOf(e.text, synonyms)),
  };
  const vocabularies = {
    ru: buildVocabulary(exampleWordsOf.ru),
    en: buildVocabulary(exampleWordsOf.en),
  };
  const analyzer = createAnalyzer(synonyms, vocabularies);
  const smalltalkClasses = new Set(
    kb.intents.flatMap((intent, i) => (intent.topic === "smalltalk" ? [i] : [])),
  );
  const languages = {} as Record<Language, LanguageIndexData>;
  for (const language of LANGUAGES) {
    const stemsKnown = new Set<string>();
    const smalltalk = new Set<string>();
    const other = new Set<string>();
    const wordNumbers = new FeatureNumbers();
    const charNumbers = new FeatureNumbers();
    const wordIds = new IntList();
    const charIds = new IntList();
    const classes = new IntList();
    const wordStart = new IntList();
    const charStart = new IntList();
    const firstExample = new Int32Array(classCount).fill(-1);
    const words = exampleWordsOf[language];
    const gramsOfWord = new Map<string, Int32Array>();
    // The last example (1-based) each n-gram was added to, to add it once.
    const lastExampleWith: number[] = [];
    let e = 0;
    for (const { intent } of examplesOf(kb, language)) {
      const tokens = analyzer.exampleTokens(words[e] as string[], language);
      const stems = wordFeatures(tokens);
      if (intent !== outOfScopeClass) for (const stem of stems) stemsKnown.add(stem);
      if (!smalltalkClasses.has(intent)) for (const stem of stems) other.add(stem);
      else if (tokens.length <= FORMULA_WORDS) for (const stem of stems) smalltalk.add(stem);
      if (firstExample[intent] === -1) firstExample[intent] = e;
      classes.push(intent);
      wordStart.push(wordIds.length);
      for (const stem of stems) wordIds.push(wordNumbers.idOf(stem));
      // charFeatures(tokens) as numbers: each word's n-grams are numbered
      // once, the words of an example said over and over in others.
      charStart.push(charIds.length);
      for (const token of tokens) {
        let grams = gramsOfWord.get(token.corrected);
        if (!grams) {
          grams = Int32Array.from(wordGrams(token.corrected), (gram) => charNumbers.idOf(gram));
          gramsOfWord.set(token.corrected, grams);
        }
        for (const gram of grams) {
          if (lastExampleWith[gram] === e + 1) continue;
          lastExampleWith[gram] = e + 1;
          charIds.push(gram);
        }
      }
      e++;
    }
    wordStart.push(wordIds.length);
    charStart.push(charIds.length);
    const exampleClass = classes.toArray();
    const vocabulary = vocabularies[language];
    languages[language] = {
      exampleClass,
      firstExample,
      words: buildFeatureIndex(
        wordNumbers.names,
        wordStart.toArray(),
        wordIds.toArray(),
        exampleClass,
        classCount,
      ),
      chars: buildFeatureIndex(
        charNumbers.names,
        charStart.toArray(),
        charIds.toArray(),
        exampleClass,
        classCount,
      ),
      vocabulary: {
        words: [...vocabulary.words.keys()],
        counts: Int32Array.from(vocabulary.words.values()),
        stems: [...vocabulary.stems],
        pairs: vocabulary.pairs ?? new Int32Array(0),
      },
      inScopeStems: [...stemsKnown],
      smalltalkStems: [...smalltalk],
      otherStems: [...other],
    };
  }
  return { intents: kb.intents.length, languages };
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
  return openMatcher(kb, buildMatcherIndex(kb), options);
}

interface LanguageIndex {
  exampleClass: Int32Array;
  firstExample: Int32Array;
  words: FeatureIndex;
  chars: FeatureIndex;
  /** Scratch space for scoring through the postings, made on first use. */
  wordExamples?: ExampleScores;
  charExamples?: ExampleScores;
}

/**
 * The matcher over a knowledge base from its index (built by
 * `buildMatcherIndex` over the same knowledge base, here or in a worker):
 * only the look-up tables of the vocabulary and the features are made here,
 * nothing per example.
 */
export function openMatcher(
  kb: KnowledgeBase,
  index: MatcherIndex,
  options: MatcherOptions = {},
): Matcher {
  const steps = openMatcherSteps(kb, index, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `openMatcher` a millisecond or so at a time, letting the event loop run
 * between: a thread answering questions opens a reloaded matcher so.
 */
export async function openMatcherInSteps(
  kb: KnowledgeBase,
  index: MatcherIndex,
  options: MatcherOptions = {},
): Promise<Matcher> {
  const steps = openMatcherSteps(kb, index, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await setImmediate();
  }
}

function* openMatcherSteps(
  kb: KnowledgeBase,
  index: MatcherIndex,
  options: MatcherOptions,
): Generator<void, Matcher, void> {
  const { wordWeight = 0.4, classWeight = 0.8, calibration = defaultCalibration } = options;
  if (index.intents !== kb.intents.length) {
    throw new Error(
      `the matcher index was built for ${index.intents} intents, the knowledge base has ${kb.intents.length}: build it from this knowledge base`,
    );
  }
  const synonyms = createSynonymMap(kb.synonyms);
  const languages = LANGUAGES;
  // The out-of-scope examples form one more class after the intents: a
  // message closest to them is escalated.
  const outOfScopeClass = kb.intents.length;
  const classCount = kb.intents.length + 1;
  const vocabularyOf = (language: Language): LanguageVocabulary => {
    const { words, counts, stems, pairs } = index.languages[language].vocabulary;
    return {
      words: new Map(words.map((word, i) => [word, counts[i] ?? 0])),
      stems: new Set(stems),
      pairs,
    };
  };
  const vocabularies = { ru: vocabularyOf("ru"), en: vocabularyOf("en") };
  yield;
  const typo = {
    ru: yield* typoIndexSteps(vocabularies.ru.words),
    en: yield* typoIndexSteps(vocabularies.en.words),
  };
  const analyzer = createAnalyzer(synonyms, vocabularies, typo);
  yield;

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
    const part = index.languages[language];
    inScopeStems[language] = new Set(part.inScopeStems);
    smalltalkStems[language] = new Set(part.smalltalkStems);
    otherStems[language] = new Set(part.otherStems);
    yield;
    const words = openFeatureIndex(part.words);
    yield;
    const chars = openFeatureIndex(part.chars);
    yield;
    indexes[language] = {
      exampleClass: part.exampleClass,
      firstExample: part.firstExample,
      words,
      chars,
    };
  }

  const examples = languages.reduce((n, l) => n + indexes[l].exampleClass.length, 0);
  const postingsAtMost = (POSTINGS_PER_CLASS_EXAMPLE * examples) / classCount;

  // The text of example `e` of a language.
  const exampleText = (language: Language, e: number): string => {
    const { exampleClass, firstExample } = indexes[language];
    const c = exampleClass[e] as number;
    const list =
      c === outOfScopeClass ? kb.outOfScope[language] : kb.intents[c]?.examples[language];
    return list?.[e - (firstExample[c] as number)] ?? "";
  };

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

  // A message's words in each language, against that language's index.
  interface Part {
    language: Language;
    wordShare: number;
    charShare: number;
    words: QueryScores;
    chars: QueryScores;
  }

  // A message in two languages is one vector in two parts: each language's
  // words against that language's examples, the two cosines added in
  // proportion to each part's share of the message's length, as if both
  // examples were one translated example. A message in one language is
  // scored as before.
  const partsOf = (tokens: readonly AnalyzedToken[]): Part[] => {
    const scored = languages
      .map((language) => ({ language, tokens: tokens.filter((t) => t.language === language) }))
      .filter((part) => part.tokens.length > 0)
      .map(({ language, tokens: own }) => ({
        language,
        words: scoreClasses(indexes[language].words, wordFeatures(own), classCount),
        chars: scoreClasses(indexes[language].chars, charFeatures(own), classCount),
      }));
    const wordNorm = Math.hypot(...scored.map((p) => p.words.norm)) || 1;
    const charNorm = Math.hypot(...scored.map((p) => p.chars.norm)) || 1;
    return scored.map((part) => ({
      ...part,
      wordShare: wordWeight * (part.words.norm / wordNorm),
      charShare: (1 - wordWeight) * (part.chars.norm / charNorm),
    }));
  };

  // A class's score: its best example's, and its examples taken together's.
  // The out-of-scope class is no topic but many: only its examples count.
  const classScore = (c: number, fromExamples: number, whole: number) =>
    c === outOfScopeClass ? fromExamples : (1 - classWeight) * fromExamples + classWeight * whole;

  // Raises `bound` to what no class's score exceeds for the message in
  // `parts` (a margin for rounding: the bound adds the same numbers in
  // another order).
  const raiseBounds = (parts: readonly Part[], bound: Float64Array, skipSmalltalk: boolean) => {
    const fromExamples = new Float64Array(classCount);
    const whole = new Float64Array(classCount);
    for (const { wordShare, charShare, words, chars } of parts) {
      for (let c = 0; c < classCount; c++) {
        fromExamples[c] =
          (fromExamples[c] as number) +
          wordShare * (words.bounds[c] as number) +
          charShare * (chars.bounds[c] as number);
        whole[c] =
          (whole[c] as number) +
          wordShare * (words.classes[c] as number) +
          charShare * (chars.classes[c] as number);
      }
    }
    for (let c = 0; c < classCount; c++) {
      const upper =
        classScore(c, fromExamples[c] as number, whole[c] as number) * (1 + 1e-9) + 1e-12;
      if (upper > (bound[c] as number)) bound[c] = upper;
    }
    if (skipSmalltalk) for (const c of smalltalkClasses) bound[c] = 0;
  };

  // Class `c`'s exact score for the message in `parts`, its best example
  // and that example's language.
  const exactScore = (
    parts: readonly Part[],
    c: number,
    exclude: string | undefined,
    scratch: ExampleScratch,
  ) => {
    let fromExamples = 0;
    let whole = 0;
    let argShare = 0;
    let example = -1;
    let language: Language | undefined;
    for (const part of parts) {
      const { exampleClass, firstExample, words, chars } = indexes[part.language];
      let best = 0;
      let arg = -1;
      const first = firstExample[c] as number;
      if (first >= 0) {
        markQuery(words, part.words);
        markQuery(chars, part.chars);
        for (let e = first; e < exampleClass.length && exampleClass[e] === c; e++) {
          const score =
            part.wordShare * exampleScore(words, part.words, e, scratch) +
            part.charShare * exampleScore(chars, part.chars, e, scratch);
          if (
            score > best &&
            (exclude === undefined || exampleText(part.language, e) !== exclude)
          ) {
            best = score;
            arg = e;
          }
        }
        unmarkQuery(words, part.words);
        unmarkQuery(chars, part.chars);
      }
      fromExamples = fromExamples + best;
      whole =
        whole +
        part.wordShare * (part.words.classes[c] as number) +
        part.charShare * (part.chars.classes[c] as number);
      if (best > argShare) {
        argShare = best;
        example = arg;
        language = part.language;
      }
    }
    return { score: classScore(c, fromExamples, whole), example, language };
  };

  // Every class's exact score for the message in `parts` through the
  // postings (each example sharing a feature visited once), raising `best`.
  const scoreAllInto = (
    parts: readonly Part[],
    exclude: string | undefined,
    best: Float64Array,
    bestExample: Int32Array,
    bestLanguage: Language[],
    skipSmalltalk: boolean,
  ) => {
    const fromExamples = new Float64Array(classCount);
    const whole = new Float64Array(classCount);
    const exampleArg = new Int32Array(classCount).fill(-1);
    const argLanguage: Language[] = [];
    const argShare = new Float64Array(classCount);
    const exampleBest = new Float64Array(classCount);
    const arg = new Int32Array(classCount);
    for (const part of parts) {
      const index = indexes[part.language];
      const { exampleClass } = index;
      index.wordExamples ??= new ExampleScores(exampleClass.length);
      index.charExamples ??= new ExampleScores(exampleClass.length);
      const wordScores = index.wordExamples;
      const charScores = index.charExamples;
      addExampleScores(index.words, part.words, wordScores);
      addExampleScores(index.chars, part.chars, charScores);
      exampleBest.fill(0);
      arg.fill(-1);
      const consider = (e: number) => {
        const score =
          part.wordShare * (wordScores.scores[e] as number) +
          part.charShare * (charScores.scores[e] as number);
        const c = exampleClass[e] as number;
        const previous = exampleBest[c] as number;
        // Of equal scores the first example wins, whatever order they come in.
        if (score < previous || (score === previous && (score === 0 || e > (arg[c] as number)))) {
          return;
        }
        if (exclude !== undefined && exampleText(part.language, e) === exclude) return;
        exampleBest[c] = score;
        arg[c] = e;
      };
      for (let i = 0; i < charScores.touchedCount; i++) consider(charScores.touched[i] as number);
      for (let i = 0; i < wordScores.touchedCount; i++) {
        const e = wordScores.touched[i] as number;
        if (charScores.scores[e] === 0) consider(e);
      }
      for (let c = 0; c < classCount; c++) {
        const fromExample = exampleBest[c] as number;
        fromExamples[c] = (fromExamples[c] as number) + fromExample;
        whole[c] =
          (whole[c] as number) +
          part.wordShare * (part.words.classes[c] as number) +
          part.charShare * (part.chars.classes[c] as number);
        if (fromExample > (argShare[c] as number)) {
          argShare[c] = fromExample;
          exampleArg[c] = arg[c] as number;
          argLanguage[c] = part.language;
        }
      }
    }
    for (let c = 0; c < classCount; c++) {
      if (skipSmalltalk && smalltalkClasses.has(c)) continue;
      const score = classScore(c, fromExamples[c] as number, whole[c] as number);
      if (score > (best[c] as number)) {
        best[c] = score;
        bestExample[c] = exampleArg[c] as number;
        bestLanguage[c] = argLanguage[c] ?? "ru";
      }
    }
  };

  const rankedOf = (
    best: Float64Array,
    bestExample: Int32Array,
    bestLanguage: readonly Language[],
    language: Language,
  ) =>
    topClasses(best, 6).map((i) => ({
      intent: kb.intents[i]?.id ?? OUT_OF_SCOPE,
      score: Math.min(1, best[i] ?? 0),
      example: bestExample[i] ?? -1,
      language: bestLanguage[i] ?? language,
    }));

  // A long message is scored as a whole and sentence by sentence (the
  // question is often one sentence after a story), a class by its best
  // score. Exact scores are needed only for the classes that can be among
  // the best: classes are scored exactly in the order of their bounds until
  // no bound left is as high as the sixth best exact score. When the
  // message's features have few postings (a small knowledge base), every
  // example sharing one is scored through them instead: cheaper than bounds.
  const rank = (analysis: Analysis, exclude?: string) => {
    const skipSmalltalk = analysis.tokens.some(asks);
    const calls = [
      analysis.tokens,
      ...analysis.sentences.filter((sentence) => sentence.length >= 2),
    ].map(partsOf);
    const best = new Float64Array(classCount);
    const bestExample = new Int32Array(classCount).fill(-1);
    const bestLanguage: Language[] = [];
    const work = calls.reduce(
      (sum, parts) =>
        sum +
        parts.reduce(
          (n, p) =>
            n +
            postingWork(indexes[p.language].words, p.words) +
            postingWork(indexes[p.language].chars, p.chars),
          0,
        ),
      0,
    );
    if (work <= postingsAtMost) {
      for (const parts of calls) {
        scoreAllInto(parts, exclude, best, bestExample, bestLanguage, skipSmalltalk);
      }
      return rankedOf(best, bestExample, bestLanguage, analysis.language);
    }
    const bound = new Float64Array(classCount);
    for (const parts of calls) raiseBounds(parts, bound, skipSmalltalk);
    const longest = Math.max(
      1,
      ...calls.flatMap((parts) =>
        parts.flatMap((p) => [p.words.features.length, p.chars.features.length]),
      ),
    );
    const scratch = {
      positions: new Int32Array(longest + 1),
      weights: new Float64Array(longest + 1),
    };
    const exact: number[] = [];
    for (let batch = 8; ; batch *= 2) {
      const round = topClasses(bound, batch).filter((c) => (bound[c] as number) > 0);
      if (round.length === 0) break;
      for (const c of round) {
        bound[c] = 0;
        for (const parts of calls) {
          const { score, example, language } = exactScore(parts, c, exclude, scratch);
          if (score > (best[c] as number)) {
            best[c] = score;
            bestExample[c] = example;
            bestLanguage[c] = language ?? "ru";
          }
        }
        exact.push(best[c] as number);
      }
      exact.sort((a, b) => b - a);
      const sixth = exact[5];
      if (
        sixth !== undefined &&
        Math.max(...topClasses(bound, 1).map((c) => bound[c] as number)) < sixth
      ) {
        break;
      }
    }
    return rankedOf(best, bestExample, bestLanguage, analysis.language);
  };

  return {
    analyzer,
    calibration,
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
        if (example < 0) return { intent, score, example: "", sharedWords: [] };
        const text = exampleText(language, example);
        const stems = wordFeatures(analyzer.exampleWords(text, language));
        return {
          intent,
          score,
          example: text,
          sharedWords: tokens.filter((t) => stems.has(t.stem)).map((t) => t.corrected),
        };
      });
    },
  };
}

// The `count` best classes, best first; of equal scores the lower number
// first (what a stable sort of every class would give, without the sort).
function topClasses(scores: Float64Array, count: number): number[] {
  const top: number[] = [];
  for (let c = 0; c < scores.length; c++) {
    const score = scores[c] as number;
    if (top.length === count && score <= (scores[top[count - 1] as number] as number)) continue;
    let at = top.length;
    while (at > 0 && (scores[top[at - 1] as number] as number) < score) at--;
    top.splice(at, 0, c);
    if (top.length > count) top.pop();
  }
  return top;
}
