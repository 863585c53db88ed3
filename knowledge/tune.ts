import { type Calibration, decide, type MatchSignals, signalFeatures } from "./decide.ts";
import type { LabelledQuestion } from "./evaluate.ts";
import type { MatchResult } from "./matcher.ts";

/** Targets a calibration must meet on the development set. */
export interface TuningTargets {
  /** Most in-scope questions answered with a wrong intent. Defaults to 0.015. */
  maxWrongRate?: number;
  /** Least share of out-of-scope questions escalated. Defaults to 0.94. */
  minOutOfScopeEscalation?: number;
}

export interface TunedCalibration {
  calibration: Calibration;
  accuracy: number;
  wrongRate: number;
  outOfScopeEscalation: number;
  /** Whether the targets were met; when not, the setting closest to them. */
  meetsTargets: boolean;
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
 * Fits the confidence model on labelled matches, then picks the answer and
 * clarify thresholds with the best in-scope accuracy that meets the targets
 * (ties: more out-of-scope escalated, then more clarifications that offer
 * the right intent).
 */
export function tuneCalibration(
  matches: readonly { question: LabelledQuestion; result: MatchResult }[],
  targets: TuningTargets = {},
): TunedCalibration {
  const { maxWrongRate = 0.015, minOutOfScopeEscalation = 0.94 } = targets;
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
  let bestKey: number[] = [];
  for (const answerAt of range(0.3, 0.95, 0.01)) {
    for (const clarifyAt of range(0.1, answerAt, 0.05).filter((c) => c <= answerAt)) {
      const calibration = { weights, answerAt, clarifyAt };
      let right = 0;
      let wrong = 0;
      let escalated = 0;
      let helpfulClarifications = 0;
      for (const sample of samples) {
        const decision = decide(sample.signals, calibration);
        const intent = sample.question.intent;
        if (decision.kind === "answer" && intent !== null) {
          if (decision.intent === intent) right++;
          else wrong++;
        }
        if (decision.kind === "escalate" && intent === null) escalated++;
        if (decision.kind === "clarify" && intent !== null && decision.intents.includes(intent)) {
          helpfulClarifications++;
        }
      }
      const accuracy = right / inScope;
      const wrongRate = wrong / inScope;
      const outOfScopeEscalation = escalated / outOfScope;
      const meetsTargets =
        wrongRate <= maxWrongRate && outOfScopeEscalation >= minOutOfScopeEscalation;
      const key = meetsTargets
        ? [1, accuracy, outOfScopeEscalation, helpfulClarifications]
        : [
            0,
            -Math.max(0, wrongRate - maxWrongRate) -
              Math.max(0, minOutOfScopeEscalation - outOfScopeEscalation),
            accuracy,
          ];
      if (!best || compare(key, bestKey) > 0) {
        best = { calibration, accuracy, wrongRate, outOfScopeEscalation, meetsTargets };
        bestKey = key;
      }
    }
  }
  if (!best) throw new Error("tuneCalibration needs at least one labelled match");
  return best;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (Math.abs(d) > 1e-12) return d;
  }
  return 0;
}
