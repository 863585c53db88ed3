import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ContentDraft, Repositories } from "../../handoff/index.ts";
import {
  type KnowledgeBase,
  parseKnowledgeBase,
  readKnowledgeFolder,
  renderAnswer,
  type SourceFile,
} from "../../knowledge/index.ts";
import { fieldIn, lintedAgainstPublished } from "./content-lint.ts";
import type { ConsoleContext } from "./context.ts";

/** A problem of an edit, said at the field of the form it concerns. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** A file's new text, or what is wrong with the edit. */
export type EditResult = { ok: true; text: string } | { ok: false; issues: FieldIssue[] };

/** One file's edit: from its current text (its draft's, else the published one) to a new one. */
export interface FileEdit {
  file: string;
  /**
   * The version (versionOf) of the text the editor started from: another
   * editor's change since is refused. Without it, the text as it is now;
   * the save is conditional all the same (on the draft it read).
   */
  version?: string;
  edit: (current: string) => EditResult;
}

/** Who saved a file's draft, and when; null for none. */
export type DraftBy = { by: string | null; at: number } | null;

/** A save's outcome: the drafts kept (with the base they make), or why none was. */
export type SaveOutcome =
  | { ok: true; kb: KnowledgeBase; versions: Record<string, string>; warnings: FieldIssue[] }
  | { ok: false; error: "changed"; by: DraftBy }
  | { ok: false; error: "invalid"; issues: FieldIssue[] };

/** A short fingerprint of a file's text: what an editor started from. */
export const versionOf = (text: string) =>
  createHash("sha256").update(text).digest("hex").slice(0, 16);

/** A draft save that found another editor's save in its place. */
class Conflict extends Error {
  constructor(readonly file: string) {
    super(`the draft of ${file} changed meanwhile`);
  }
}

/** The content studio's shared work: drafts over the folder, checked and saved together. */
export type ContentStudio = ReturnType<typeof createContentStudio>;

/**
 * What the studio's routes share: the knowledge folder with every draft over
 * it, each file's current text, the checked and conditional save of one or
 * several files' drafts, and the preview of an answer for now.
 *
 * @example const studio = createContentStudio(ctx, "intents");
 */
export function createContentStudio(ctx: ConsoleContext, folder: string) {
  const { deps, repos } = ctx;
  const drafts = () => repos().content;
  /** A change and its audit entry, committed together. */
  const inStep = <T>(work: (r: Repositories) => Promise<T>) =>
    deps.handoff.db.transaction((tx) => work(deps.handoff.repositories(tx)));

  /** The folder's files with every draft over them (and `extra` over those). */
  const withDrafts = async (extra: readonly SourceFile[] = []) => {
    const published = readKnowledgeFolder(folder);
    const drafted = (await drafts().list()).map((d) => ({ name: d.file, text: d.text }));
    return { published, files: overlaid(published, [...drafted, ...extra]) };
  };
  /** A file of the folder as published; empty if there is none. */
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
  const draftOf = async (draft: ContentDraft | undefined): Promise<DraftBy> => {
    if (!draft) return null;
    const editor = await repos().staff.get(draft.editedBy);
    return { by: editor?.name ?? null, at: draft.editedAt };
  };
  /** The knowledge base the drafts make; the published one if they make none. */
  const draftedBase = async () => {
    const parsed = parseKnowledgeBase((await withDrafts()).files);
    return parsed.ok ? parsed.kb : deps.knowledge().kb;
  };
  /** An intent of the published base, or one only a draft has (a new intent). */
  const findIntent = async (id: string) => {
    const published = deps.knowledge().kb.byId.get(id);
    if (published) return { id, file: published.file, isNew: false };
    const file = `${id}.yaml`;
    return (await drafts().get(file)) ? { id, file, isNew: true } : undefined;
  };

  /** Files' new texts checked with the whole knowledge base (drafts included), as `kb check`. */
  const checkedWith = async (changed: readonly SourceFile[], at: string) => {
    const parsed = parseKnowledgeBase((await withDrafts(changed)).files);
    if (parsed.ok) return { ok: true, kb: parsed.kb } as const;
    const issues = parsed.issues.map((issue) => ({
      field: fieldIn(at, issue),
      message: issue.message,
    }));
    return { ok: false, issues } as const;
  };

  /**
   * Saves the drafts of files edited together, all or none: each edit is
   * made on the file's current text, refused if the file changed since the
   * editor's version; the base with all of them must pass `kb check`
   * (with `lint`, its example lint too: a new error refuses, a new warning
   * is said); the drafts are written in one transaction, each only over the
   * draft it started from, so another editor's save in between refuses all.
   * Problems are said at the fields of the first file. With `check`,
   * nothing is written: the outcome says what saving would (the warnings,
   * to show before saving).
   */
  const save = async (
    edits: readonly FileEdit[],
    by: number,
    details: Record<string, unknown>,
    options: {
      lint?: boolean;
      check?: boolean;
      /** More work committed with the drafts (a decision they carry out); what it throws rolls all back. */
      alongside?: (r: Repositories) => Promise<void>;
    } = {},
  ): Promise<SaveOutcome> => {
    const { lint = false, check = false, alongside } = options;
    const at = edits[0]?.file ?? "";
    const writes: { file: string; text: string; replacing: string | null }[] = [];
    for (const { file, version, edit } of edits) {
      const { draft, text } = await currentOf(file);
      if (version !== undefined && versionOf(text) !== version) {
        // Someone saved since this editor opened it: they are told, nothing is overwritten.
        return { ok: false, error: "changed", by: await draftOf(draft) };
      }
      const edited = edit(text);
      if (!edited.ok) return { ok: false, error: "invalid", issues: edited.issues };
      writes.push({ file, text: edited.text, replacing: draft?.text ?? null });
    }
    const checked = await checkedWith(
      writes.map((w) => ({ name: w.file, text: w.text })),
      at,
    );
    if (!checked.ok) return { ok: false, error: "invalid", issues: checked.issues };
    const linted = lint ? lintedAgainstPublished(checked.kb, deps.knowledge(), at) : undefined;
    if (linted && linted.errors.length > 0) {
      return { ok: false, error: "invalid", issues: linted.errors };
    }
    const versions = Object.fromEntries(writes.map((w) => [w.file, versionOf(w.text)]));
    const warnings = linted?.warnings ?? [];
    if (check) return { ok: true, kb: checked.kb, versions, warnings };
    try {
      await inStep(async (r) => {
        for (const w of writes) {
          if (!(await r.content.save(w.file, w.text, by, w.replacing))) throw new Conflict(w.file);
        }
        await r.audit.record({
          staffId: by,
          action: "kb_draft",
          details: { files: writes.map((w) => w.file), ...details },
        });
        await alongside?.(r);
      });
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      return { ok: false, error: "changed", by: await draftOf(await drafts().get(error.file)) };
    }
    return { ok: true, kb: checked.kb, versions, warnings };
  };

  /** A refusal of a save said as the routes say it: 409 with who changed it, or 422 at the fields. */
  const refused = (reply: FastifyReply, outcome: Exclude<SaveOutcome, { ok: true }>) =>
    outcome.error === "changed"
      ? ctx.refuse(reply, 409, "changed", { by: outcome.by })
      : ctx.refuse(reply, 422, "invalid", { issues: outcome.issues });

  const preview = (kb: KnowledgeBase, id: string) => ({
    ru: renderAnswer(kb, id, "ru", new Date())?.html ?? "",
    en: renderAnswer(kb, id, "en", new Date())?.html ?? "",
  });
  const staffId = (request: FastifyRequest) => ctx.me(request).member.id;

  return {
    ctx,
    folder,
    inStep,
    withDrafts,
    currentOf,
    draftOf,
    draftedBase,
    findIntent,
    checkedWith,
    save,
    refused,
    preview,
    staffId,
  };
}

/** `base` with the files of `over` in place of theirs (or added). */
export function overlaid(base: readonly SourceFile[], over: readonly SourceFile[]): SourceFile[] {
  const byName = new Map(base.map((f) => [f.name, f.text]));
  for (const file of over) byName.set(file.name, file.text);
  return [...byName].map(([name, text]) => ({ name, text }));
}
