import {
  createMatcher,
  findDuplicateExamples,
  findMisplacedExamples,
  type KnowledgeBase,
  type Matcher,
} from "../../knowledge/index.ts";

/** A problem's field as said at the file being edited: another file's is named with it. */
export function fieldIn(file: string, problem: { file: string; field: string }): string {
  return problem.file === file ? problem.field : `${problem.file}: ${problem.field}`;
}

/**
 * What `kb check`'s example lint finds in `kb` that the published base does
 * not have: an example two intents share (an error), a near one or one
 * closer to another intent (warnings), each at its field as said at `file`.
 * Only what a change brings is its own: the published base's findings are
 * known already.
 */
export function lintedAgainstPublished(
  kb: KnowledgeBase,
  published: { kb: KnowledgeBase; matcher: Matcher },
  file: string,
) {
  const known = publishedFindings(published);
  const found = lintFindings(kb, createMatcher(kb)).filter((f) => !known.has(f.key));
  const said = (severity: "error" | "warning") =>
    found
      .filter((f) => f.severity === severity)
      .map((f) => ({ field: fieldIn(file, f), message: f.message }));
  return { errors: said("error"), warnings: said("warning") };
}

/**
 * What the lint finds in a base, each with a key to compare two bases by:
 * the file, the kind and its subject (the examples and intents it names),
 * not the example's place, which an example removed before it moves, nor
 * the scores of the moment, which any edit nearby shifts.
 */
function lintFindings(kb: KnowledgeBase, matcher: Matcher) {
  return [...findDuplicateExamples(kb, matcher), ...findMisplacedExamples(kb, matcher)].map(
    (finding) => ({ ...finding, key: `${finding.file} ${finding.kind} ${finding.subject}` }),
  );
}

// The published base's findings, once for each base (not at every save).
const findingsOf = new WeakMap<KnowledgeBase, Set<string>>();
function publishedFindings({ kb, matcher }: { kb: KnowledgeBase; matcher: Matcher }) {
  let keys = findingsOf.get(kb);
  if (!keys) {
    keys = new Set(lintFindings(kb, matcher).map((finding) => finding.key));
    findingsOf.set(kb, keys);
  }
  return keys;
}
