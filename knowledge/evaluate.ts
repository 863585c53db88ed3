import { readFileSync } from "node:fs";
import type { Matcher, MatchResult } from "./matcher.ts";

/** A labelled question: the intent it belongs to, or null when out of scope. */
export interface LabelledQuestion {
  text: string;
  intent: string | null;
  /** Optional slice name (clean, typo, layout, english, oos_near...). */
  kind?: string;
}

export interface SliceFigures {
  total: number;
  correct: number;
  wrong: number;
  clarified: number;
  escalated: number;
}

/** Accuracy figures of a matcher on a labelled set. */
export interface EvaluationReport {
  inScope: SliceFigures;
  outOfScope: SliceFigures;
  /** In-scope questions answered with the right intent. */
  accuracy: number;
  /** In-scope questions answered with an intent that is not theirs. */
  wrongAnswerRate: number;
  /** Out-of-scope questions answered with an intent (a confident wrong answer too). */
  outOfScopeAnswered: number;
  /** Share of all questions that got a clarification. */
  clarifyRate: number;
  /** Out-of-scope questions escalated (not answered, not clarified). */
  outOfScopeEscalation: number;
  byKind: Record<string, SliceFigures>;
  /** Most frequent (expected → answered) pairs among wrong answers and escalations. */
  confusions: { expected: string; got: string; count: number }[];
  failures: { question: LabelledQuestion; result: MatchResult }[];
}

/** A slice with nothing counted yet. */
export const emptySlice = (): SliceFigures => ({
  total: 0,
  correct: 0,
  wrong: 0,
  clarified: 0,
  escalated: 0,
});

/**
 * Runs every question through the matcher and counts outcomes. For an
 * out-of-scope question "correct" means escalated; for an in-scope one, the
 * right intent answered.
 */
export function evaluate(
  matcher: Matcher,
  questions: readonly LabelledQuestion[],
  options: {
    /** Told each question's result as it is matched (to keep decisions without matching again). */
    onResult?: (question: LabelledQuestion, result: MatchResult) => void;
  } = {},
): EvaluationReport {
  const inScope = emptySlice();
  const outOfScope = emptySlice();
  const byKind: Record<string, SliceFigures> = {};
  const confusionCounts = new Map<string, number>();
  const failures: EvaluationReport["failures"] = [];
  let clarified = 0;

  for (const question of questions) {
    const result = matcher.match(question.text);
    options.onResult?.(question, result);
    const slice = question.intent === null ? outOfScope : inScope;
    const kindName = question.kind ?? "all";
    const kind = byKind[kindName] ?? emptySlice();
    byKind[kindName] = kind;
    const { decision } = result;
    let outcome: keyof Omit<SliceFigures, "total">;
    if (decision.kind === "answer") {
      outcome = decision.intent === question.intent ? "correct" : "wrong";
    } else if (decision.kind === "clarify") {
      outcome = "clarified";
      clarified++;
    } else {
      outcome = question.intent === null ? "correct" : "escalated";
    }
    for (const s of [slice, kind]) {
      s.total++;
      s[outcome]++;
    }
    if (outcome !== "correct") {
      failures.push({ question, result });
      const got =
        decision.kind === "answer"
          ? decision.intent
          : decision.kind === "clarify"
            ? "(clarify)"
            : "(escalate)";
      const key = `${question.intent ?? "(out of scope)"}\u0000${got}`;
      confusionCounts.set(key, (confusionCounts.get(key) ?? 0) + 1);
    }
  }

  const rate = (n: number, d: number) => (d === 0 ? 0 : n / d);
  const confusions = [...confusionCounts]
    .map(([key, count]) => {
      const [expected = "", got = ""] = key.split("\u0000");
      return { expected, got, count };
    })
    .sort((a, b) => b.count - a.count);

  return {
    inScope,
    outOfScope,
    accuracy: rate(inScope.correct, inScope.total),
    wrongAnswerRate: rate(inScope.wrong, inScope.total),
    outOfScopeAnswered: rate(outOfScope.wrong, outOfScope.total),
    clarifyRate: rate(clarified, questions.length),
    outOfScopeEscalation: rate(outOfScope.correct, outOfScope.total),
    byKind,
    confusions,
    failures,
  };
}

/** Reads labelled JSON lines; throws with the line number on a malformed one. */
export function readLabelled(file: string): LabelledQuestion[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line, index) => {
      if (line.trim() === "") return [];
      const item = JSON.parse(line) as Partial<LabelledQuestion>;
      if (
        typeof item.text !== "string" ||
        (item.intent !== null && typeof item.intent !== "string")
      ) {
        throw new Error(`${file}:${index + 1}: expected {"text": "...", "intent": id or null}`);
      }
      return [{ text: item.text, intent: item.intent, ...(item.kind ? { kind: item.kind } : {}) }];
    });
}
