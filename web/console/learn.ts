import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import {
  ERASED_TEXT,
  type Repositories,
  type UnansweredDecision,
  type UnansweredRecord,
} from "../../handoff/index.ts";
import {
  asExample,
  clusterUnanswered,
  type KnowledgeBase,
  removeExample,
  type UnansweredCluster,
} from "../../knowledge/index.ts";
import { appendExamplesToDraft } from "./content-examples.ts";
import type { ContentStudio, FieldIssue, FileEdit } from "./content-studio.ts";
import { idParam } from "./context.ts";

/** Examples for an intent, each in its language. */
type NewExample = { language: "ru" | "en"; text: string };

const DAY = 86_400_000;
/** Wordings shown for a cluster; a decision on the cluster takes all of them whatever the page shows. */
const WORDINGS_SHOWN = 20;

const days = z.coerce.number().int().min(1).max(90).default(7);
const unansweredQuery = z.object({ days });
// A wording or a cluster is named by one of its questions (the page's
// `id`): the server finds it again in the same period, and takes every
// question it has then, however many (a busy incident's thousands).
const decisionBody = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("added"),
    days,
    intent: z.string().max(100),
    /** The chosen wordings: their texts become examples, their questions are taken. */
    wordings: z.array(idParam).min(1).max(WORDINGS_SHOWN),
  }),
  z.object({ kind: z.enum(["new_topic", "ignored"]), days, cluster: idParam }),
]);
const suggestionsQuery = z.object({ all: z.enum(["0", "1"]).default("0") });
const acceptBody = z.object({ intent: z.string().max(100).optional() });

/**
 * Learning from what went unanswered (content staff): the clusters of
 * `kb unanswered` with each cluster's questions, their reasons and the
 * nearest intent, to add as examples to an intent's draft, mark a new
 * topic, ignore, or undo; and operators' suggestions (`kb suggestions`) to
 * accept into a draft or reject. Questions are shown as stored: masked, and
 * gone once the retention purge erased them.
 */
export function learnRoutes(app: FastifyInstance, studio: ContentStudio): void {
  const { ctx, inStep, currentOf } = studio;
  const { deps, repos, me, refuse } = ctx;
  const nameOf = async (id: number | null) =>
    id === null ? null : ((await repos().staff.get(id))?.name ?? null);
  const titleOf = (kb: KnowledgeBase, id: string | null) =>
    id === null ? null : (kb.byId.get(id)?.title.ru ?? null);
  /** Examples added to an intent's draft with `alongside` in the same transaction; a refusal sent as the studio says it. */
  const addExamples = async (
    reply: FastifyReply,
    intent: string,
    examples: readonly NewExample[],
    by: number,
    details: Record<string, unknown>,
    alongside: (r: Repositories) => Promise<void>,
  ): Promise<{ ok: true; warnings: FieldIssue[] } | { ok: false; sent: FastifyReply }> => {
    const saved = await appendExamplesToDraft(studio, { intent, examples, by, details, alongside });
    if (saved.ok) return { ok: true, warnings: saved.warnings };
    if (saved.error === "not_found")
      return { ok: false, sent: refuse(reply, 422, "unknown_intent") };
    return { ok: false, sent: studio.refused(reply, saved) };
  };

  /** The period's questions nobody decided yet, in clusters, as the page shows them. */
  const openClusters = async (period: number) => {
    const records = await repos().store.unansweredQuestions(Date.now() - period * DAY);
    // A decided question leaves the page, and so does the same text asked again.
    const marked = await repos().unanswered.marked();
    const ids = new Set(marked.map((m) => m.questionId));
    const texts = new Set(marked.map((m) => m.text).filter((text) => text !== ERASED_TEXT));
    const open = records.questions.filter((q) => !ids.has(q.id) && !texts.has(q.text));
    // Every wording of a cluster: a decision on it takes them all; the page shows the first few.
    const clusters = clusterUnanswered(open, deps.knowledge(), {
      examples: Number.MAX_SAFE_INTEGER,
    });
    return { records, open, clusters };
  };

  app.get("/api/content/unanswered", async (request) => {
    const { days: period } = unansweredQuery.parse(request.query);
    const { records, open, clusters } = await openClusters(period);
    const { kb } = deps.knowledge();
    return {
      ok: true,
      days: period,
      questions: open.length,
      erased: records.erased,
      unmatchedFeedback: records.unmatchedFeedback,
      clusters: clusters.map((cluster) => shownCluster(cluster, kb)),
      decisions: await Promise.all(
        (await repos().unanswered.recent(30)).map(async (d) => shownDecision(d)),
      ),
    };
  });

  const shownDecision = async (d: UnansweredDecision) => ({
    id: d.id,
    kind: d.kind,
    intent: d.intent,
    title: titleOf(deps.knowledge().kb, d.intent),
    examples: d.examples,
    questions: d.questions,
    by: await nameOf(d.decidedBy),
    at: d.decidedAt,
    undoneBy: await nameOf(d.undoneBy),
    undoneAt: d.undoneAt,
  });

  app.post("/api/content/unanswered/decisions", async (request, reply) => {
    const body = decisionBody.parse(request.body);
    const by = me(request).member.id;
    const { clusters } = await openClusters(body.days);
    // What the page named, as it is now: nothing of it is left when another
    // editor decided it meanwhile (or a forged id names nothing).
    const has = (questions: readonly { id: number }[], id: number) =>
      questions.some((q) => q.id === id);
    const wordings =
      body.kind === "added"
        ? clusters
            .flatMap((c) => c.examples)
            .filter((w) => body.wordings.some((id) => has(w.questions, id)))
        : [];
    const cluster =
      body.kind === "added"
        ? undefined
        : clusters.find((c) => c.examples.some((w) => has(w.questions, body.cluster)));
    const taken = (cluster ? cluster.examples : wordings).flatMap((w) =>
      w.questions.map((q) => q.id),
    );
    if (taken.length === 0) return refuse(reply, 404, "no_questions");
    const record = (r: Repositories, extra: { intent?: string; examples?: NewExample[] } = {}) =>
      r.unanswered.decide({ kind: body.kind, questionIds: taken, decidedBy: by, ...extra });
    const audit = (r: Repositories, decision: number, intent?: string) =>
      r.audit.record({
        staffId: by,
        action: "kb_unanswered",
        details: { decision, kind: body.kind, intent: intent ?? null, questions: taken.length },
      });
    if (body.kind !== "added") {
      const decision = await inStep(async (r) => {
        const id = await record(r);
        if (id !== undefined) await audit(r, id);
        return id;
      });
      if (decision === undefined) return refuse(reply, 404, "no_questions");
      return { ok: true, decision };
    }
    // The examples are the wordings' stored texts (masked, the masks left
    // out), never text the page sends.
    const examples = uniqueExamples(
      wordings.flatMap((w) => {
        const text = asExample(w.text, [ERASED_TEXT]);
        const language = mostCommon(w.questions.map((q) => q.language)) ?? "ru";
        return text === undefined ? [] : [{ language, text }];
      }),
    );
    if (examples.length === 0) return refuse(reply, 422, "no_words");
    let decision: number | undefined;
    const added = await addExamples(
      reply,
      body.intent,
      examples,
      by,
      { from: "unanswered" },
      async (r) => {
        decision = await record(r, { intent: body.intent, examples });
        // Nothing left to decide (another editor took these): nothing saved either.
        if (decision === undefined) throw new NoQuestions();
        await audit(r, decision, body.intent);
      },
    ).catch(unless(NoQuestions));
    if (added === undefined) return refuse(reply, 404, "no_questions");
    if (!added.ok) return added.sent;
    return { ok: true, decision, added: examples, warnings: added.warnings };
  });

  app.post("/api/content/unanswered/decisions/:id/undo", async (request, reply) => {
    const { id } = z.object({ id: idParam }).parse(request.params);
    const by = me(request).member.id;
    const decision = await repos().unanswered.get(id);
    if (!decision) return refuse(reply, 404, "not_found");
    if (decision.undoneAt !== null) return refuse(reply, 409, "undone_already");
    const undo = async (r: Repositories) => {
      if (!(await r.unanswered.undo(id, by))) throw new Changed();
      await r.audit.record({
        staffId: by,
        action: "kb_unanswered",
        details: { decision: id, undone: true },
      });
    };
    // Added examples go out of the intent's draft again: those still in it.
    const without = (current: string) => {
      let text = current;
      let removed = 0;
      for (const example of decision.examples) {
        const taken = removeExample(text, example.language, example.text);
        if (!taken.ok) continue;
        text = taken.text;
        removed++;
      }
      return { text, removed };
    };
    const intent = decision.intent ? await studio.findIntent(decision.intent) : undefined;
    const removed = intent ? without((await currentOf(intent.file)).text).removed : 0;
    if (!intent || removed === 0) {
      const undone = await inStep(undo).then(
        () => true,
        unless(Changed, () => false),
      );
      return undone ? { ok: true, removed: 0 } : refuse(reply, 409, "undone_already");
    }
    const edit: FileEdit = {
      file: intent.file,
      edit: (current) => ({ ok: true, text: without(current).text }),
    };
    const saved = await studio
      .save([edit], by, { intent: intent.id, undone: id }, { alongside: undo })
      .catch(unless(Changed));
    if (saved === undefined) return refuse(reply, 409, "undone_already");
    if (!saved.ok) return studio.refused(reply, saved);
    return { ok: true, removed };
  });

  app.get("/api/content/suggestions", async (request) => {
    const { all } = suggestionsQuery.parse(request.query);
    const { kb } = deps.knowledge();
    const list = await repos().suggestions.list({ all: all === "1" });
    return {
      ok: true,
      suggestions: await Promise.all(
        list.map(async (s) => ({
          id: s.id,
          ticketId: s.ticketId,
          // Erased by the retention purge: gone here too.
          question: s.question === ERASED_TEXT ? null : s.question,
          language: s.language,
          intent: s.intent,
          title: titleOf(kb, s.intent),
          operator: await nameOf(s.operatorId),
          at: s.createdAt,
          state: s.state,
          decidedAt: s.decidedAt,
        })),
      ),
    };
  });

  app.post("/api/content/suggestions/:id/accept", async (request, reply) => {
    const { id } = z.object({ id: idParam }).parse(request.params);
    const body = acceptBody.parse(request.body ?? {});
    const by = me(request).member.id;
    const suggestion = await repos().suggestions.get(id);
    if (!suggestion) return refuse(reply, 404, "not_found");
    if (suggestion.state !== "pending") return refuse(reply, 409, `already_${suggestion.state}`);
    // The operator's choice, or the editor's instead (a new topic needs one).
    const intent = body.intent ?? suggestion.intent;
    if (intent === null) return refuse(reply, 422, "new_topic");
    const text = asExample(suggestion.question, [ERASED_TEXT]);
    if (text === undefined) return refuse(reply, 422, "no_words");
    const added = await addExamples(
      reply,
      intent,
      [{ language: suggestion.language, text }],
      by,
      { suggestion: id },
      async (r) => {
        const decided = await r.suggestions.decide(id, "accepted");
        if (!decided.ok) throw new Changed();
        await r.audit.record({
          staffId: by,
          action: "kb_suggestion",
          details: { suggestion: id, state: "accepted", intent },
        });
      },
    ).catch(unless(Changed));
    if (added === undefined) return refuse(reply, 409, "decided_meanwhile");
    if (!added.ok) return added.sent;
    return { ok: true, added: [{ language: suggestion.language, text }], warnings: added.warnings };
  });

  app.post("/api/content/suggestions/:id/reject", async (request, reply) => {
    const { id } = z.object({ id: idParam }).parse(request.params);
    const by = me(request).member.id;
    const decided = await inStep(async (r) => {
      const result = await r.suggestions.decide(id, "rejected");
      if (result.ok) {
        await r.audit.record({
          staffId: by,
          action: "kb_suggestion",
          details: { suggestion: id, state: "rejected" },
        });
      }
      return result;
    });
    if (!decided.ok) {
      return refuse(reply, decided.reason === "not_found" ? 404 : 409, decided.reason);
    }
    return { ok: true };
  });
}

/** Thrown inside a save's transaction to roll it back: the row it needed changed meanwhile. */
class Changed extends Error {}
/** Thrown inside a save's transaction to roll it back: no question left to decide. */
class NoQuestions extends Error {}

/** A rejection handler: an error of `kind` becomes `otherwise()` (undefined by default); any other is thrown on. */
function unless<T = undefined>(
  kind: new () => Error,
  otherwise: () => T = () => undefined as T,
): (error: unknown) => T {
  return (error) => {
    if (error instanceof kind) return otherwise();
    throw error;
  };
}

/** A cluster as the page shows it: its first wordings, each named by one of its questions. */
function shownCluster(cluster: UnansweredCluster<UnansweredRecord>, kb: KnowledgeBase) {
  return {
    count: cluster.count,
    reasons: cluster.reasons,
    noWords: cluster.noWords,
    firstSeen: cluster.firstSeen,
    lastSeen: cluster.lastSeen,
    nearest: cluster.nearest
      ? { ...cluster.nearest, title: kb.byId.get(cluster.nearest.intent)?.title.ru ?? null }
      : null,
    wordings: cluster.examples.slice(0, WORDINGS_SHOWN).map((example) => ({
      /** One of its questions: what names the wording in a decision. */
      id: (example.questions[0] as UnansweredRecord).id,
      text: example.text,
      count: example.count,
      language: mostCommon(example.questions.map((q) => q.language)),
    })),
    /** How many wordings are not shown. */
    moreWordings: Math.max(0, cluster.examples.length - WORDINGS_SHOWN),
  };
}

function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function uniqueExamples(examples: readonly NewExample[]): NewExample[] {
  const seen = new Set<string>();
  return examples.filter((e) => {
    const key = `${e.language} ${e.text.toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
