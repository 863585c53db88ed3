import { fileURLToPath } from "node:url";
import type { LabelledQuestion, Matcher } from "../../knowledge/index.ts";
import { readLabelled } from "../../knowledge/index.ts";

const devSet = fileURLToPath(new URL("../fixtures/eval-dev.jsonl", import.meta.url));

/**
 * The development set's in-scope questions the matcher answers right as they
 * are: the base for checking that a change to how a question is written
 * (politeness around it, a number in it, Latin letters) keeps its answer.
 */
export function answeredDevQuestions(matcher: Matcher): (LabelledQuestion & { intent: string })[] {
  return readLabelled(devSet).filter((q): q is LabelledQuestion & { intent: string } => {
    const decision = matcher.match(q.text).decision;
    return q.intent !== null && decision.kind === "answer" && decision.intent === q.intent;
  });
}
