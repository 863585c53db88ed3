import type { Matcher } from "./matcher.ts";
import type { KnowledgeBase, Language } from "./model.ts";

/** A content problem found by `kb check`; errors fail the check, warnings are shown. */
export interface LintFinding {
  severity: "error" | "warning";
  kind: "duplicate_example" | "near_duplicate_example" | "misplaced_example";
  file: string;
  field: string;
  message: string;
  /**
   * What the finding is about, whatever the example's place in its list and
   * the scores of the moment: the same finding in two versions of a base
   * has the same subject.
   */
  subject: string;
}

const LANGUAGES: readonly Language[] = ["ru", "en"];

/** Jaccard similarity of two sets. */
function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

/**
 * Finds examples that two intents share: the same words after normalisation
 * (an error: the matcher cannot tell them apart) or nearly the same (a
 * warning, at `nearAt` Jaccard similarity of their stems).
 */
export function findDuplicateExamples(
  kb: KnowledgeBase,
  matcher: Matcher,
  nearAt = 0.8,
): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const language of LANGUAGES) {
    const entries = kb.intents.flatMap((intent) =>
      intent.examples[language].map((text, index) => ({
        intent,
        index,
        text,
        stems: new Set(matcher.analyzer.exampleWords(text, language).map((t) => t.stem)),
      })),
    );
    for (let i = 0; i < entries.length; i++) {
      const a = entries[i];
      if (!a || a.stems.size === 0) continue;
      for (let j = i + 1; j < entries.length; j++) {
        const b = entries[j];
        if (!b || b.intent === a.intent) continue;
        const similarity = jaccard(a.stems, b.stems);
        if (similarity < nearAt) continue;
        const same = similarity === 1;
        findings.push({
          severity: same ? "error" : "warning",
          kind: same ? "duplicate_example" : "near_duplicate_example",
          file: b.intent.file,
          field: `examples.${language}.${b.index}`,
          message: `"${b.text}" is ${same ? "the same question as" : "nearly the same as"} "${a.text}" in ${a.intent.file}; keep it in one intent only`,
          subject: `${language} "${b.text}" ~ ${a.intent.id} "${a.text}"`,
        });
      }
    }
  }
  return findings;
}

/**
 * Leave-one-out: matches every example with itself left out and lists those
 * that land clearly on another intent (scoring at least `minScore` and
 * `lead` above their own intent); such examples confuse the two intents.
 */
export function findMisplacedExamples(
  kb: KnowledgeBase,
  matcher: Matcher,
  minScore = 0.4,
  lead = 0.1,
): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const intent of kb.intents) {
    for (const language of LANGUAGES) {
      intent.examples[language].forEach((text, index) => {
        const { candidates } = matcher.match(text, { exclude: text });
        const top = candidates[0];
        const own = candidates.find((c) => c.intent === intent.id)?.score ?? 0;
        if (top && top.intent !== intent.id && top.score >= minScore && top.score - own >= lead) {
          findings.push({
            severity: "warning",
            kind: "misplaced_example",
            file: intent.file,
            field: `examples.${language}.${index}`,
            message: `"${text}" is closer to ${top.intent} (${top.score.toFixed(2)}) than to the rest of ${intent.id}; reword it or move it`,
            subject: `${language} "${text}" -> ${top.intent}`,
          });
        }
      });
    }
  }
  return findings;
}
