/** Why a knowledge base could not be loaded. */
export type KnowledgeErrorCode =
  | "read_failed"
  | "yaml_syntax"
  | "invalid_field"
  | "duplicate_id"
  | "missing_intent"
  | "dangling_reference"
  | "bad_link"
  | "answer_too_long"
  | "bad_html"
  | "literal_contact"
  | "build_failed";

/** One problem in one file, with the field and how to fix it. */
export interface KnowledgeIssue {
  code: KnowledgeErrorCode;
  file: string;
  /** Dotted path of the field, e.g. "answer.ru" or "examples.en.3"; empty for the whole file. */
  field: string;
  message: string;
}

/** Formats an issue as one line: `file: field: message`. */
export function formatIssue(issue: KnowledgeIssue): string {
  return `${issue.file}${issue.field ? `: ${issue.field}` : ""}: ${issue.message}`;
}

/** Thrown when a knowledge base with errors is asked to be used; carries every issue. */
export class KnowledgeError extends Error {
  readonly code = "invalid_knowledge_base";
  constructor(readonly issues: readonly KnowledgeIssue[]) {
    super(
      `The knowledge base has ${issues.length} error(s); nothing was loaded. Fix them and run \`npm run kb -- check\`:\n${issues
        .map((issue) => `  ${formatIssue(issue)}`)
        .join("\n")}`,
    );
    this.name = "KnowledgeError";
  }
}
