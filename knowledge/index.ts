export type { Analysis, AnalyzedToken } from "./analyzer.ts";
export { createDirectory, type Directory, fillReferences } from "./directory.ts";
export { formatIssue, KnowledgeError, type KnowledgeIssue } from "./errors.ts";
export { describeOpenState, describeSchedule, openState } from "./hours.ts";
export { checkHtml, escapeHtml, htmlToText } from "./html.ts";
export { loadKnowledgeBase, parseKnowledgeBase, type LoadResult, type SourceFile } from "./load.ts";
export {
  type Candidate,
  createMatcher,
  type Explanation,
  type Matcher,
  type MatchDecision,
  type MatcherOptions,
  type MatchResult,
} from "./matcher.ts";
export type { Bilingual, Intent, KnowledgeBase, Language, Link } from "./model.ts";
export { REQUIRED_INTENTS } from "./taxonomy.ts";
