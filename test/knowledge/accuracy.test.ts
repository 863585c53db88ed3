import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createMatcher,
  type EvaluationReport,
  evaluate,
  type LabelledQuestion,
  REQUIRED_INTENTS,
  readLabelled,
} from "../../knowledge/index.ts";
import { normalizeText, splitWords } from "../../knowledge/normalize.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const canonical = (text: string) => splitWords(normalizeText(text)).join(" ");

let testSet: LabelledQuestion[];
let report: EvaluationReport;
beforeAll(() => {
  testSet = readLabelled(fixture("eval-test.jsonl"));
  report = evaluate(createMatcher(realKnowledgeBase()), testSet);
});

describe("the held-out test set", () => {
  it("is large and covers every intent and out-of-scope questions", () => {
    expect(testSet.length).toBeGreaterThanOrEqual(400);
    for (const id of REQUIRED_INTENTS) {
      expect(testSet.filter((q) => q.intent === id).length, id).toBeGreaterThanOrEqual(5);
    }
    expect(testSet.filter((q) => q.intent === null).length).toBeGreaterThanOrEqual(80);
  });

  it("shares no question with the training examples or the development set", () => {
    const kb = realKnowledgeBase();
    const training = new Set(
      [
        ...kb.intents.flatMap((i) => [...i.examples.ru, ...i.examples.en]),
        ...kb.outOfScope.ru,
        ...kb.outOfScope.en,
      ].map(canonical),
    );
    const dev = new Set(readLabelled(fixture("eval-dev.jsonl")).map((q) => canonical(q.text)));
    const copied = testSet.filter(
      (q) => training.has(canonical(q.text)) || dev.has(canonical(q.text)),
    );
    expect(copied.map((q) => q.text)).toEqual([]);
  });
});

describe("accuracy targets on the held-out test set", () => {
  it("answers at least 92% of in-scope questions with the right intent", () => {
    expect(report.accuracy).toBeGreaterThanOrEqual(0.92);
  });

  it("answers at most 2% of in-scope questions with a wrong intent", () => {
    expect(report.wrongAnswerRate).toBeLessThanOrEqual(0.02);
  });

  it("escalates at least 92% of out-of-scope questions", () => {
    expect(report.outOfScopeEscalation).toBeGreaterThanOrEqual(0.92);
  });
});
