import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isDeskRole, startOfMoscowDay } from "../../handoff/index.ts";
import { REPORT_STYLE, renderReportHtml } from "../report/index.ts";
import { type ConsoleContext, idParam, shiftBody } from "./context.ts";

/** Supervisors: the managers' report as a page, the floor, an operator off shift. */
export function supervisorRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, repos, me, refuse, sessionOf } = ctx;
  const { log, waitLimitMs = 10 * 60_000 } = deps;
  // The managers' report as a page, for supervisors: the figures and charts
  // of `npm run kb -- report`, for the last `days` (default 30) days.
  const reportStyle = `'sha256-${createHash("sha256").update(REPORT_STYLE).digest("base64")}'`;
  const reportQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });
  app.get("/report", async (request, reply) => {
    const signed = await sessionOf(request);
    if (!signed) return reply.redirect("/sign-in");
    if (signed.member.role !== "supervisor" || signed.mustSetUpTotp) {
      return reply.code(403).type("text/plain; charset=utf-8").send("Только для супервизоров.");
    }
    const { days } = reportQuery.parse(request.query);
    const until = Date.now();
    const since = startOfMoscowDay(until) - (days - 1) * 86_400_000;
    const data = await repos().reports.collect({ since, until });
    const { kb } = deps.knowledge();
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .header(
        "content-security-policy",
        `default-src 'none'; style-src ${reportStyle}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      )
      .send(
        renderReportHtml(data, {
          generatedAt: until,
          intentTitle: (id) => kb.byId.get(id)?.title.ru,
        }),
      );
  });

  // Supervisors: the floor at a glance, and putting an operator off shift.
  const supervisor = (request: FastifyRequest, reply: FastifyReply) => {
    if (me(request).member.role === "supervisor") return true;
    refuse(reply, 403, "not_supervisor");
    return false;
  };
  app.get("/api/dashboard", async (request, reply) => {
    if (!supervisor(request, reply)) return reply;
    const r = repos();
    const at = Date.now();
    const waiting = await r.tickets.queue();
    const today = startOfMoscowDay(at);
    const staff = [];
    // The desk's staff: content staff take no tickets and have no shift.
    for (const member of (await r.staff.list()).filter((m) => isDeskRole(m.role))) {
      // One row by the index, not the day's entries, on a page refreshed at every event.
      const last = await r.audit.lastBy(member.id);
      staff.push({
        id: member.id,
        name: member.name,
        role: member.role,
        onShift: member.onShift,
        open: (await r.tickets.ticketsOf(member.id)).length,
        lastActivityAt: last && last.at >= today ? last.at : null,
        via: [
          member.telegramUserId !== null ? "telegram" : null,
          member.login !== null ? "web" : null,
        ].filter(Boolean),
      });
    }
    const report = await r.reports.collect({ since: today, until: at });
    return {
      ok: true,
      waiting: waiting.length,
      oldestWaitMinutes: waiting[0] ? Math.floor((at - waiting[0].createdAt) / 60_000) : null,
      overdue: waiting
        .filter((ticket) => at - ticket.createdAt > waitLimitMs)
        .map((ticket) => ({
          id: ticket.id,
          minutes: Math.floor((at - ticket.createdAt) / 60_000),
        })),
      staff,
      today: {
        questions: report.questions,
        tickets: report.tickets,
        wait: report.wait,
        handling: report.handling,
        ratings: report.ratings,
      },
    };
  });
  const staffParams = z.object({ id: idParam });
  app.post("/api/staff/:id/shift", async (request, reply) => {
    if (!supervisor(request, reply)) return reply;
    const { id } = staffParams.parse(request.params);
    const { on } = shiftBody.parse(request.body);
    // Off only: putting someone on shift is theirs to do.
    if (on) return refuse(reply, 400, "off_only");
    const result = await repos().staff.setShift(id, false);
    if (!result.ok) return refuse(reply, 404, "not_staff");
    log?.info({ staff: id, on, by: me(request).member.id }, "shift set by a supervisor");
    return { ok: true, onShift: result.member.onShift };
  });
}
