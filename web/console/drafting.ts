import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Repositories } from "../../handoff/index.ts";
import {
  appendExample,
  createMatcher,
  findDuplicateExamples,
  findMisplacedExamples,
  type KnowledgeBase,
  type Language,
  type Matcher,
  parseKnowledgeBase,
  readKnowledgeFolder,
  type SourceFile,
} from "../../knowledge/index.ts";
import type { ConsoleContext } from "./context.ts";

/** A problem of an edit, at the field it concerns. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Examples for an intent, each in its language. */
export type NewExample = { language: Language; text: string };

export type AddExamplesResult =
  | { ok: true; file: string; added: NewExample[]; warnings: FieldIssue[] }
  | { ok: false; status: 404 | 409 | 422; error: string; issues?: FieldIssue[] };

/**
 * Drafts of knowledge files as the studio's pages change them: a file's
 * current text (its draft, else the published one), the knowledge base the
 * drafts make, and examples added to an intent's draft, checked as
 * `kb check` checks and saved only if nobody saved the file meanwhile.
 */
export function createDrafting(ctx: ConsoleContext, folder: string) {
  const { deps, repos } = ctx;
  const drafts = () => repos().content;

  /** The folder's files with every draft over them (and `extra` over those). */
  const withDrafts = async (extra?: SourceFile) => {
    const published = readKnowledgeFolder(folder);
    const drafted = (await drafts().list()).map((d) => ({ name: d.file, text: d.text }));
    return { published, files: overlaid(published, [...drafted, ...(extra ? [extra] : [])]) };
  };
  /** A file of the folder as published; empty if it is gone. */
  const publishedText = (file: string) => {
    try {
      return readFileSync(join(folder, file), "utf8");
    } catch {
      return "";
    }
  };
  /** A file's draft, if any, and the text an edit starts from: the draft's, else the published one. */
  const currentOf = async (file: string) => {
    const draft = await drafts().get(file);
    return { draft, text: draft?.text ?? publishedText(file) };
  };

  /**
   * Adds `examples` to an intent's draft, in one save with `alongside` (a
   * decision recorded with it). Refused, with nothing saved, if the
   * knowledge base would not load or an example would be another's
   * (duplicate); a near duplicate or one closer to another intent is a
   * warning said with the save.
   */
  const addExamples = async (
    intentId: string,
    examples: readonly NewExample[],
    by: number,
    alongside: (r: Repositories, file: string) => Promise<void>,
  ): Promise<AddExamplesResult> => {
    const intent = deps.knowledge().kb.byId.get(intentId);
    if (!intent) return { ok: false, status: 422, error: "unknown_intent" };
    const { file } = intent;
    const { draft, text: current } = await currentOf(file);
    let text = current;
    for (const example of examples) {
      const changed = appendExample(text, example.language, example.text);
      if (!changed.ok) {
        const issues = [{ field: `examples.${example.language}`, message: changed.reason }];
        return { ok: false, status: 422, error: "invalid", issues };
      }
      text = changed.text;
    }
    const parsed = parseKnowledgeBase((await withDrafts({ name: file, text })).files);
    if (!parsed.ok) {
      const issues = parsed.issues.map((issue) => ({
        field: fieldIn(file, issue),
        message: issue.message,
      }));
      return { ok: false, status: 422, error: "invalid", issues };
    }
    const known = publishedFindings(deps.knowledge());
    const found = lintFindings(parsed.kb, createMatcher(parsed.kb))
      .filter((finding) => !known.has(finding.key))
      .map((f) => ({ severity: f.severity, field: fieldIn(file, f), message: f.message }));
    const errors = found.filter((finding) => finding.severity === "error");
    if (errors.length > 0) {
      const issues = errors.map(({ field, message }) => ({ field, message }));
      return { ok: false, status: 422, error: "invalid", issues };
    }
    const saved = await deps.handoff.db.transaction(async (tx) => {
      const r = deps.handoff.repositories(tx);
      if (!(await r.content.save(file, text, by, draft?.text ?? null))) return false;
      await alongside(r, file);
      return true;
    });
    if (!saved) return { ok: false, status: 409, error: "changed" };
    const warnings = found.map(({ field, message }) => ({ field, message }));
    return { ok: true, file, added: [...examples], warnings };
  };

  return { withDrafts, currentOf, addExamples };
}

/** `base` with the files of `over` in place of theirs (or added). */
export function overlaid(base: readonly SourceFile[], over: readonly SourceFile[]): SourceFile[] {
  const byName = new Map(base.map((f) => [f.name, f.text]));
  for (const file of over) byName.set(file.name, file.text);
  return [...byName].map(([name, text]) => ({ name, text }));
}

/** A problem's field as said at the file being edited: another file's is named with it. */
export function fieldIn(file: string, problem: { file: string; field: string }): string {
  return problem.file === file ? problem.field : `${problem.file}: ${problem.field}`;
}

/** What `kb check`'s lint finds in a base, each with a key to compare two bases by. */
export function lintFindings(kb: KnowledgeBase, matcher: Matcher) {
  return [...findDuplicateExamples(kb, matcher), ...findMisplacedExamples(kb, matcher)].map(
    (finding) => ({ ...finding, key: `${finding.file} ${finding.field} ${finding.message}` }),
  );
}

// The published base's findings, once for each base (not at every save).
const findingsOf = new WeakMap<KnowledgeBase, Set<string>>();
export function publishedFindings({ kb, matcher }: { kb: KnowledgeBase; matcher: Matcher }) {
  let keys = findingsOf.get(kb);
  if (!keys) {
    keys = new Set(lintFindings(kb, matcher).map((finding) => finding.key));
    findingsOf.set(kb, keys);
  }
  return keys;
}
