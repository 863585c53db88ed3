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

/** What the decision is made from. */
export interface MatchSignals {
  /** Content words in the message. */
  tokenCount: number;
  /** Share of the message's words that no intent's examples have. */
  unknownShare: number;
  /** The best intents, best first. */
  candidates: readonly Candidate[];
  /** Similarity to the out-of-scope examples, 0..1. */
  outOfScopeScore: number;
}

/**
 * The signals as the numbers the confidence model weighs: a constant, the
 * best score, its lead over the runner-up and over the out-of-scope class,
 * the unknown share, the out-of-scope score, the message length (two ways)
 * and the best score discounted by unknown words.
 */
export function signalFeatures(signals: MatchSignals): number[] {
  const top = signals.candidates[0]?.score ?? 0;
  const second = signals.candidates[1]?.score ?? 0;
  const n = Math.max(1, signals.tokenCount);
  return [
    1,
    top,
    top - second,
    top - signals.outOfScopeScore,
    signals.unknownShare,
    signals.outOfScopeScore,
    1 / n,
    Math.min(n, 20) / 20,
    top * (1 - signals.unknownShare),
  ];
}

/** How the decision is made: a logistic confidence model and two thresholds on it. */
export interface Calibration {
  /** Weights of `signalFeatures`, fitted on the development set. */
  weights: number[];
  /** Answer when the confidence reaches this. */
  answerAt: number;
  /** Below `answerAt`, offer choices when the confidence reaches this; below it, escalate. */
  clarifyAt: number;
  /** Answer only when the best score leads the runner-up by this much; else offer both. */
  margin: number;
  /**
   * Offer choices only when the best candidate scores at least this: a
   * message that shares next to nothing with any intent ("how do I pickle
   * cucumbers") is escalated, not offered three unrelated choices. Defaults to 0.
   */
  clarifyFloor?: number;
}

/**
 * The probability that the best candidate is the right answer, from a
 * logistic model over the match signals.
 */
export function confidenceOf(signals: MatchSignals, calibration: Calibration): number {
  if (signals.tokenCount === 0 || signals.candidates.length === 0) return 0;
  const features = signalFeatures(signals);
  let z = 0;
  features.forEach((value, i) => {
    z += value * (calibration.weights[i] ?? 0);
  });
  return 1 / (1 + Math.exp(-z));
}

// Candidates offered in a clarification score within this much of the best.
const CLARIFY_SPREAD = 0.15;

/**
 * Turns the signals of a match into answer, clarify or escalate. Pure, so the
 * tuner can replay many calibrations over one set of matches.
 */
export function decide(signals: MatchSignals, calibration: Calibration): MatchDecision {
  const top = signals.candidates[0];
  if (signals.tokenCount === 0 || !top) return { kind: "escalate", reason: "empty" };
  const confidence = confidenceOf(signals, calibration);
  const lead = top.score - (signals.candidates[1]?.score ?? 0);
  if (confidence >= calibration.answerAt && lead >= calibration.margin) {
    return { kind: "answer", intent: top.intent };
  }
  if (
    confidence >= calibration.clarifyAt &&
    top.score > signals.outOfScopeScore &&
    top.score >= (calibration.clarifyFloor ?? 0)
  ) {
    const intents = signals.candidates
      .filter((c) => c.score >= top.score - CLARIFY_SPREAD && c.score > signals.outOfScopeScore)
      .slice(0, 3)
      .map((c) => c.intent);
    return { kind: "clarify", intents };
  }
  return { kind: "escalate", reason: "no_match" };
}
