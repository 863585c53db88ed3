import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseDocument } from "yaml";
import { z } from "zod";
import {
  INTENT_ID,
  type KnowledgeBase,
  newIntentFile,
  setAnswer,
  setIntentFields,
  TOPICS,
} from "../../knowledge/index.ts";
import type { ContentStudio, EditResult } from "./content-studio.ts";
import { versionOf } from "./content-studio.ts";

export const INTENT_PARAM = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z_.]*$/)
    .max(100),
});
const bilingual = (max: number) => z.object({ ru: z.string().max(max), en: z.string().max(max) });
const answerBody = bilingual(4000).extend({
  /** The version of the file the editor started from: another's change since is not overwritten. */
  version: z.string().max(100),
});
const linksBody = z.array(z.object({ title: bilingual(200), url: z.string().max(500) })).max(20);
const fieldsBody = z.object({
  title: bilingual(200).optional(),
  topic: z.string().max(50).optional(),
  links: linksBody.optional(),
  follow_up: z.array(z.string().max(100)).max(20).optional(),
  escalate: z.boolean().optional(),
  version: z.string().max(100),
});
const newIntentBody = z.object({
  id: z.string().trim().max(100),
  topic: z.string().max(50),
  title: bilingual(200),
  answer: bilingual(4000),
  examples: z.object({
    ru: z.array(z.string().max(500)).max(500),
    en: z.array(z.string().max(500)).max(500),
  }),
  links: linksBody.default([]),
  follow_up: z.array(z.string().max(100)).max(20).default([]),
  about: z.string().max(300).optional(),
  /** Only check: what creating it would say (problems, warnings), nothing saved. */
  check: z.boolean().default(false),
});

/**
 * The studio's intents: the list (drafts of new intents among them), one
 * intent to edit, its answers, titles, topic, links, follow-ups and
 * escalation saved as drafts, a live preview, discarding a draft, and a new
 * intent.
 */
export function intentRoutes(app: FastifyInstance, studio: ContentStudio): void {
  const { ctx } = studio;
  const { deps, repos, refuse } = ctx;
  const intentOf = (request: FastifyRequest) =>
    studio.findIntent(INTENT_PARAM.parse(request.params).id);

  app.get("/api/content/intents", async () => {
    const { kb } = deps.knowledge();
    const drafts = await repos().content.list();
    const drafted = new Map(drafts.map((d) => [d.file, d]));
    const published = await Promise.all(
      kb.intents.map(async (intent) => ({
        id: intent.id,
        title: intent.title.ru,
        topic: intent.topic,
        draft: await studio.draftOf(drafted.get(intent.file)),
      })),
    );
    // Intents only a draft has: new ones, not yet published.
    const known = new Set(kb.intents.map((i) => i.file));
    const added = await Promise.all(
      drafts
        .filter((d) => !d.file.startsWith("_") && !known.has(d.file))
        .map(async (d) => {
          const data = dataOf(d.text);
          return {
            id: d.file.replace(/\.yaml$/, ""),
            title: String(data.title?.ru ?? d.file),
            topic: String(data.topic ?? ""),
            draft: await studio.draftOf(d),
            isNew: true,
          };
        }),
    );
    return { ok: true, intents: [...published, ...added], topics: TOPICS };
  });

  app.get("/api/content/intents/:id", async (request, reply) => {
    const found = await intentOf(request);
    if (!found) return refuse(reply, 404, "not_found");
    const { draft, text } = await studio.currentOf(found.file);
    const data = dataOf(text);
    const published = deps.knowledge().kb.byId.get(found.id);
    // The drafts' base: a directory draft fills this intent's references too.
    const kb = await studio.draftedBase();
    return {
      ok: true,
      id: found.id,
      isNew: found.isNew,
      title: String(data.title?.ru ?? found.id),
      published: published ? { ru: published.answer.ru, en: published.answer.en } : null,
      draft: draft
        ? { ru: String(data.answer?.ru ?? ""), en: String(data.answer?.en ?? "") }
        : null,
      examples: { ru: data.examples?.ru ?? [], en: data.examples?.en ?? [] },
      fields: {
        title: { ru: String(data.title?.ru ?? ""), en: String(data.title?.en ?? "") },
        topic: String(data.topic ?? ""),
        links: data.links ?? [],
        follow_up: data.follow_up ?? [],
        escalate: data.escalate === true,
      },
      draftBy: await studio.draftOf(draft),
      version: versionOf(text),
      preview: kb.byId.has(found.id) ? studio.preview(kb, found.id) : null,
      references: referencesOf(kb),
      topics: TOPICS,
    };
  });

  /** Saves one edit of an intent's file as its draft (studio.save), said as the routes say it. */
  const saveEdit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    version: string,
    edit: (current: string) => EditResult,
    details: Record<string, unknown> = {},
  ) => {
    const found = await intentOf(request);
    if (!found) return refuse(reply, 404, "not_found");
    const saved = await studio.save(
      [{ file: found.file, version, edit }],
      studio.staffId(request),
      {
        intent: found.id,
        ...details,
      },
    );
    if (!saved.ok) return studio.refused(reply, saved);
    return {
      ok: true,
      version: saved.versions[found.file],
      preview: studio.preview(saved.kb, found.id),
      warnings: saved.warnings,
    };
  };

  app.post("/api/content/intents/:id/answer", async (request, reply) => {
    const body = answerBody.parse(request.body);
    return saveEdit(request, reply, body.version, (current) => withAnswers(current, body));
  });

  // Titles, topic, links, follow-ups, escalation: whichever the body names.
  app.post("/api/content/intents/:id/fields", async (request, reply) => {
    const { version, ...fields } = fieldsBody.parse(request.body);
    const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (Object.keys(given).length === 0) return refuse(reply, 400, "nothing_to_change");
    return saveEdit(
      request,
      reply,
      version,
      (current) => {
        const set = setIntentFields(current, given);
        return set.ok ? set : { ok: false, issues: [{ field: "", message: set.reason }] };
      },
      { fields: Object.keys(given) },
    );
  });

  // As the editor types: the answer with its references filled for now, or
  // what is wrong with it, at its field; nothing is kept.
  app.post("/api/content/intents/:id/preview", async (request, reply) => {
    const found = await intentOf(request);
    if (!found) return refuse(reply, 404, "not_found");
    const body = answerBody.omit({ version: true }).parse(request.body);
    const { text: current } = await studio.currentOf(found.file);
    const edited = withAnswers(current, body);
    const checked = edited.ok
      ? await studio.checkedWith([{ name: found.file, text: edited.text }], found.file)
      : edited;
    return checked.ok
      ? { ok: true, preview: studio.preview(checked.kb, found.id), issues: [] }
      : { ok: true, preview: null, issues: checked.issues };
  });

  app.post("/api/content/intents/:id/discard", async (request, reply) => {
    const found = await intentOf(request);
    if (!found) return refuse(reply, 404, "not_found");
    await studio.inStep(async (r) => {
      await r.content.discard(found.file);
      await r.audit.record({
        staffId: studio.staffId(request),
        action: "kb_draft",
        details: { files: [found.file], intent: found.id, discarded: true },
      });
    });
    return { ok: true };
  });

  // A new intent: a new file's draft, checked with the whole base and its
  // examples linted as added ones are; nothing is kept if anything is wrong.
  app.post("/api/content/intents", async (request, reply) => {
    const body = newIntentBody.parse(request.body);
    const examples = {
      ru: body.examples.ru.map((e) => e.replace(/\s+/g, " ").trim()).filter(Boolean),
      en: body.examples.en.map((e) => e.replace(/\s+/g, " ").trim()).filter(Boolean),
    };
    const taken = await idTaken(body.id);
    if (taken) return refuse(reply, 422, "invalid", { issues: [{ field: "id", message: taken }] });
    const file = `${body.id}.yaml`;
    const text = newIntentFile({ ...body, examples });
    const saved = await studio.save(
      [{ file, version: versionOf(""), edit: () => ({ ok: true, text }) }],
      studio.staffId(request),
      { intent: body.id, created: true },
      { lint: true, check: body.check },
    );
    if (!saved.ok) return studio.refused(reply, saved);
    if (body.check) return { ok: true, checked: true, warnings: saved.warnings };
    return {
      ok: true,
      id: body.id,
      version: saved.versions[file],
      preview: studio.preview(saved.kb, body.id),
      warnings: saved.warnings,
    };
  });

  /** Why an id cannot be a new intent's, or undefined if it can. */
  const idTaken = async (id: string) => {
    if (!INTENT_ID.test(id)) {
      return "an id looks like 'group.name' in lowercase latin letters, e.g. contacts.fax";
    }
    if (deps.knowledge().kb.byId.has(id)) return `${id} exists already: choose another id`;
    if (await repos().content.get(`${id}.yaml`)) {
      return `a draft of ${id} exists already: open it from the list, or choose another id`;
    }
    return undefined;
  };
}

/** The file with both answers set; each problem at its field. */
function withAnswers(current: string, answers: { ru: string; en: string }): EditResult {
  let text = current;
  for (const language of ["ru", "en"] as const) {
    const set = setAnswer(text, language, answers[language]);
    if (!set.ok)
      return { ok: false, issues: [{ field: `answer.${language}`, message: set.reason }] };
    text = set.text;
  }
  return { ok: true, text };
}

/** An intent file's data as it stands (a draft's included), for the form. */
// biome-ignore lint/suspicious/noExplicitAny: a checked intent file's data, read for display.
function dataOf(text: string): any {
  try {
    return parseDocument(text).toJS() ?? {};
  } catch {
    return {};
  }
}

/** The `{{group.name}}` references an answer may use, offered as the editor types. */
export function referencesOf(kb: KnowledgeBase): string[] {
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
