import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { PublishedFile } from "../../handoff/index.ts";
import {
  createMatcher,
  type EvaluationReport,
  evaluate,
  type LabelledQuestion,
  type MatchDecision,
  type Matcher,
  parseKnowledgeBase,
  readKnowledgeFolder,
} from "../../knowledge/index.ts";
import { changes } from "./content-changes.ts";
import { type ContentStudio, overlaid } from "./content-studio.ts";
import { idParam } from "./context.ts";

/**
 * Publishing (publishers): what the drafts would change, checked whole and
 * measured on the development set before and after; the files written to
 * the knowledge folder (every bot process sharing it reloads) and recorded,
 * to restore; the history; and a restore, which puts the files back as
 * they were before a publication (removing those it created).
 */
export function publishRoutes(app: FastifyInstance, studio: ContentStudio): void {
  const { ctx, folder } = studio;
  const { deps, repos, me, refuse } = ctx;
  const publisher = (request: FastifyRequest, reply: FastifyReply) => {
    if (me(request).member.role === "publisher") return true;
    refuse(reply, 403, "not_publisher");
    return false;
  };

  /** What publishing the drafts would do: valid or not, and the development set before and after. */
  const publishing = async () => {
    const { published, files } = await studio.withDrafts();
    const changed = files
      .filter((file) => published.find((p) => p.name === file.name)?.text !== file.text)
      .sort((a, b) => a.name.localeCompare(b.name));
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
    const list = await repos().content.publications(50);
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

  // One publication as the history shows it: each file's lines changed.
  app.get("/api/content/publications/:id", async (request, reply) => {
    const { id } = z.object({ id: idParam }).parse(request.params);
    const publication = await repos().content.publication(id);
    if (!publication) return refuse(reply, 404, "not_found");
    return {
      ok: true,
      id: publication.id,
      at: publication.publishedAt,
      by: (await repos().staff.get(publication.publishedBy))?.name ?? null,
      restores: publication.restores,
      files: publication.files.map((file) => ({
        name: file.name,
        created: file.before === null,
        deleted: file.after === null,
        hunks: changes(file),
      })),
    };
  });

  app.post("/api/content/publications/:id/restore", async (request, reply) => {
    if (!publisher(request, reply)) return reply;
    const { id } = z.object({ id: idParam }).parse(request.params);
    const earlier = await repos().content.publication(id);
    if (!earlier) return refuse(reply, 404, "not_found");
    // The files as they were before it (those it created: gone), checked
    // with the rest as it is now.
    const published = readKnowledgeFolder(folder);
    const files: PublishedFile[] = earlier.files.map((f) => ({
      name: f.name,
      before: published.find((p) => p.name === f.name)?.text ?? null,
      after: f.before,
    }));
    const gone = new Set(files.filter((f) => f.after === null).map((f) => f.name));
    const parsed = parseKnowledgeBase(
      overlaid(
        published.filter((p) => !gone.has(p.name)),
        files.flatMap((f) => (f.after === null ? [] : [{ name: f.name, text: f.after }])),
      ),
    );
    if (!parsed.ok) return refuse(reply, 422, "invalid", { issues: parsed.issues });
    const restored = await writeAndRecord(files, me(request).member.id, id);
    return { ok: true, publication: restored };
  });

  /** Writes each file whole (a temporary file renamed over it), or removes it; then records the publication. */
  const writeAndRecord = async (files: readonly PublishedFile[], by: number, restores?: number) => {
    for (const file of files) {
      const path = join(folder, file.name);
      if (file.after === null) {
        rmSync(path, { force: true });
        continue;
      }
      writeFileSync(`${path}.publishing`, file.after);
      renameSync(`${path}.publishing`, path);
    }
    const id = await studio.inStep(async (r) => {
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
