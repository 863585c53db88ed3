import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  type OutboxState,
  type PressAnswer,
  type StaffMember,
  TAG,
  type Ticket,
} from "../../handoff/index.ts";
import { htmlToText, type KnowledgeBase, renderAnswer } from "../../knowledge/index.ts";
import { type ConsoleContext, idParam, shiftBody } from "./context.ts";
import { createKbSearch } from "./kb-search.ts";
import { FileUnavailable } from "./telegram-files.ts";

/** The longest message an operator may send at once (the bot splits it for Telegram). */
const MAX_TEXT = 10_000;

const textBody = z.object({ text: z.string().trim().min(1).max(MAX_TEXT) });
const transferBody = z.object({ to: z.union([z.literal("queue"), z.number().int().positive()]) });
const ticketParams = z.object({ id: idParam });

/**
 * The operators' work: the queue, a ticket with its transcript and files,
 * take, reply, note, knowledge-base answers, tags, transfer, close, shift.
 * An operator sees the waiting queue and their own tickets; a supervisor
 * every open one; anything else is "not found".
 */
export function ticketRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, repos, me, refuse } = ctx;
  const { handoff, log } = deps;
  // The queue and tickets. An operator sees the waiting queue and their
  // own tickets; a supervisor sees every open ticket.
  const nameOf = async (staffId: number | null) =>
    staffId === null ? undefined : ((await repos().staff.get(staffId))?.name ?? `#${staffId}`);
  const summary = async (ticket: Ticket) => ({
    id: ticket.id,
    state: ticket.state,
    language: ticket.language,
    question: ticket.question,
    createdAt: ticket.createdAt,
    assignedAt: ticket.assignedAt,
    operatorId: ticket.operatorId,
    operatorName: (await nameOf(ticket.operatorId)) ?? null,
  });
  /** Whether a member may act on a ticket: theirs, or anyone's for a supervisor. */
  const mayActOn = (ticket: Ticket, member: StaffMember) =>
    ticket.operatorId === member.id || member.role === "supervisor";
  const visible = (ticket: Ticket | undefined, member: StaffMember): ticket is Ticket =>
    ticket !== undefined && (ticket.state === "waiting" || mayActOn(ticket, member));
  /** The notice a press was answered with, to say why it did nothing. */
  const noticeOf = (answer: PressAnswer) =>
    answer.toast?.kind === "staff" ? answer.toast.notice : undefined;

  app.get("/api/queue", async (request) => {
    const { member } = me(request);
    const r = repos();
    const waiting = await r.tickets.queue();
    const mine = await r.tickets.ticketsOf(member.id);
    const open: Ticket[] = [];
    if (member.role === "supervisor") {
      for (const other of await r.staff.list()) open.push(...(await r.tickets.ticketsOf(other.id)));
    }
    return {
      ok: true,
      onShift: member.onShift,
      waiting: await Promise.all(waiting.map(summary)),
      mine: await Promise.all(mine.map(summary)),
      ...(member.role === "supervisor" ? { open: await Promise.all(open.map(summary)) } : {}),
    };
  });

  app.get("/api/tickets/:id", async (request, reply) => {
    const { member } = me(request);
    const { id } = ticketParams.parse(request.params);
    const transcript = await repos().tickets.transcript(id);
    if (!transcript || !visible(transcript.ticket, member)) return refuse(reply, 404, "not_found");
    const { kb } = deps.knowledge();
    const { ticket, messages } = transcript;
    const deliveries = await repos().outbox.deliveries(ticket.id);
    const unrendered = await repos().effects.unrenderedMessages(ticket.id);
    return {
      ok: true,
      ticket: await summary(ticket),
      tried: ticket.topIntents.map((guess) => ({
        intent: guess.intent,
        score: guess.score,
        title: kb.byId.get(guess.intent)?.title.ru ?? guess.intent,
      })),
      messages: await Promise.all(
        messages.map(async (message) => ({
          id: message.id,
          who: message.direction,
          at: message.createdAt,
          ...(message.direction === "citizen"
            ? {}
            : { name: (await nameOf(message.operatorId)) ?? null }),
          text: message.text ?? null,
          file: message.file ? { kind: message.file.kind } : null,
          ...(message.direction === "operator"
            ? {
                delivery: unrendered.has(message.id)
                  ? "queued"
                  : deliveryOf(deliveries.get(message.id)),
              }
            : {}),
        })),
      ),
      tags: await repos().tags.of(ticket.id),
      // Every active incident, said on every ticket; those about what the
      // bot tried for this one first.
      incidents: (await repos().incidents.active())
        .map((incident) => ({
          id: incident.id,
          broken: incident.broken,
          notice: incident.noticeRu,
          since: incident.since,
          expectedFix: incident.expectedFix,
          concernsTicket: ticket.topIntents.some((guess) =>
            incident.intents.includes(guess.intent),
          ),
        }))
        .sort((a, b) => Number(b.concernsTicket) - Number(a.concernsTicket)),
      filesShown: deps.files !== undefined,
      mayReply: ticket.state === "assigned" && mayActOn(ticket, member),
    };
  });

  const fileParams = z.object({ id: idParam, message: idParam });
  app.get("/api/tickets/:id/messages/:message/file", async (request, reply) => {
    const { member } = me(request);
    const { id, message } = fileParams.parse(request.params);
    const transcript = await repos().tickets.transcript(id);
    if (!transcript || !visible(transcript.ticket, member)) return refuse(reply, 404, "not_found");
    const file = transcript.messages.find((m) => m.id === message)?.file;
    if (!file) return refuse(reply, 404, "not_found");
    if (!deps.files) return refuse(reply, 503, "files_unavailable");
    try {
      const fetched = await deps.files(file.id);
      return reply
        .type(fetched.contentType)
        .header("cache-control", "private, no-store")
        .header(
          "content-disposition",
          fetched.inline ? "inline" : `attachment; filename="ticket-${id}-${message}"`,
        )
        .send(Buffer.from(fetched.bytes));
    } catch (error) {
      if (!(error instanceof FileUnavailable)) throw error;
      log?.warn(
        { ticket: id, message, reason: error.message },
        "a citizen's file could not be fetched",
      );
      return refuse(reply, 502, "file_unavailable");
    }
  });

  /** A ticket the signed-in member may act on: assigned to them (or any, for a supervisor). */
  const ownTicket = async (request: FastifyRequest, reply: FastifyReply) => {
    const { member } = me(request);
    const { id } = ticketParams.parse(request.params);
    const ticket = await repos().tickets.ticket(id);
    if (!visible(ticket, member)) {
      refuse(reply, 404, "not_found");
      return undefined;
    }
    if (ticket.state === "closed") {
      refuse(reply, 409, "closed");
      return undefined;
    }
    if (ticket.state !== "assigned" || !mayActOn(ticket, member)) {
      refuse(reply, 409, "not_yours", { operatorName: (await nameOf(ticket.operatorId)) ?? null });
      return undefined;
    }
    return ticket;
  };

  // Tags, on the staff member's own tickets (a supervisor's: anyone's), open or closed.
  const tagBody = z.object({ tag: z.string().trim().toLowerCase().regex(TAG) });
  const tagged = async (request: FastifyRequest, reply: FastifyReply, remove: boolean) => {
    const { member } = me(request);
    const { id } = ticketParams.parse(request.params);
    const ticket = await repos().tickets.ticket(id);
    if (!ticket || !mayActOn(ticket, member)) {
      return refuse(reply, 404, "not_found");
    }
    const { tag } = tagBody.parse(request.body);
    const r = repos();
    await (remove ? r.tags.remove(id, tag, member.id) : r.tags.add(id, tag, member.id));
    return { ok: true, tags: await r.tags.of(id) };
  };
  app.post("/api/tickets/:id/tags", (request, reply) => tagged(request, reply, false));
  app.post("/api/tickets/:id/tags/remove", (request, reply) => tagged(request, reply, true));

  app.post("/api/tickets/:id/take", async (request, reply) => {
    const { member } = me(request);
    const { id } = ticketParams.parse(request.params);
    const answer = await handoff.desk.staffPress(member.id, { kind: "take", ticketId: id });
    if (answer === undefined) return refuse(reply, 401, "signed_out");
    const ticket = await repos().tickets.ticket(id);
    if (!ticket) return refuse(reply, 404, "not_found");
    if (ticket.state === "assigned" && ticket.operatorId === member.id) return { ok: true };
    const notice = noticeOf(answer);
    return refuse(reply, 409, notice?.kind ?? "not_taken", {
      ...(notice && "operatorName" in notice ? { operatorName: notice.operatorName } : {}),
    });
  });

  app.post("/api/take-next", async (request, reply) => {
    const { member } = me(request);
    const before = new Set((await repos().tickets.ticketsOf(member.id)).map((t) => t.id));
    const answer = await handoff.desk.staffPress(member.id, { kind: "take_next" });
    if (answer === undefined) return refuse(reply, 401, "signed_out");
    const taken = (await repos().tickets.ticketsOf(member.id)).find((t) => !before.has(t.id));
    if (taken) return { ok: true, ticketId: taken.id };
    return refuse(reply, 409, noticeOf(answer)?.kind ?? "queue_empty");
  });

  app.post("/api/tickets/:id/reply", async (request, reply) => {
    const ticket = await ownTicket(request, reply);
    if (!ticket) return reply;
    const { text } = textBody.parse(request.body);
    // Refused meanwhile (the citizen cancelled, a supervisor closed it): said, not lost.
    const sent = await handoff.desk.staffMessage(me(request).member.id, {
      text,
      ticketId: ticket.id,
    });
    return sent ? { ok: true } : refuse(reply, 409, "not_sent");
  });

  app.post("/api/tickets/:id/note", async (request, reply) => {
    const ticket = await ownTicket(request, reply);
    if (!ticket) return reply;
    const { text } = textBody.parse(request.body);
    const { member } = me(request);
    await handoff.desk.staffRequest(member.id, { kind: "note", text, ticketId: ticket.id });
    return { ok: true };
  });

  app.post("/api/tickets/:id/close", async (request, reply) => {
    const ticket = await ownTicket(request, reply);
    if (!ticket) return reply;
    await handoff.desk.staffRequest(me(request).member.id, { kind: "close", ticketId: ticket.id });
    const after = await repos().tickets.ticket(ticket.id);
    return after?.state === "closed" ? { ok: true } : refuse(reply, 409, "not_closed");
  });

  app.post("/api/tickets/:id/transfer", async (request, reply) => {
    const ticket = await ownTicket(request, reply);
    if (!ticket) return reply;
    const { to } = transferBody.parse(request.body);
    const { member } = me(request);
    await handoff.desk.staffRequest(member.id, { kind: "transfer", to, ticketId: ticket.id });
    const after = await repos().tickets.ticket(ticket.id);
    const moved = to === "queue" ? after?.state === "waiting" : after?.operatorId === to;
    return moved ? { ok: true } : refuse(reply, 409, "not_transferred");
  });

  // Knowledge-base answers to insert, searched in the citizen's language.
  const kbQuery = z.object({
    q: z.string().max(200),
    ticket: idParam.optional(),
  });
  let search: { kb: KnowledgeBase; find: ReturnType<typeof createKbSearch> } | undefined;
  const searchOf = () => {
    const { kb } = deps.knowledge();
    if (search?.kb !== kb) search = { kb, find: createKbSearch(kb) };
    return search.find;
  };
  // POST: the words typed stay out of URLs (and the logs of proxies).
  app.post("/api/kb/search", async (request) => {
    const { member } = me(request);
    const { q, ticket: ticketId } = kbQuery.parse(request.body);
    const ticket = ticketId === undefined ? undefined : await repos().tickets.ticket(ticketId);
    const language = visible(ticket, member) ? ticket.language : "ru";
    const { kb } = deps.knowledge();
    const now = new Date();
    return {
      ok: true,
      language,
      answers: searchOf()(language, q).map((hit) => {
        const rendered = renderAnswer(kb, hit.intent, language, now);
        return { ...hit, preview: rendered ? htmlToText(rendered.html) : "" };
      }),
    };
  });
  const kbBody = z.object({ intent: z.string().max(100) });
  app.post("/api/tickets/:id/kb", async (request, reply) => {
    const ticket = await ownTicket(request, reply);
    if (!ticket) return reply;
    const { intent } = kbBody.parse(request.body);
    if (!deps.knowledge().kb.byId.has(intent)) return refuse(reply, 400, "unknown_intent");
    const answer = await handoff.desk.staffPress(me(request).member.id, {
      kind: "canned",
      ticketId: ticket.id,
      intent,
    });
    return answer?.spent ? { ok: true } : refuse(reply, 409, "not_sent");
  });

  app.post("/api/shift", async (request) => {
    const { on } = shiftBody.parse(request.body);
    await handoff.desk.staffRequest(me(request).member.id, { kind: "shift", on });
    return {
      ok: true,
      onShift: (await repos().staff.get(me(request).member.id))?.onShift ?? false,
    };
  });

  app.get("/api/staff/on-shift", async (request) => {
    const { member } = me(request);
    const onShift = await repos().staff.onShift();
    return {
      ok: true,
      staff: onShift.filter((m) => m.id !== member.id).map((m) => ({ id: m.id, name: m.name })),
    };
  });
}

/**
 * How far a staff member's message got by its outbox row, as the page says
 * it: queued, sent, or failed; null for one whose row is gone (purged) or
 * that never had one (said before delivery was tracked).
 */
function deliveryOf(state: OutboxState | undefined): "queued" | "sent" | "failed" | null {
  if (state === undefined) return null;
  if (state === "sent") return "sent";
  if (state === "failed") return "failed";
  return "queued";
}
