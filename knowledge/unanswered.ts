// Groups the questions the bot did not answer well into clusters of similar
// questions, for content staff: which examples to add, which intent to create.
import type { AnalyzedToken } from "./analyzer.ts";
import { charFeatures, wordFeatures } from "./features.ts";
import type { Matcher } from "./matcher.ts";
import type { KnowledgeBase, Language } from "./model.ts";

/** Why a question counts as unanswered: escalated, clarified, or answered and rated 👎. */
export type UnansweredReason = "escalated" | "clarified" | "unhelpful";

export const UNANSWERED_REASONS: readonly UnansweredReason[] = [
  "escalated",
  "clarified",
  "unhelpful",
];

/** One unanswered question: the stored (masked) text, why, and when that happened (ms). */
export interface UnansweredQuestion {
  text: string;
  reason: UnansweredReason;
  at: number;
}

/** A distinct way the question was put, with how many times it was, and those questions. */
export interface ClusterExample<Q extends UnansweredQuestion = UnansweredQuestion> {
  text: string;
  count: number;
  questions: Q[];
}

/** The intent a cluster comes closest to. */
export interface NearestIntent {
  intent: string;
  /** The intent's mean score over the cluster's questions (0 where it is no candidate), 0..1. */
  meanScore: number;
  /** Share of the cluster's questions whose best candidate it is. */
  share: number;
}

export interface UnansweredCluster<Q extends UnansweredQuestion = UnansweredQuestion> {
  count: number;
  reasons: Record<UnansweredReason, number>;
  /** Distinct wordings (by word stems), the most central first. */
  examples: ClusterExample<Q>[];
  /** Undefined when no intent comes close: perhaps a new topic. */
  nearest: NearestIntent | undefined;
  firstSeen: number;
  lastSeen: number;
  /** Messages with no content words at all (emoji, punctuation, stop words only). */
  noWords: boolean;
}

export interface ClusterOptions {
  /**
   * Similarity to a cluster's centroid (0..1) a question needs to join it.
   * Defaults to 0.45. Typo, layout and word-form variants of a question have
   * the same stems and are one point; rewordings of one question score about
   * 0.45–0.6 ("как восстановить пароль" and "не помню пароль" 0.55, "телефон
   * горячей линии" and "как позвонить на горячую линию" 0.5); questions with
   * no content word in common score under 0.1, but one shared key word can
   * reach the threshold ("как восстановить пароль" and "как восстановить
   * доступ к почте" 0.52): read the examples. Clustering the knowledge base's own
   * examples, 0.45 puts 95% of them with their own intent's (0.35: 91%,
   * 0.55: 97% but with more, smaller clusters).
   */
  threshold?: number;
  /** Examples kept per cluster. Defaults to 5. */
  examples?: number;
  /**
   * Below this mean score the nearest intent is reported as none. Defaults
   * to 0.2: unanswered questions on a topic the knowledge base covers score
   * 0.23–0.5 with its intent; unrelated ones ("погода в москве") 0.05–0.16.
   */
  nearestMinScore?: number;
}

/** Weight of the stem part of a question's vector against the character n-gram part. */
const WORD_WEIGHT = 0.5;

type Vector = Map<string, number>;

/** Questions with the same content-word stems: clustered as one point. */
interface Wording {
  stems: string;
  tokens: AnalyzedToken[];
  questions: UnansweredQuestion[];
  /** Each stored text with its count. */
  texts: Map<string, number>;
  /** The text that stands for the wording in examples. */
  display: string;
  vector: Vector;
}

/** Sorts strings by code unit, the same everywhere (localeCompare depends on ICU). */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function groupWordings(questions: readonly UnansweredQuestion[], matcher: Matcher) {
  const analyses = new Map<string, { tokens: AnalyzedToken[]; repaired: boolean }>();
  const wordings = new Map<string, Wording>();
  const noWords: UnansweredQuestion[] = [];
  for (const question of questions) {
    let analysis = analyses.get(question.text);
    if (!analysis) {
      const { tokens, layout } = matcher.analyzer.analyze(question.text);
      analysis = {
        tokens,
        repaired: layout !== "none" || tokens.some((t) => t.corrected !== t.word),
      };
      analyses.set(question.text, analysis);
    }
    if (analysis.tokens.length === 0) {
      noWords.push(question);
      continue;
    }
    const stems = [...new Set(analysis.tokens.map((t) => t.stem))].sort(byCodeUnit).join(" ");
    let wording = wordings.get(stems);
    if (!wording) {
      wording = {
        stems,
        tokens: [],
        questions: [],
        texts: new Map(),
        display: "",
        vector: new Map(),
      };
      wordings.set(stems, wording);
    }
    wording.questions.push(question);
    wording.texts.set(question.text, (wording.texts.get(question.text) ?? 0) + 1);
  }
  // A wording is shown, and its n-grams taken, as its most common text, one
  // typed without a typo or a layout slip on a tie, whatever the input order.
  for (const wording of wordings.values()) {
    const repaired = (text: string) => (analyses.get(text)?.repaired ? 1 : 0);
    const [display = ""] = [...wording.texts]
      .sort((a, b) => b[1] - a[1] || repaired(a[0]) - repaired(b[0]) || byCodeUnit(a[0], b[0]))
      .map(([text]) => text);
    wording.display = display;
    wording.tokens = analyses.get(display)?.tokens ?? [];
  }
  return { wordings: [...wordings.values()], noWords };
}

/** How much a feature tells: log(1 + classes / classes that have it), as the matcher weighs it. */
type Idf = (feature: string) => number;

const idfCache = new WeakMap<KnowledgeBase, Idf>();

// The weights come from the knowledge base, not from the questions: a word
// every intent uses ("как", "госуслуги") tells little, one no intent uses
// (a new topic's word) the most, and two questions are as similar in a
// report of ten as in one of ten thousand. Classes are the intents and the
// out-of-scope examples.
function knowledgeIdf(kb: KnowledgeBase, matcher: Matcher): Idf {
  const cached = idfCache.get(kb);
  if (cached) return cached;
  const classes: Readonly<Record<Language, readonly string[]>>[] = [
    ...kb.intents.map((intent) => intent.examples),
    kb.outOfScope,
  ];
  const df = new Map<string, number>();
  for (const examples of classes) {
    const features = new Set<string>();
    for (const language of ["ru", "en"] as const) {
      for (const text of examples[language]) {
        for (const f of featuresOf(matcher.analyzer.exampleWords(text, language))) {
          features.add(f);
        }
      }
    }
    for (const f of features) df.set(f, (df.get(f) ?? 0) + 1);
  }
  const unseen = Math.log(1 + classes.length / 0.5);
  const idf: Idf = (f) => {
    const n = df.get(f);
    return n === undefined ? unseen : Math.log(1 + classes.length / n);
  };
  idfCache.set(kb, idf);
  return idf;
}

function featuresOf(tokens: readonly AnalyzedToken[]): string[] {
  return [
    ...[...wordFeatures(tokens)].map((f) => `w ${f}`),
    ...[...charFeatures(tokens)].map((f) => `c ${f}`),
  ];
}

// A unit vector of stems and character 3-4-grams, each part weighted by idf
// and normalised, so that a dot product is
// WORD_WEIGHT·cos(stems) + (1 − WORD_WEIGHT)·cos(n-grams).
function vectorOf(tokens: readonly AnalyzedToken[], idf: Idf): Vector {
  const vector: Vector = new Map();
  const features = featuresOf(tokens);
  for (const [part, weight] of [
    ["w ", WORD_WEIGHT],
    ["c ", 1 - WORD_WEIGHT],
  ] as const) {
    const own = features.filter((f) => f.startsWith(part));
    const norm = Math.sqrt(own.reduce((sum, f) => sum + idf(f) ** 2, 0)) || 1;
    for (const f of own) vector.set(f, (Math.sqrt(weight) * idf(f)) / norm);
  }
  return vector;
}

interface Centroid {
  /** Sum of the members' vectors, each times its question count. */
  sum: Vector;
  norm: number;
  members: Wording[];
}

/** The clusters that have a feature, and the feature's weight in each one's sum. */
interface Posting {
  clusters: number[];
  sums: number[];
}

/**
 * Greedy centroid clustering: wordings in order of how often they were asked
 * (then by stems, for a deterministic result) each join the cluster whose
 * centroid they are most similar to, when that reaches `threshold`, else
 * start one. An inverted index from feature to the clusters that have it keeps
 * this near linear.
 */
function clusterWordings(wordings: Wording[], threshold: number): Centroid[] {
  const order = [...wordings].sort(
    (a, b) => b.questions.length - a.questions.length || byCodeUnit(a.stems, b.stems),
  );
  const centroids: Centroid[] = [];
  const norms: number[] = [];
  // Where each cluster's features sit in the postings.
  const slots: Map<string, number>[] = [];
  const postings = new Map<string, Posting>();
  const dots = new Float64Array(wordings.length);
  const touched: number[] = [];
  for (const wording of order) {
    for (const [feature, weight] of wording.vector) {
      const posting = postings.get(feature);
      if (!posting) continue;
      const { clusters, sums } = posting;
      for (let i = 0; i < clusters.length; i++) {
        const c = clusters[i] as number;
        if (dots[c] === 0) touched.push(c);
        dots[c] = (dots[c] as number) + weight * (sums[i] as number);
      }
    }
    let best = -1;
    let bestScore = threshold;
    for (const c of touched) {
      const score = (dots[c] as number) / (norms[c] as number);
      if (score > bestScore || (score === bestScore && c < best)) {
        best = c;
        bestScore = score;
      }
    }
    const dot = best >= 0 ? (dots[best] as number) : 0;
    for (const c of touched) dots[c] = 0;
    touched.length = 0;

    const m = wording.questions.length;
    if (best < 0) {
      best = centroids.length;
      centroids.push({ sum: new Map(), norm: 0, members: [] });
      norms.push(0);
      slots.push(new Map());
    }
    const own = slots[best] as Map<string, number>;
    for (const [feature, weight] of wording.vector) {
      let posting = postings.get(feature);
      if (!posting) {
        posting = { clusters: [], sums: [] };
        postings.set(feature, posting);
      }
      let slot = own.get(feature);
      if (slot === undefined) {
        slot = posting.clusters.length;
        posting.clusters.push(best);
        posting.sums.push(0);
        own.set(feature, slot);
      }
      posting.sums[slot] = (posting.sums[slot] as number) + m * weight;
    }
    // |s + m·x|² = |s|² + 2m(s·x) + m² for a unit x.
    norms[best] = Math.sqrt((norms[best] as number) ** 2 + 2 * m * dot + m * m);
    (centroids[best] as Centroid).members.push(wording);
  }
  centroids.forEach((centroid, c) => {
    centroid.norm = norms[c] as number;
    for (const [feature, slot] of slots[c] as Map<string, number>) {
      centroid.sum.set(feature, postings.get(feature)?.sums[slot] ?? 0);
    }
  });
  return centroids;
}

function similarity(vector: Vector, centroid: Centroid): number {
  let dot = 0;
  for (const [feature, weight] of vector) dot += weight * (centroid.sum.get(feature) ?? 0);
  return centroid.norm === 0 ? 0 : dot / centroid.norm;
}

function nearestIntent(
  texts: ReadonlyMap<string, number>,
  matcher: Matcher,
  minScore: number,
): NearestIntent | undefined {
  const top = new Map<string, number>();
  const scoreSum = new Map<string, number>();
  let total = 0;
  // In a fixed order, so that the sums do not depend on the input's.
  for (const [text, count] of [...texts].sort((a, b) => byCodeUnit(a[0], b[0]))) {
    const { candidates } = matcher.match(text);
    total += count;
    const first = candidates[0];
    if (first) top.set(first.intent, (top.get(first.intent) ?? 0) + count);
    for (const c of candidates)
      scoreSum.set(c.intent, (scoreSum.get(c.intent) ?? 0) + c.score * count);
  }
  const [best] = [...top].sort(
    (a, b) =>
      b[1] - a[1] ||
      (scoreSum.get(b[0]) ?? 0) - (scoreSum.get(a[0]) ?? 0) ||
      byCodeUnit(a[0], b[0]),
  );
  if (!best || total === 0) return undefined;
  const meanScore = (scoreSum.get(best[0]) ?? 0) / total;
  if (meanScore < minScore) return undefined;
  return { intent: best[0], meanScore, share: best[1] / total };
}

function summarize(
  questions: readonly UnansweredQuestion[],
): Pick<UnansweredCluster, "count" | "reasons" | "firstSeen" | "lastSeen"> {
  const reasons: Record<UnansweredReason, number> = { escalated: 0, clarified: 0, unhelpful: 0 };
  let firstSeen = Number.POSITIVE_INFINITY;
  let lastSeen = Number.NEGATIVE_INFINITY;
  for (const q of questions) {
    reasons[q.reason]++;
    firstSeen = Math.min(firstSeen, q.at);
    lastSeen = Math.max(lastSeen, q.at);
  }
  return { count: questions.length, reasons, firstSeen, lastSeen };
}

/**
 * Groups unanswered questions into clusters of similar ones, most asked
 * first. Questions are compared by the matcher's analysis (typos, keyboard
 * layout and word forms repaired): cosine similarity of the stems and
 * character 3-4-grams of their content words, weighted by how few of the
 * knowledge base's intents use them. Greedy: the most asked wordings first,
 * each joins the most similar cluster centroid when that reaches
 * `threshold`, else starts a cluster. Each cluster has its count, reasons,
 * up to `examples` distinct wordings (most central first), the nearest
 * intent by the matcher (the most common best candidate and its mean score)
 * and when it was first and last seen. Messages with no content words form
 * one cluster of their own (`noWords`). The result depends only on the
 * questions as a multiset, not their order.
 *
 * @example
 * clusterUnanswered(
 *   [{ text: "телефон горячей линии", reason: "escalated", at: 0 }, …],
 *   { kb, matcher: createMatcher(kb) },
 * )[0] // { count: 12, nearest: { intent: "contacts.hotline", … }, … }
 */
export function clusterUnanswered<Q extends UnansweredQuestion>(
  questions: readonly Q[],
  knowledge: { kb: KnowledgeBase; matcher: Matcher },
  options: ClusterOptions = {},
): UnansweredCluster<Q>[] {
  const { kb, matcher } = knowledge;
  const { threshold = 0.45, examples = 5, nearestMinScore = 0.2 } = options;
  const { wordings, noWords } = groupWordings(questions, matcher);
  const idf = knowledgeIdf(kb, matcher);
  for (const wording of wordings) wording.vector = vectorOf(wording.tokens, idf);
  const clusters: UnansweredCluster<Q>[] = clusterWordings(wordings, threshold).map((centroid) => {
    const central = centroid.members
      .map((wording) => ({ wording, score: similarity(wording.vector, centroid) }))
      .sort(
        (a, b) =>
          b.score - a.score ||
          b.wording.questions.length - a.wording.questions.length ||
          byCodeUnit(a.wording.stems, b.wording.stems),
      );
    const texts = new Map<string, number>();
    for (const { texts: own } of centroid.members) {
      for (const [text, count] of own) texts.set(text, (texts.get(text) ?? 0) + count);
    }
    return {
      ...summarize(centroid.members.flatMap((w) => w.questions)),
      examples: central.slice(0, examples).map(({ wording }) => ({
        text: wording.display,
        count: wording.questions.length,
        // Oldest first, so that the result does not depend on the input's order.
        questions: [...(wording.questions as Q[])].sort(
          (a, b) => a.at - b.at || byCodeUnit(a.text, b.text),
        ),
      })),
      nearest: nearestIntent(texts, matcher, nearestMinScore),
      noWords: false,
    };
  });
  if (noWords.length > 0) {
    const texts = new Map<string, Q[]>();
    for (const q of noWords as Q[]) {
      const asked = texts.get(q.text);
      if (asked) asked.push(q);
      else texts.set(q.text, [q]);
    }
    clusters.push({
      ...summarize(noWords),
      examples: [...texts]
        .sort((a, b) => b[1].length - a[1].length || byCodeUnit(a[0], b[0]))
        .slice(0, examples)
        .map(([text, asked]) => ({
          text,
          count: asked.length,
          questions: asked.sort((a, b) => a.at - b.at),
        })),
      nearest: undefined,
      noWords: true,
    });
  }
  return clusters.sort(
    (a, b) =>
      b.count - a.count ||
      a.firstSeen - b.firstSeen ||
      byCodeUnit(a.examples[0]?.text ?? "", b.examples[0]?.text ?? ""),
  );
}
