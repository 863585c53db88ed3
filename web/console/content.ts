import { createHash } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ContentDraft, Repositories } from "../../handoff/index.ts";
import {
  appendExample,
  createMatcher,
  type EvaluationReport,
  evaluate,
  type KnowledgeBase,
  type LabelledQuestion,
  type MatchDecision,
  type Matcher,
  parseKnowledgeBase,
  readKnowledgeFolder,
  removeExample,
  renderAnswer,
  setAnswer,
} from "../../knowledge/index.ts";
import { type ConsoleContext, idParam } from "./context.ts";
import { createDrafting, fieldIn, lintFindings, overlaid, publishedFindings } from "./drafting.ts";
import { tryBody, tryOn } from "./try-bot.ts";

const INTENT_PARAM = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z_.]*$/)
    .max(100),
});
const answerBody = z.object({
  ru: z.string().max(4000),
  en: z.string().max(4000),
  /** The version of the file the editor started from: another's change since is not overwritten. */
  version: z.string().max(100),
});

const exampleBody = z.object({
  change: z.enum(["add", "remove"]),
  language: z.enum(["ru", "en"]),
  example: z.string().trim().min(1).max(500),
  version: z.string().max(100),
});

/** A file's text after an edit, checked: the knowledge base it makes, or each problem at its field. */
type Edited =
  | { ok: true; text: string; kb: KnowledgeBase; warnings?: { field: string; message: string }[] }
  | { ok: false; issues: { field: string; message: string }[] };

const versionOf = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/**
 * The content studio's API (content staff: editors and publishers). Edits go
 * to drafts (whole file texts, in the database, so any console process
 * serves any editor); nothing invalid is kept: a draft is checked with the
 * whole knowledge base as `kb check` does, each problem at its field.
 * Publishing (publishers) checks everything again, measures the development
 * set before and after, writes the files to the knowledge folder (every bot
 * process sharing it reloads) and records what changed, to restore.
 */
export function contentRoutes(app: FastifyInstance, ctx: ConsoleContext, folder: string): void {
  const { deps, repos, me, refuse } = ctx;
  const drafts = () => repos().content;
  /** A change and its audit entry, committed together. */
  const inStep = <T>(work: (r: Repositories) => Promise<T>) =>
    deps.handoff.db.transaction((tx) => work(deps.handoff.repositories(tx)));

  const { withDrafts, currentOf } = createDrafting(ctx, folder);
  const intentOf = (request: FastifyRequest) => {
    const { id } = INTENT_PARAM.parse(request.params);
    return deps.knowledge().kb.byId.get(id);
  };
  const publisher = (request: FastifyRequest, reply: FastifyReply) => {
    if (me(request).member.role === "publisher") return true;
    refuse(reply, 403, "not_publisher");
    return false;
  };
  const preview = (kb: KnowledgeBase, id: string) => ({
    ru: renderAnswer(kb, id, "ru", new Date())?.html ?? "",
    en: renderAnswer(kb, id, "en", new Date())?.html ?? "",
  });
  const draftOf = async (draft: ContentDraft | undefined) => {
    if (!draft) return null;
    const editor = await repos().staff.get(draft.editedBy);
    return { by: editor?.name ?? null, at: draft.editedAt };
  };

  app.get("/api/content/intents", async () => {
    const { kb } = deps.knowledge();
    const drafted = new Map((await drafts().list()).map((d) => [d.file, d]));
    return {
      ok: true,
      intents: await Promise.all(
        kb.intents.map(async (intent) => ({
          id: intent.id,
          title: intent.title.ru,
          topic: intent.topic,
          draft: await draftOf(drafted.get(intent.file)),
        })),
      ),
    };
  });

  app.get("/api/content/intents/:id", async (request, reply) => {
    const intent = intentOf(request);
    if (!intent) return refuse(reply, 404, "not_found");
    const { draft, text } = await currentOf(intent.file);
    const parsed = parseKnowledgeBase((await withDrafts()).files);
    const drafted = draft && parsed.ok ? parsed.kb.byId.get(intent.id) : undefined;
    return {
      ok: true,
      id: intent.id,
      title: intent.title.ru,
      published: { ru: intent.answer.ru, en: intent.answer.en },
      draft: drafted ? { ru: drafted.answer.ru, en: drafted.answer.en } : null,
      examples: (drafted ?? intent).examples,
      draftBy: await draftOf(draft),
      version: versionOf(text),
      preview: preview(drafted && parsed.ok ? parsed.kb : deps.knowledge().kb, intent.id),
      references: referencesOf(deps.knowledge().kb),
    };
  });

  /**
   * Saves one edit of an intent's file as its draft: refused if the file
   * changed since the editor's `version`, or if the knowledge base with it
   * would not pass `kb check` (each problem at its field).
   */
  const saveEdit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    version: string,
    edit: (file: string, current: string) => Promise<Edited>,
  ) => {
    const intent = intentOf(request);
    if (!intent) return refuse(reply, 404, "not_found");
    const { draft, text: current } = await currentOf(intent.file);
    if (versionOf(current) !== version) {
      // Someone saved since this editor opened it: they are told, nothing is overwritten.
      return refuse(reply, 409, "changed", { by: await draftOf(draft) });
    }
    const checked = await edit(intent.file, current);
    if (!checked.ok) return refuse(reply, 422, "invalid", { issues: checked.issues });
    const by = me(request).member.id;
    const saved = await inStep(async (r) => {
      if (!(await r.content.save(intent.file, checked.text, by, draft?.text ?? null))) return false;
      await r.audit.record({
        staffId: by,
        action: "kb_draft",
        details: { file: intent.file, intent: intent.id },
      });
      return true;
    });
    if (!saved) {
      return refuse(reply, 409, "changed", { by: await draftOf(await drafts().get(intent.file)) });
    }
    return {
      ok: true,
      version: versionOf(checked.text),
      preview: preview(checked.kb, intent.id),
      warnings: checked.warnings ?? [],
    };
  };

  app.post("/api/content/intents/:id/answer", async (request, reply) => {
    const body = answerBody.parse(request.body);
    return saveEdit(request, reply, body.version, (file, current) => edited(file, current, body));
  });

  // One example added or removed, in one language.
  app.post("/api/content/intents/:id/examples", async (request, reply) => {
    const body = exampleBody.parse(request.body);
    return saveEdit(request, reply, body.version, async (file, current) => {
      const changed =
        body.change === "add"
          ? appendExample(current, body.language, body.example)
          : removeExample(current, body.language, body.example);
      if (!changed.ok) {
        return {
          ok: false,
          issues: [{ field: `examples.${body.language}`, message: changed.reason }],
        } as const;
      }
      const checked = await checkedWith(file, changed.text);
      if (!checked.ok) return checked;
      // As kb check: an example two intents share is an error; a near one,
      // or one closer to another intent, a warning said with the save.
      // Only what this change brings: findings of the published base are not its own.
      const known = publishedFindings(deps.knowledge());
      const found = lintFindings(checked.kb, createMatcher(checked.kb)).filter(
        (finding) => !known.has(finding.key),
      );
      const said = found.map((f) => ({
        severity: f.severity,
        field: fieldIn(file, f),
        message: f.message,
      }));
      const errors = said.filter((finding) => finding.severity === "error");
      if (errors.length > 0) {
        return { ok: false, issues: errors.map(({ field, message }) => ({ field, message })) };
      }
      return { ...checked, warnings: said.map(({ field, message }) => ({ field, message })) };
    });
  });

  /** The file with both answers set, checked with the whole knowledge base (drafts included). */
  const edited = async (
    file: string,
    current: string,
    answers: { ru: string; en: string },
  ): Promise<Edited> => {
    let text = current;
    for (const language of ["ru", "en"] as const) {
      const set = setAnswer(text, language, answers[language]);
      if (!set.ok) {
        return {
          ok: false,
          issues: [{ field: `answer.${language}`, message: set.reason }],
        } as const;
      }
      text = set.text;
    }
    return checkedWith(file, text);
  };
  /** A file's new text checked with the whole knowledge base (drafts included). */
  const checkedWith = async (file: string, text: string): Promise<Edited> => {
    const parsed = parseKnowledgeBase((await withDrafts({ name: file, text })).files);
    if (!parsed.ok) {
      const issues = parsed.issues.map((issue) => ({
        field: fieldIn(file, issue),
        message: issue.message,
      }));
      return { ok: false, issues };
    }
    return { ok: true, text, kb: parsed.kb };
  };

  // As the editor types: the answer with its references filled for now, or
  // what is wrong with it, at its field; nothing is kept.
  app.post("/api/content/intents/:id/preview", async (request, reply) => {
    const intent = intentOf(request);
    if (!intent) return refuse(reply, 404, "not_found");
    const body = answerBody.omit({ version: true }).parse(request.body);
    const { text: current } = await currentOf(intent.file);
    const checked = await edited(intent.file, current, body);
    return checked.ok
      ? { ok: true, preview: preview(checked.kb, intent.id), issues: [] }
      : { ok: true, preview: null, issues: checked.issues };
  });

  // The test pane's other side: the knowledge base as the drafts would make
  // it. Its matcher is built once for each set of drafts.
  let drafted: { key: string; kb: KnowledgeBase; matcher: Matcher } | undefined;
  app.post("/api/content/try", async (request, reply) => {
    const { text, language } = tryBody.parse(request.body);
    const { files } = await withDrafts();
    const key = versionOf(files.map((f) => `${f.name}\n${f.text}`).join("\n"));
    if (drafted?.key !== key) {
      const parsed = parseKnowledgeBase(files);
      if (!parsed.ok) return refuse(reply, 409, "drafts_invalid");
      drafted = { key, kb: parsed.kb, matcher: createMatcher(parsed.kb) };
    }
    return { ok: true, ...tryOn(drafted.kb, drafted.matcher, text, language) };
  });

  app.post("/api/content/intents/:id/discard", async (request, reply) => {
    const intent = intentOf(request);
    if (!intent) return refuse(reply, 404, "not_found");
    await inStep(async (r) => {
      await r.content.discard(intent.file);
      await r.audit.record({
        staffId: me(request).member.id,
        action: "kb_draft",
        details: { file: intent.file, intent: intent.id, discarded: true },
      });
    });
    return { ok: true };
  });

  /** What publishing the drafts would do: valid or not, and the development set before and after. */
  const publishing = async () => {
    const { published, files } = await withDrafts();
    const changed = files.filter(
      (file) => published.find((p) => p.name === file.name)?.text !== file.text,
    );
    const parsed = parseKnowledgeBase(files);
    if (!parsed.ok) return { published, changed, issues: parsed.issues } as const;
    const questions = deps.devSet?.() ?? [];
    // Each question matched once on each base: the figures and the decisions from one pass.
    const decided = (matcher: Matcher) => {
      const decisions = new Map<LabelledQuestion, MatchDecision>();
      const report = evaluate(matcher, questions, {
        onResult: (question, result) => decisions.set(question, result.decision),
      });
      return { report, decisions };
    };
    const now = decided(deps.knowledge().matcher);
    const next = decided(createMatcher(parsed.kb));
    return {
      published,
      changed,
      issues: [],
      before: now.report,
      after: next.report,
      answersChanged: changedAnswers(questions, now.decisions, next.decisions),
    } as const;
  };

  app.get("/api/content/publish", async (request, reply) => {
    if (!publisher(request, reply)) return reply;
    const plan = await publishing();
    return {
      ok: true,
      files: plan.changed.map((f) => f.name),
      issues: plan.issues,
      ...(plan.before ? { before: figures(plan.before), after: figures(plan.after) } : {}),
      ...(plan.before ? { answersChanged: plan.answersChanged } : {}),
    };
  });

  app.post("/api/content/publish", async (request, reply) => {
    if (!publisher(request, reply)) return reply;
    const plan = await publishing();
    if (plan.issues.length > 0) return refuse(reply, 422, "invalid", { issues: plan.issues });
    if (plan.changed.length === 0) return refuse(reply, 409, "nothing_to_publish");
    const files = plan.changed.map((file) => ({
      name: file.name,
      before: plan.published.find((p) => p.name === file.name)?.text ?? null,
      after: file.text,
    }));
    const id = await writeAndRecord(files, me(request).member.id);
    return { ok: true, publication: id };
  });

  app.get("/api/content/publications", async () => {
    const list = await drafts().publications(50);
    return {
      ok: true,
      publications: await Promise.all(
        list.map(async (p) => ({
          id: p.id,
          at: p.publishedAt,
          by: (await repos().staff.get(p.publishedBy))?.name ?? null,
          files: p.files.map((f) => f.name),
          restores: p.restores,
        })),
      ),
    };
  });

  app.post("/api/content/publications/:id/restore", async (request, reply) => {
    if (!publisher(request, reply)) return reply;
    const { id } = z.object({ id: idParam }).parse(request.params);
    const earlier = await drafts().publication(id);
    if (!earlier) return refuse(reply, 404, "not_found");
    // The files as they were before it, checked with the rest as it is now.
    const published = readKnowledgeFolder(folder);
    const files = earlier.files
      .filter((f) => f.before !== null)
      .map((f) => ({
        name: f.name,
        before: published.find((p) => p.name === f.name)?.text ?? null,
        after: f.before as string,
      }));
    const parsed = parseKnowledgeBase(
      overlaid(
        published,
        files.map((f) => ({ name: f.name, text: f.after })),
      ),
    );
    if (!parsed.ok) return refuse(reply, 422, "invalid", { issues: parsed.issues });
    const restored = await writeAndRecord(files, me(request).member.id, id);
    return { ok: true, publication: restored };
  });

  /** Writes each file whole (a temporary file renamed over it), then records the publication. */
  const writeAndRecord = async (
    files: readonly { name: string; before: string | null; after: string }[],
    by: number,
    restores?: number,
  ) => {
    for (const file of files) {
      const path = join(folder, file.name);
      writeFileSync(`${path}.publishing`, file.after);
      renameSync(`${path}.publishing`, path);
    }
    const id = await inStep(async (r) => {
      const recorded = await r.content.recordPublication(by, files, restores);
      await r.audit.record({
        staffId: by,
        action: "kb_publish",
        details: {
          publication: recorded,
          files: files.map((f) => f.name),
          restores: restores ?? null,
        },
      });
      return recorded;
    });
    deps.reloadKnowledge?.();
    deps.log?.info({ publication: id, files: files.map((f) => f.name), by }, "knowledge published");
    return id;
  };
}

function figures(report: EvaluationReport) {
  return {
    accuracy: report.accuracy,
    wrongAnswerRate: report.wrongAnswerRate,
    outOfScopeEscalation: report.outOfScopeEscalation,
    questions: report.inScope.total + report.outOfScope.total,
  };
}

/** Every development question whose decision the publication would change, with both decisions. */
function changedAnswers(
  questions: readonly LabelledQuestion[],
  now: ReadonlyMap<LabelledQuestion, MatchDecision>,
  next: ReadonlyMap<LabelledQuestion, MatchDecision>,
) {
  const said = (decision: MatchDecision | undefined) =>
    decision?.kind === "answer"
      ? decision.intent
      : decision?.kind === "clarify"
        ? `clarify: ${decision.intents.join(", ")}`
        : "escalate";
  return questions.flatMap((question) => {
    const before = said(now.get(question));
    const after = said(next.get(question));
    return before === after
      ? []
      : [{ text: question.text, expected: question.intent, before, after }];
  });
}

/** The `{{group.name}}` references an answer may use, offered as the editor types. */
function referencesOf(kb: KnowledgeBase): string[] {
  const file = kb.directory.file;
  const named = (group: string, names: object) =>
    Object.keys(names).map((n) => `{{${group}.${n}}}`);
  return [
    ...named("phone", file.phone),
    ...named("email", file.email),
    ...named("channel", file.channel),
    ...named("url", file.url),
    ...named("hours", file.schedule),
    ...named("open", file.schedule),
  ];
}
