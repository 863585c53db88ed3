import { describe, expect, it } from "vitest";
import {
  type Calibration,
  confidenceOf,
  decide,
  type MatchSignals,
} from "../../knowledge/index.ts";

// A calibration that reads only the best score (weight 10, offset -5): the
// confidence is 0.5 at a score of 0.5.
const calibration: Calibration = {
  weights: [-5, 10, 0, 0, 0, 0, 0, 0, 0],
  answerAt: 0.8,
  clarifyAt: 0.4,
  margin: 0.05,
};
const signals = (scores: number[], outOfScopeScore = 0): MatchSignals => ({
  tokenCount: 3,
  unknownShare: 0,
  outOfScopeScore,
  candidates: scores.map((score, i) => ({ intent: `intent.n${i}`, score })),
});

describe("the decision", () => {
  it("answers above the answer threshold", () => {
    expect(decide(signals([0.7, 0.2]), calibration)).toEqual({
      kind: "answer",
      intent: "intent.n0",
    });
  });

  it("clarifies between the thresholds with the close candidates only, at most three", () => {
    const decision = decide(signals([0.5, 0.45, 0.4, 0.38, 0.1]), calibration);
    expect(decision).toEqual({ kind: "clarify", intents: ["intent.n0", "intent.n1", "intent.n2"] });
    expect(decide(signals([0.5, 0.2]), calibration)).toEqual({
      kind: "clarify",
      intents: ["intent.n0"],
    });
  });

  it("escalates below the clarify threshold, when out of scope wins, and when there are no words", () => {
    expect(decide(signals([0.3, 0.1]), calibration)).toEqual({
      kind: "escalate",
      reason: "no_match",
    });
    expect(decide(signals([0.5, 0.1], 0.6), calibration)).toEqual({
      kind: "escalate",
      reason: "no_match",
    });
    expect(decide({ ...signals([]), tokenCount: 0 }, calibration)).toEqual({
      kind: "escalate",
      reason: "empty",
    });
  });

  it("escalates instead of offering choices when the best candidate scores under the floor", () => {
    // A confidence that reads the lead over the out-of-scope class alone:
    // a message sharing next to nothing with anything is still confident.
    const leadOnly = { ...calibration, weights: [0, 0, 0, 10, 0, 0, 0, 0, 0], clarifyFloor: 0.1 };
    expect(decide(signals([0.09, 0.05]), leadOnly)).toEqual({
      kind: "escalate",
      reason: "no_match",
    });
    expect(decide(signals([0.12, 0.05]), leadOnly)).toEqual({
      kind: "clarify",
      intents: ["intent.n0", "intent.n1"],
    });
  });

  it("never offers a candidate the out-of-scope class beats", () => {
    const decision = decide(signals([0.5, 0.46, 0.44], 0.45), calibration);
    expect(decision).toEqual({ kind: "clarify", intents: ["intent.n0", "intent.n1"] });
  });

  it("has a confidence that grows with the score and stays in 0..1", () => {
    const low = confidenceOf(signals([0.2]), calibration);
    const high = confidenceOf(signals([0.9]), calibration);
    expect(low).toBeGreaterThan(0);
    expect(high).toBeLessThan(1);
    expect(high).toBeGreaterThan(low);
    expect(confidenceOf({ ...signals([0.9]), tokenCount: 0 }, calibration)).toBe(0);
  });
});

describe("the margin", () => {
  it("offers both when the best two are closer than the margin, however confident", () => {
    expect(decide(signals([0.9, 0.88]), calibration)).toEqual({
      kind: "clarify",
      intents: ["intent.n0", "intent.n1"],
    });
    expect(decide(signals([0.9, 0.84]), calibration)).toEqual({
      kind: "answer",
      intent: "intent.n0",
    });
  });
});
