import {
  type Analysis,
  type AnalyzedToken,
  type Analyzer,
  buildVocabulary,
  createAnalyzer,
  wordsOf,
} from "./analyzer.ts";
import { charFeatures, wordFeatures } from "./features.ts";
import type { KnowledgeBase, Language } from "./model.ts";
import { createSynonymMap } from "./synonyms.ts";

/** An intent the message may be about, with its score in 0..1. */
export interface Candidate {
  intent: string;
  score: number;
}

/**
 * What to do with a message:
 * - answer: one intent fits confidently;
 * - clarify: two or three intents are close, offer them as choices;
 * - escalate: nothing fits (out of scope, gibberish, empty): hand over to a person.
 */
export type MatchDecision =
  | { kind: "answer"; intent: string }
  | { kind: "clarify"; intents: string[] }
  | { kind: "escalate"; reason: "empty" | "no_match" };

export interface MatchResult {
  decision: MatchDecision;
  /** How sure the matcher is of its best candidate, 0..1. */
  confidence: number;
  /** The best intents, best first (at most five). */
  candidates: Candidate[];
  analysis: Analysis;
  /** Share of the message's words that the knowledge base does not know. */
  unknownShare: number;
}

export interface Explanation {
  intent: string;
  score: number;
  example: string;
  sharedWords: string[];
}

export interface Matcher {
  match(text: string): MatchResult;
  /** For each candidate: the example that scored best and the words they share. */
  explain(result: MatchResult): Explanation[];
  /** Analyzes an example like a training example (for content lint). */
  analyzer: Analyzer;
}

/** Decision thresholds; fitted on the development set (`npm run kb -- tune`). */
export interface MatcherOptions {
  /** Weight of word stems against character n-grams in the score. Defaults to 0.5. */
  wordWeight?: number;
  /** Answer when the best score reaches this. Defaults to 0.5. */
  answerAt?: number;
  /** Clarify when the best score reaches this (below: escalate). Defaults to 0.3. */
  clarifyAt?: number;
  /** Answer only when the best leads the second by this much. Defaults to 0.06. */
  margin?: number;
  /** Escalate when more than this share of the words is unknown. Defaults to 0.5. */
  maxUnknownShare?: number;
}

interface ExampleEntry {
  intent: number;
  text: string;
  stems: ReadonlySet<string>;
}

interface FeatureIndex {
  idf: Map<string, number>;
  /** The weight given to a feature the index has never seen. */
  unseenIdf: number;
  postings: Map<string, { example: number; weight: number }[]>;
}

interface LanguageIndex {
  examples: ExampleEntry[];
  words: FeatureIndex;
  chars: FeatureIndex;
  wordScores: Float64Array;
  charScores: Float64Array;
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
  const postings = new Map<string, { example: number; weight: number }[]>();
  features.forEach((set, example) => {
    let norm = 0;
    for (const feature of set) norm += (idf.get(feature) ?? 0) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (const feature of set) {
      const weight = (idf.get(feature) ?? 0) / norm;
      const list = postings.get(feature) ?? [];
      list.push({ example, weight });
      postings.set(feature, list);
    }
  });
  return { idf, unseenIdf: Math.log(1 + intentCount / 0.5), postings };
}

// Accumulates cosine similarities of the query's features into `scores`.
function scoreInto(index: FeatureIndex, query: ReadonlySet<string>, scores: Float64Array): void {
  scores.fill(0);
  let norm = 0;
  for (const feature of query) norm += (index.idf.get(feature) ?? index.unseenIdf) ** 2;
  norm = Math.sqrt(norm);
  if (norm === 0) return;
  for (const feature of query) {
    const postings = index.postings.get(feature);
    if (!postings) continue;
    const weight = (index.idf.get(feature) ?? 0) / norm;
    for (const { example, weight: exampleWeight } of postings) {
      scores[example] = (scores[example] ?? 0) + weight * exampleWeight;
    }
  }
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
  const {
    wordWeight = 0.5,
    answerAt = 0.5,
    clarifyAt = 0.3,
    margin = 0.06,
    maxUnknownShare = 0.5,
  } = options;
  const synonyms = createSynonymMap(kb.synonyms);
  const languages: Language[] = ["ru", "en"];

  const vocabularies = {
    ru: buildVocabulary(kb.intents.flatMap((i) => i.examples.ru.map((e) => wordsOf(e, synonyms)))),
    en: buildVocabulary(kb.intents.flatMap((i) => i.examples.en.map((e) => wordsOf(e, synonyms)))),
  };
  const analyzer = createAnalyzer(synonyms, vocabularies);

  const indexes = {} as Record<Language, LanguageIndex>;
  for (const language of languages) {
    const examples: ExampleEntry[] = [];
    const wordSets: Set<string>[] = [];
    const charSets: Set<string>[] = [];
    kb.intents.forEach((intent, intentIndex) => {
      for (const text of intent.examples[language]) {
        const tokens = analyzer.exampleWords(text, language);
        const stems = wordFeatures(tokens);
        examples.push({ intent: intentIndex, text, stems });
        wordSets.push(stems);
        charSets.push(charFeatures(tokens));
      }
    });
    const intentOf = examples.map((e) => e.intent);
    indexes[language] = {
      examples,
      words: buildFeatureIndex(wordSets, intentOf, kb.intents.length),
      chars: buildFeatureIndex(charSets, intentOf, kb.intents.length),
      wordScores: new Float64Array(examples.length),
      charScores: new Float64Array(examples.length),
    };
  }

  const rank = (tokens: readonly AnalyzedToken[], language: Language) => {
    const index = indexes[language];
    scoreInto(index.words, wordFeatures(tokens), index.wordScores);
    scoreInto(index.chars, charFeatures(tokens), index.charScores);
    const best = new Float64Array(kb.intents.length);
    const bestExample = new Int32Array(kb.intents.length).fill(-1);
    for (let e = 0; e < index.examples.length; e++) {
      const score =
        wordWeight * (index.wordScores[e] ?? 0) + (1 - wordWeight) * (index.charScores[e] ?? 0);
      const intent = (index.examples[e] as ExampleEntry).intent;
      if (score > (best[intent] ?? 0)) {
        best[intent] = score;
        bestExample[intent] = e;
      }
    }
    const order = [...best.keys()].sort((a, b) => (best[b] ?? 0) - (best[a] ?? 0)).slice(0, 5);
    return order.map((i) => ({
      intent: (kb.intents[i] as { id: string }).id,
      score: Math.min(1, best[i] ?? 0),
      example: bestExample[i] ?? -1,
    }));
  };

  return {
    analyzer,
    match(text) {
      const analysis = analyzer.analyze(text);
      const { tokens, language } = analysis;
      const unknownShare =
        tokens.length === 0 ? 1 : tokens.filter((t) => !t.known).length / tokens.length;
      const ranked = tokens.length === 0 ? [] : rank(tokens, language);
      const candidates = ranked
        .filter((c) => c.score > 0)
        .map(({ intent, score }) => ({ intent, score }));
      const top = candidates[0];
      const second = candidates[1];
      const confidence = top ? top.score : 0;
      const base = { confidence, candidates, analysis, unknownShare };
      if (tokens.length === 0 || !top) {
        return { ...base, decision: { kind: "escalate", reason: "empty" } };
      }
      if (unknownShare > maxUnknownShare || top.score < clarifyAt) {
        return { ...base, decision: { kind: "escalate", reason: "no_match" } };
      }
      const lead = top.score - (second?.score ?? 0);
      if (top.score >= answerAt && lead >= margin) {
        return { ...base, decision: { kind: "answer", intent: top.intent } };
      }
      const close = candidates
        .filter((c) => c.score >= clarifyAt && c.score >= top.score - 0.15)
        .slice(0, 3)
        .map((c) => c.intent);
      return { ...base, decision: { kind: "clarify", intents: close } };
    },
    explain(result) {
      const { tokens, language } = result.analysis;
      const index = indexes[language];
      return rank(tokens, language).map(({ intent, score, example }) => {
        const entry = index.examples[example];
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
