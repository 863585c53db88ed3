export type { Analysis, AnalyzedToken } from "./analyzer.ts";
export { BIDI_CONTROL, withoutBidiControls } from "./bidi.ts";
export { loadInThread, type ThreadLoadResult } from "./build-thread.ts";
export {
  assignFolds,
  type CrossValidationFold,
  type CrossValidationOptions,
  type CrossValidationReport,
  crossValidate,
} from "./crossval.ts";
export { type Calibration, confidenceOf, decide, type MatchSignals } from "./decide.ts";
export { createDirectory, type Directory, fillReferences } from "./directory.ts";
export { directoryUsage } from "./directory-usage.ts";
export { type SetAnswerResult, setAnswer } from "./edit-answer.ts";
export {
  type IntentFields,
  type NewIntent,
  newIntentFile,
  setIntentFields,
} from "./edit-intent.ts";
export { formatIssue, KnowledgeError, type KnowledgeIssue } from "./errors.ts";
export {
  type EvaluationReport,
  evaluate,
  type LabelledQuestion,
  readLabelled,
  type SliceFigures,
} from "./evaluate.ts";
export { describeOpenState, describeSchedule, openState } from "./hours.ts";
export { checkHtml, escapeHtml, htmlToText } from "./html.ts";
export {
  type AppendExampleResult,
  appendExample,
  asExample,
  oneLine,
  removeExample,
} from "./intent-example.ts";
export { findDuplicateExamples, findMisplacedExamples, type LintFinding } from "./lint.ts";
export {
  DEFAULT_KNOWLEDGE_FOLDER,
  DIRECTORY_FILE,
  type LoadResult,
  loadKnowledgeBase,
  parseKnowledgeBase,
  readKnowledgeFolder,
  type SourceFile,
} from "./load.ts";
export {
  buildMatcherIndex,
  type Candidate,
  createMatcher,
  type Explanation,
  type MatchDecision,
  type Matcher,
  type MatcherIndex,
  type MatcherOptions,
  type MatchResult,
  OUT_OF_SCOPE,
  openMatcher,
} from "./matcher.ts";
export type { Bilingual, Intent, KnowledgeBase, Language, Link } from "./model.ts";
export { maskPersonalData, PERSONAL_DATA_PLACEHOLDERS } from "./personal-data.ts";
export { type RenderedAnswer, renderAnswer } from "./render.ts";
export { type Reply, type ReplyOptions, replyTo } from "./reply.ts";
export { type DirectoryFile, INTENT_ID, TOPICS, type Topic } from "./schema.ts";
export { REQUIRED_INTENTS } from "./taxonomy.ts";
export { type TunedCalibration, tuneCalibration } from "./tune.ts";
export {
  type ClusterExample,
  type ClusterOptions,
  clusterUnanswered,
  type NearestIntent,
  UNANSWERED_REASONS,
  type UnansweredCluster,
  type UnansweredQuestion,
  type UnansweredReason,
} from "./unanswered.ts";
export { type PatchResult, patchYaml, renameKey } from "./yaml-patch.ts";
