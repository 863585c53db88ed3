import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import {
  type Handoff,
  newToken,
  probeWritable,
  type Repositories,
  type StaffMember,
  sameSecret,
  startOfMoscowDay,
  TAG,
  type Ticket,
  tokenHash,
} from "../../handoff/index.ts";
import { htmlToText, type KnowledgeBase, renderAnswer } from "../../knowledge/index.ts";
import { REPORT_STYLE, renderReportHtml } from "../report/index.ts";
import { createKbSearch } from "./kb-search.ts";
import type { LiveFeed } from "./live.ts";
import {
  decoyHash,
  hashPassword,
  newTotpSecret,
  passwordMatches,
  passwordProblem,
  totpMatches,
  totpUri,
} from "./passwords.ts";
import { FileUnavailable, type TelegramFiles } from "./telegram-files.ts";

/** The session cookie: its value is a random token, of which the database keeps only the hash. */
export const SESSION_COOKIE = "console_session";
/** Failed sign-ins allowed per login, and per address, in the window. */
const LOGIN_FAILURES = 5;
const ADDRESS_FAILURES = 50;
const FAILURE_WINDOW_MS = 15 * 60_000;
const LOGIN = /^[a-z0-9][a-z0-9._-]{1,31}$/;
/** The longest message an operator may send at once (the bot splits it for Telegram). */
const MAX_TEXT = 10_000;

const PUBLIC = fileURLToPath(new URL("../public/", import.meta.url));
const page = (name: string) => readFileSync(`${PUBLIC}${name}`, "utf8");

export interface ConsoleLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface ConsoleDeps {
  handoff: Handoff;
  knowledge: () => { kb: KnowledgeBase };
  feed: LiveFeed;
  /** The origin pages are served from: a state-changing request from elsewhere is refused. */
  publicUrl: string;
  secureCookies: boolean;
  idleMs: number;
  /** The citizens' files, fetched with the bot's token; without it they are listed, not shown. */
  files?: TelegramFiles;
  /** A ticket waiting longer is overdue on the supervisors' dashboard. Defaults to 10 minutes. */
  waitLimitMs?: number;
  log?: ConsoleLog;
  /** Behind a reverse proxy that sets X-Forwarded-For (the sign-in limit counts per address). */
  trustProxy?: boolean;
}

/** The signed-in staff member a request acts as. */
interface Signed {
  member: StaffMember;
  csrfToken: string;
  tokenHash: string;
  /** A supervisor without a second factor may only set one up. */
  mustSetUpTotp: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    signed?: Signed;
  }
}

const signInBody = z.object({
  login: z.string().max(64),
  password: z.string().max(1024),
  code: z.string().max(16).optional(),
});
const welcomeBody = z.object({
  token: z.string().min(20).max(100),
  password: z.string().max(1024),
});
const textBody = z.object({ text: z.string().trim().min(1).max(MAX_TEXT) });
const codeBody = z.object({ code: z.string().max(16) });
const shiftBody = z.object({ on: z.boolean() });
const transferBody = z.object({ to: z.union([z.literal("queue"), z.number().int().positive()]) });
const ticketParams = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

/**
 * The web console's HTTP server: sign-in (argon2id passwords, TOTP, a
 * rate limit shared by processes), server-side sessions in a cookie
 * (HttpOnly, SameSite=Strict, Secure behind https), a CSRF token on every
 * state-changing request and the Origin checked, a strict CSP (no inline
 * script), and the operators' JSON API over the same desk as Telegram's.
 * Every action checks the session's staff member and their role on the
 * server; a ticket they may not see is "not found".
 *
 * @example const app = await createConsoleServer(deps); await app.listen({ port: 8080 });
 */
export async function createConsoleServer(deps: ConsoleDeps) {
  const { handoff, feed, publicUrl, secureCookies, idleMs, log, waitLimitMs = 10 * 60_000 } = deps;
  const origin = new URL(publicUrl).origin;
  const app = Fastify({ bodyLimit: 64 * 1024, trustProxy: deps.trustProxy ?? false });
  const repos = (): Repositories => handoff.repositories(handoff.db);

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        mediaSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Same-origin only: no page of ours is framed or read by another site.
    crossOriginResourcePolicy: { policy: "same-origin" },
    referrerPolicy: { policy: "no-referrer" },
    hsts: secureCookies,
  });
  await app.register(fastifyStatic, { root: PUBLIC, prefix: "/static/", index: false });

  const cookieOptions = {
    httpOnly: true,
    sameSite: "strict" as const,
    secure: secureCookies,
    path: "/",
  };

  /** The session of a request's cookie, or undefined. */
  const sessionOf = async (request: FastifyRequest): Promise<Signed | undefined> => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token || token.length > 100) return undefined;
    const hash = tokenHash(token);
    const r = repos();
    const session = await r.accounts.session(hash, idleMs);
    if (!session) return undefined;
    const member = await r.staff.get(session.staffId);
    if (!member || member.removedAt !== null) return undefined;
    const credentials = await r.accounts.credentialsOf(member.id);
    return {
      member,
      csrfToken: session.csrfToken,
      tokenHash: hash,
      mustSetUpTotp: member.role === "supervisor" && !credentials?.totpEnabledAt,
    };
  };

  /** A state-changing request from another origin (a forged form or fetch) is refused. */
  const fromOurOrigin = (request: FastifyRequest) => {
    const from = request.headers.origin;
    return from === undefined
      ? request.headers["sec-fetch-site"] !== "cross-site"
      : from === origin;
  };

  const refuse = (reply: FastifyReply, status: number, error: string, extra: object = {}) =>
    reply.code(status).send({ ok: false, error, ...extra });

  // Every /api request but signing in is a signed-in staff member's, and a
  // state-changing one carries the session's CSRF token from our origin.
  const OPEN = new Set(["/api/sign-in", "/api/welcome"]);
  const SET_UP_ONLY = new Set(["/api/me", "/api/totp/setup", "/api/totp/confirm", "/api/sign-out"]);
  app.addHook("preHandler", async (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if (!path.startsWith("/api/")) return;
    const changing = request.method !== "GET" && request.method !== "HEAD";
    if (changing && !fromOurOrigin(request)) return refuse(reply, 403, "origin");
    if (OPEN.has(path)) return;
    const signed = await sessionOf(request);
    if (!signed) return refuse(reply, 401, "signed_out");
    if (changing) {
      const sent = request.headers["x-csrf-token"];
      if (typeof sent !== "string" || !sameSecret(sent, signed.csrfToken)) {
        log?.warn(
          { staff: signed.member.id, path },
          "console request without its CSRF token refused",
        );
        return refuse(reply, 403, "csrf");
      }
    }
    if (signed.mustSetUpTotp && !SET_UP_ONLY.has(path)) {
      return refuse(reply, 403, "set_up_second_factor");
    }
    request.signed = signed;
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof z.ZodError) return refuse(reply, 400, "bad_request");
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return refuse(reply, status, "bad_request");
    }
    log?.error({ error, path: request.url.split("?")[0] }, "console request failed");
    return refuse(reply, 500, "failed");
  });

  const me = (request: FastifyRequest) => request.signed as Signed;

  const openSession = async (reply: FastifyReply, member: StaffMember) => {
    const token = newToken();
    const csrfToken = newToken();
    await repos().accounts.openSession(member.id, tokenHash(token), csrfToken);
    reply.setCookie(SESSION_COOKIE, token, cookieOptions);
    return csrfToken;
  };

  // Pages: the shells; everything in them comes from the API.
  const html = (reply: FastifyReply, name: string) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(page(name));
  app.get("/", async (request, reply) =>
    (await sessionOf(request)) ? html(reply, "console.html") : reply.redirect("/sign-in"),
  );
  app.get("/sign-in", async (_request, reply) => html(reply, "sign-in.html"));
  // No icon: said so, rather than a 404 in every browser's console.
  app.get("/favicon.ico", async (_request, reply) => reply.code(204).send());
  // For a load balancer: whether this process can serve (its database takes a write, no fault known).
  app.get("/healthz", async (_request, reply) => {
    handoff.storage.checkFile();
    const probe = await probeWritable(handoff.db);
    const fault = handoff.storage.fault();
    const ok = probe.ok && fault === undefined;
    return reply
      .code(ok ? 200 : 503)
      .header("cache-control", "no-store")
      .send({
        status: ok ? "ok" : "degraded",
        database: probe.ok
          ? fault
            ? `${fault.kind}: ${fault.error}`
            : "writable"
          : `not writable: ${probe.error}`,
        pages: feed.size,
      });
  });
  app.get("/welcome", async (_request, reply) => html(reply, "welcome.html"));

  app.post("/api/sign-in", async (request, reply) => {
    const body = signInBody.parse(request.body);
    const login = body.login.trim().toLowerCase();
    const r = repos();
    const keys = [`login:${login}`, `address:${request.ip}`];
    const [byLogin, byAddress] = await Promise.all(
      keys.map((key) => r.accounts.failures(key, FAILURE_WINDOW_MS)),
    );
    if ((byLogin ?? 0) >= LOGIN_FAILURES || (byAddress ?? 0) >= ADDRESS_FAILURES) {
      log?.warn({ address: request.ip }, "console sign-in refused: too many failures");
      return refuse(reply.header("retry-after", "900"), 429, "too_many");
    }
    const member = LOGIN.test(login) ? await r.staff.byLogin(login) : undefined;
    const current = member && member.removedAt === null ? member : undefined;
    const credentials = current ? await r.accounts.credentialsOf(current.id) : undefined;
    const hash = credentials?.passwordHash ?? (await decoyHash());
    const passwordOk = (await passwordMatches(hash, body.password)) && current !== undefined;
    const failed = async () => {
      for (const key of keys) await r.accounts.recordFailure(key, FAILURE_WINDOW_MS);
      log?.info({ address: request.ip }, "console sign-in failed");
      return refuse(reply, 401, "wrong");
    };
    if (!passwordOk || !current || !credentials) return failed();
    if (credentials.totpEnabledAt !== null && credentials.totpSecret) {
      if (body.code === undefined || body.code === "") return refuse(reply, 401, "code_needed");
      if (!(await totpMatches(credentials.totpSecret, body.code.trim()))) return failed();
    }
    await r.accounts.clearFailures(keys[0] as string);
    const csrfToken = await openSession(reply, current);
    log?.info({ staff: current.id }, "console sign-in");
    return {
      ok: true,
      csrfToken,
      mustSetUpTotp: current.role === "supervisor" && credentials.totpEnabledAt === null,
    };
  });

  app.post("/api/welcome", async (request, reply) => {
    const body = welcomeBody.parse(request.body);
    const r = repos();
    const hash = tokenHash(body.token);
    // The link is spent only by a password that will do.
    const invited = await r.accounts.pendingInvite(hash);
    const login = invited === undefined ? undefined : (await r.staff.get(invited))?.login;
    if (!login) return refuse(reply, 410, "link_used_or_expired");
    const problem = passwordProblem(body.password, login);
    if (problem) return refuse(reply, 400, "weak_password", { problem });
    const staffId = await r.accounts.redeemInvite(hash);
    const member = staffId === undefined ? undefined : await r.staff.get(staffId);
    if (!member) return refuse(reply, 410, "link_used_or_expired");
    await r.accounts.setPassword(member.id, await hashPassword(body.password));
    await r.accounts.endSessionsOf(member.id);
    const csrfToken = await openSession(reply, member);
    log?.info({ staff: member.id }, "console password set");
    return { ok: true, csrfToken, mustSetUpTotp: member.role === "supervisor" };
  });

  app.post("/api/sign-out", async (request, reply) => {
    await repos().accounts.endSession(me(request).tokenHash);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return { ok: true };
  });

  app.get("/api/me", async (request) => {
    const { member, csrfToken, mustSetUpTotp } = me(request);
    return {
      ok: true,
      staffId: member.id,
      name: member.name,
      role: member.role,
      onShift: member.onShift,
      csrfToken,
      mustSetUpTotp,
    };
  });

  app.post("/api/totp/setup", async (request) => {
    const { member } = me(request);
    const r = repos();
    const credentials = await r.accounts.credentialsOf(member.id);
    if (credentials?.totpEnabledAt) return { ok: false, error: "already_on" };
    const secret = newTotpSecret();
    await r.accounts.setTotp(member.id, secret, false);
    return { ok: true, secret, uri: totpUri(secret, member.login ?? String(member.id)) };
  });
  app.post("/api/totp/confirm", async (request, reply) => {
    const { member } = me(request);
    const { code } = codeBody.parse(request.body);
    const r = repos();
    const secret = (await r.accounts.credentialsOf(member.id))?.totpSecret;
    if (!secret || !(await totpMatches(secret, code.trim())))
      return refuse(reply, 400, "wrong_code");
    await r.accounts.setTotp(member.id, secret, true);
    log?.info({ staff: member.id }, "console second factor on");
    return { ok: true };
  });

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
  const visible = (ticket: Ticket | undefined, member: StaffMember): ticket is Ticket =>
    ticket !== undefined &&
    (member.role === "supervisor" || ticket.state === "waiting" || ticket.operatorId === member.id);

  app.get("/api/queue", async (request) => {
    const { member } = me(request);
    const r = repos();
    const waiting = await r.tickets.queue();
    const mine = await r.tickets.ticketsOf(member.id);
    const open: Ticket[] = [];
    if (member.role === "supervisor") {
      for (const other of await r.staff.list()) open.push(...(await r.tickets.ticketsOf(other.id)));
    }
    const current = await r.staff.get(member.id);
    return {
      ok: true,
      onShift: current?.onShift ?? false,
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
        })),
      ),
      tags: await repos().tags.of(ticket.id),
      filesShown: deps.files !== undefined,
      mayReply:
        ticket.state === "assigned" &&
        (ticket.operatorId === member.id || member.role === "supervisor"),
    };
  });

  const fileParams = z.object({
    id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    message: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  });
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
    if (
      ticket.state !== "assigned" ||
      (ticket.operatorId !== member.id && member.role !== "supervisor")
    ) {
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
    if (!ticket || (ticket.operatorId !== member.id && member.role !== "supervisor")) {
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
    const notice = answer.toast?.kind === "staff" ? answer.toast.notice : undefined;
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
    const notice = answer.toast?.kind === "staff" ? answer.toast.notice : undefined;
    return refuse(reply, 409, notice?.kind ?? "queue_empty");
  });

  app.post("/api/tickets/:id/reply", async (request, reply) => {
    const ticket = await ownTicket(request, reply);
    if (!ticket) return reply;
    const { text } = textBody.parse(request.body);
    await handoff.desk.staffMessage(me(request).member.id, { text, ticketId: ticket.id });
    return { ok: true };
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
    ticket: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  });
  let search: { kb: KnowledgeBase; find: ReturnType<typeof createKbSearch> } | undefined;
  const searchOf = () => {
    const { kb } = deps.knowledge();
    if (search?.kb !== kb) search = { kb, find: createKbSearch(kb) };
    return search.find;
  };
  app.get("/api/kb", async (request) => {
    const { member } = me(request);
    const { q, ticket: ticketId } = kbQuery.parse(request.query);
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
    const staff = [];
    for (const member of await r.staff.list()) {
      const today = await r.audit.entries({ staffId: member.id, since: startOfMoscowDay(at) });
      staff.push({
        id: member.id,
        name: member.name,
        role: member.role,
        onShift: member.onShift,
        open: (await r.tickets.ticketsOf(member.id)).length,
        lastActivityAt: today.at(-1)?.at ?? null,
        via: [
          member.telegramUserId !== null ? "telegram" : null,
          member.login !== null ? "web" : null,
        ].filter(Boolean),
      });
    }
    const report = await r.reports.collect({ since: startOfMoscowDay(at), until: at });
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
  const staffParams = z.object({
    id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  });
  app.post("/api/staff/:id/shift", async (request, reply) => {
    if (!supervisor(request, reply)) return reply;
    const { id } = staffParams.parse(request.params);
    const { on } = shiftBody.parse(request.body);
    const result = await repos().staff.setShift(id, on);
    if (!result.ok) return refuse(reply, 404, "not_staff");
    log?.info({ staff: id, on, by: me(request).member.id }, "shift set by a supervisor");
    return { ok: true, onShift: result.member.onShift };
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

  // Live: Server-Sent Events of what changed; the page fetches the rest.
  app.get("/api/events", (request, reply) => {
    const { member } = me(request);
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    out.write("retry: 2000\n\n");
    const remove = feed.add({
      staffId: member.id,
      role: member.role,
      send: (event) => out.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`),
    });
    const beat = setInterval(() => out.write(": beat\n\n"), 15_000);
    request.raw.on("close", () => {
      clearInterval(beat);
      remove();
    });
  });

  return app;
}
