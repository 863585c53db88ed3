import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type {
  Incident,
  IncidentChange,
  IncidentText,
  Repositories,
  StaffRole,
} from "../../handoff/index.ts";
import type { KnowledgeBase } from "../../knowledge/index.ts";
import { type ConsoleContext, idParam } from "./context.ts";

/** Who may post, update and end an incident: the desk's supervisors and the publishers. */
export const MAY_CHANGE_INCIDENTS: ReadonlySet<StaffRole> = new Set(["supervisor", "publisher"]);

const NOTICE_MAX = 500;
const BROKEN_MAX = 200;
const FIX_MAX = 100;
const INTENTS_MAX = 10;
/** A start this far ahead of now is a mistake (a clock, a typo), not an incident yet. */
const AHEAD_MS = 5 * 60_000;
/** An incident said to have started longer ago than this is a typo too. */
const BEHIND_MS = 30 * 86_400_000;
/** How many ended incidents the page lists. */
const ENDED_SHOWN = 20;

const text = (max: number, required?: string) =>
  z
    .string({ error: "Должен быть текст" })
    .trim()
    .min(required ? 1 : 0, required ?? "")
    .max(max, `Не длиннее ${max} знаков`);

const incidentBody = z.object({
  noticeRu: text(NOTICE_MAX, "Напишите объявление по-русски: его прочтут граждане"),
  noticeEn: text(NOTICE_MAX).optional(),
  broken: text(BROKEN_MAX, "Напишите, что сломано"),
  since: z.number({ error: "Укажите, с какого времени" }).int().positive().optional(),
  expectedFix: text(FIX_MAX).optional(),
  intents: z
    .array(z.string({ error: "Тема — это её идентификатор" }).max(100), {
      error: "Выберите темы",
    })
    .min(1, "Выберите хотя бы одну тему: её ответы получат объявление")
    .max(INTENTS_MAX, `Не больше ${INTENTS_MAX} тем`),
});

type Issue = { field: string; message: string };

/**
 * A request's incident text, or each problem at its field: zod's shape and
 * lengths, then what only the server knows (the knowledge base's intents,
 * the clock).
 */
function incidentTextOf(
  body: unknown,
  kb: KnowledgeBase,
  now: number,
  /** The start an update keeps (however long ago): not checked against the clock. */
  kept?: number,
): { ok: true; text: IncidentText } | { ok: false; issues: Issue[] } {
  const parsed = incidentBody.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        field: String(issue.path[0] ?? "body"),
        message: issue.message,
      })),
    };
  }
  const { noticeRu, noticeEn, broken, since = now, expectedFix, intents } = parsed.data;
  const issues: Issue[] = [];
  const unknown = intents.filter((id) => !kb.byId.has(id));
  if (unknown.length > 0) {
    issues.push({ field: "intents", message: `Нет таких тем: ${unknown.join(", ")}` });
  }
  if (since !== kept && since > now + AHEAD_MS) {
    issues.push({ field: "since", message: "Это время ещё не наступило" });
  }
  if (since !== kept && since < now - BEHIND_MS) {
    issues.push({ field: "since", message: "Не раньше чем 30 дней назад" });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    text: {
      noticeRu,
      noticeEn: noticeEn ? noticeEn : null,
      broken,
      since,
      expectedFix: expectedFix ? expectedFix : null,
      intents: [...new Set(intents)],
    },
  };
}

/**
 * The incidents' API: every staff member reads the active and the recently
 * ended ones; supervisors and publishers post, update and end them (checked
 * here, on the server). Each change is audited in its transaction, then
 * `onIncidentsChanged` tells every bot process.
 */
export function incidentRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, repos, me, refuse } = ctx;
  const inStep = <T>(work: (r: Repositories) => Promise<T>) =>
    deps.handoff.db.transaction((tx) => work(deps.handoff.repositories(tx)));
  const nameOf = async (id: number | null) =>
    id === null ? null : ((await repos().staff.get(id))?.name ?? `#${id}`);
  const view = async (incident: Incident) => {
    const { kb } = deps.knowledge();
    return {
      ...incident,
      intents: incident.intents.map((id) => ({ id, title: kb.byId.get(id)?.title.ru ?? id })),
      postedByName: await nameOf(incident.postedBy),
      updatedByName: await nameOf(incident.updatedBy),
      endedByName: await nameOf(incident.endedBy),
    };
  };
  /** Refuses (403) anyone but a supervisor or a publisher; true when they may. */
  const mayChange = (request: FastifyRequest, reply: FastifyReply) => {
    if (MAY_CHANGE_INCIDENTS.has(me(request).member.role)) return true;
    deps.log?.warn({ staff: me(request).member.id }, "incident change by another role refused");
    refuse(reply, 403, "not_your_role");
    return false;
  };
  const changed = (id: number) => {
    deps.onIncidentsChanged?.();
    deps.log?.info({ incident: id }, "incidents changed");
  };
  /** An update's or an end's answer: the incident, or why nothing changed. */
  const answerOf = async (reply: FastifyReply, change: IncidentChange) => {
    if (!change.ok) return refuse(reply, change.reason === "ended" ? 409 : 404, change.reason);
    changed(change.incident.id);
    return { ok: true, incident: await view(change.incident) };
  };

  app.get("/api/incidents", async (request) => {
    const r = repos();
    return {
      ok: true,
      mayChange: MAY_CHANGE_INCIDENTS.has(me(request).member.role),
      active: await Promise.all((await r.incidents.active()).map(view)),
      ended: await Promise.all((await r.incidents.ended(ENDED_SHOWN)).map(view)),
      intents: deps.knowledge().kb.intents.map((i) => ({ id: i.id, title: i.title.ru })),
    };
  });

  app.post("/api/incidents", async (request, reply) => {
    if (!mayChange(request, reply)) return reply;
    const checked = incidentTextOf(request.body, deps.knowledge().kb, Date.now());
    if (!checked.ok) return refuse(reply, 422, "invalid", { issues: checked.issues });
    const by = me(request).member.id;
    const incident = await inStep(async (r) => {
      const posted = await r.incidents.post(checked.text, by);
      await r.audit.record({
        staffId: by,
        action: "incident_post",
        details: { incident: posted.id, intents: posted.intents },
      });
      return posted;
    });
    changed(incident.id);
    return { ok: true, incident: await view(incident) };
  });

  const params = z.object({ id: idParam });
  app.post("/api/incidents/:id", async (request, reply) => {
    if (!mayChange(request, reply)) return reply;
    const { id } = params.parse(request.params);
    const kept = (await repos().incidents.get(id))?.since;
    const checked = incidentTextOf(request.body, deps.knowledge().kb, Date.now(), kept);
    if (!checked.ok) return refuse(reply, 422, "invalid", { issues: checked.issues });
    const by = me(request).member.id;
    const change = await inStep(async (r) => {
      const updated = await r.incidents.update(id, checked.text, by);
      if (updated.ok) {
        await r.audit.record({
          staffId: by,
          action: "incident_update",
          details: { incident: id, intents: updated.incident.intents },
        });
      }
      return updated;
    });
    return answerOf(reply, change);
  });

  app.post("/api/incidents/:id/end", async (request, reply) => {
    if (!mayChange(request, reply)) return reply;
    const { id } = params.parse(request.params);
    const by = me(request).member.id;
    const change = await inStep(async (r) => {
      const ended = await r.incidents.end(id, by);
      if (ended.ok) {
        await r.audit.record({ staffId: by, action: "incident_end", details: { incident: id } });
      }
      return ended;
    });
    return answerOf(reply, change);
  });
}
