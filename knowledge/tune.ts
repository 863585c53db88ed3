import { type Calibration, decide, type MatchSignals, signalFeatures } from "./decide.ts";
import type { LabelledQuestion } from "./evaluate.ts";
import type { MatchResult } from "./matcher.ts";

/** How thresholds are chosen. */
export interface TuningTargets {
  /**
   * What a confident wrong answer (a wrong intent, or an answer to an
   * out-of-scope question) costs, against 1 gained for a right answer and 0
   * for handing the question over. Defaults to 3.
   */
  wrongAnswerCost?: number;
  /** What a clarification that offers the right intent gains. Defaults to 0.3. */
  helpfulClarifyGain?: number;
  /**
   * What a clarification costs that cannot help (out of scope, or without
   * the right intent): the citizen reads choices instead of reaching a person.
   * Defaults to 0.5.
   */
  uselessClarifyCost?: number;
}

export interface TunedCalibration {
  calibration: Calibration;
  accuracy: number;
  wrongRate: number;
  outOfScopeEscalation: number;
}

/** The signals of a match result. */
export function signalsOf(result: MatchResult): MatchSignals {
  return {
    tokenCount: result.analysis.tokens.length,
    unknownShare: result.unknownShare,
    candidates: result.candidates,
    outOfScopeScore: result.outOfScopeScore,
  };
}

/**
 * Fits logistic-regression weights (batch gradient descent with a little L2)
 * predicting whether the best candidate is the right intent.
 */
export function fitConfidenceWeights(
  samples: readonly { features: readonly number[]; correct: boolean }[],
  { epochs = 3000, rate = 0.5, l2 = 0.001 } = {},
): number[] {
  const size = samples[0]?.features.length ?? 0;
  const weights: number[] = new Array(size).fill(0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradient: number[] = new Array(size).fill(0);
    for (const { features, correct } of samples) {
      let z = 0;
      for (let i = 0; i < size; i++) z += (features[i] ?? 0) * (weights[i] ?? 0);
      const error = 1 / (1 + Math.exp(-z)) - (correct ? 1 : 0);
      for (let i = 0; i < size; i++) gradient[i] = (gradient[i] ?? 0) + error * (features[i] ?? 0);
    }
    for (let i = 0; i < size; i++) {
      weights[i] =
        (weights[i] ?? 0) - rate * ((gradient[i] ?? 0) / samples.length + l2 * (weights[i] ?? 0));
    }
  }
  return weights;
}

const range = (from: number, to: number, step: number) =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);

/**
 * Fits the confidence model on labelled matches, then picks the thresholds
 * with the best utility: +1 for a right answer, minus `wrongAnswerCost` for
 * a confident wrong one (a wrong intent or an answered out-of-scope
 * question), a little for a clarification that offers the right intent,
 * a little less for one that cannot help, nothing for an escalation.
 */
export function tuneCalibration(
  matches: readonly { question: LabelledQuestion; result: MatchResult }[],
  targets: TuningTargets = {},
): TunedCalibration {
  const { wrongAnswerCost = 3, helpfulClarifyGain = 0.3, uselessClarifyCost = 0.5 } = targets;
  const samples = matches.map(({ question, result }) => ({
    signals: signalsOf(result),
    features: signalFeatures(signalsOf(result)),
    correct: question.intent !== null && result.candidates[0]?.intent === question.intent,
    question,
  }));
  const weights = fitConfidenceWeights(samples);
  const inScope = samples.filter((s) => s.question.intent !== null).length || 1;
  const outOfScope = samples.length - inScope || 1;

  let best: TunedCalibration | undefined;
  let bestUtility = Number.NEGATIVE_INFINITY;
  for (const answerAt of range(0.3, 0.95, 0.01)) {
    for (const clarifyAt of range(0.1, answerAt, 0.05).filter((c) => c <= answerAt)) {
      for (const [margin, clarifyFloor] of range(0, 0.1, 0.02).flatMap((m) =>
        range(0, 0.15, 0.025).map((f) => [m, f] as const),
      )) {
        const calibration = { weights, answerAt, clarifyAt, margin, clarifyFloor };
        let right = 0;
        let wrong = 0;
        let escalated = 0;
        let answeredOutOfScope = 0;
        let helpful = 0;
        let useless = 0;
        for (const sample of samples) {
          const decision = decide(sample.signals, calibration);
          const intent = sample.question.intent;
          if (decision.kind === "answer") {
            if (intent === null) answeredOutOfScope++;
            else if (decision.intent === intent) right++;
            else wrong++;
          } else if (decision.kind === "escalate") {
            if (intent === null) escalated++;
          } else if (intent !== null && decision.intents.includes(intent)) {
            helpful++;
          } else {
            useless++;
          }
        }
        const utility =
          right -
          wrongAnswerCost * (wrong + answeredOutOfScope) +
          helpfulClarifyGain * helpful -
          uselessClarifyCost * useless;
        if (utility > bestUtility + 1e-9) {
          bestUtility = utility;
          best = {
            calibration,
            accuracy: right / inScope,
            wrongRate: wrong / inScope,
            outOfScopeEscalation: escalated / outOfScope,
          };
        }
      }
    }
  }
  if (!best) throw new Error("tuneCalibration needs at least one labelled match");
  return best;
}
