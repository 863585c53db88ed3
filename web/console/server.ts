import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import {
  isDeskRole,
  newToken,
  type Repositories,
  type StaffMember,
  type StaffRole,
  sameSecret,
  tokenHash,
} from "../../handoff/index.ts";
import { contentRoutes } from "./content.ts";
import type { ConsoleContext, ConsoleDeps, Signed } from "./context.ts";
import { eventRoutes } from "./events.ts";
import { incidentRoutes } from "./incidents.ts";
import { learnRoutes } from "./learn.ts";
import { PUBLIC, pageRoutes } from "./pages.ts";
import { mustSetUpTotp } from "./passwords.ts";
import { signInRoutes } from "./sign-in.ts";
import { supervisorRoutes } from "./supervisors.ts";
import { ticketRoutes } from "./tickets.ts";
import { tryBotRoutes } from "./try-bot.ts";

export type { ConsoleDeps, ConsoleLog } from "./context.ts";

/** The session cookie: its value is a random token, of which the database keeps only the hash. */
export const SESSION_COOKIE = "console_session";
/** However busy, a session ends this long after signing in (a shift and then some). */
const SESSION_MAX_AGE_MS = 12 * 3_600_000;

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
  const { handoff, publicUrl, secureCookies, idleMs, log } = deps;
  const origins = new Set([new URL(publicUrl).origin, ...(deps.alsoOrigins ?? [])]);
  // Behind a proxy, its one hop is trusted: the address it saw, not one a
  // client wrote into X-Forwarded-For itself.
  const streams = new Map<string, Set<() => void>>();
  const app = Fastify({
    bodyLimit: 64 * 1024,
    trustProxy: deps.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
  });
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

  /**
   * The session of a request's cookie, or undefined. A page refreshing by
   * itself (X-Background: 1, after a live event) does not count as use, so
   * an unattended page's session still ends at the idle timeout.
   */
  const sessionOf = async (request: FastifyRequest): Promise<Signed | undefined> => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token || token.length > 100) return undefined;
    return sessionOfHash(tokenHash(token), request.headers["x-background"] !== "1");
  };
  const sessionOfHash = async (hash: string, touch: boolean): Promise<Signed | undefined> => {
    const r = repos();
    const session = await r.accounts.session(hash, idleMs, { maxAgeMs: SESSION_MAX_AGE_MS, touch });
    if (!session) return undefined;
    const member = await r.staff.get(session.staffId);
    if (!member || member.removedAt !== null) return undefined;
    const credentials = await r.accounts.credentialsOf(member.id);
    return {
      member,
      csrfToken: session.csrfToken,
      tokenHash: hash,
      mustSetUpTotp: mustSetUpTotp(member.role, credentials),
    };
  };

  /** A state-changing request from another origin (a forged form or fetch) is refused. */
  const fromOurOrigin = (request: FastifyRequest) => {
    const from = request.headers.origin;
    return from === undefined
      ? request.headers["sec-fetch-site"] !== "cross-site"
      : origins.has(from);
  };

  const refuse = (reply: FastifyReply, status: number, error: string, extra: object = {}) =>
    reply.code(status).send({ ok: false, error, ...extra });

  // Every /api request but signing in is a signed-in staff member's, and a
  // state-changing one carries the session's CSRF token from our origin.
  const OPEN = new Set(["/api/sign-in", "/api/welcome"]);
  const SET_UP_ONLY = new Set(["/api/me", "/api/totp/setup", "/api/totp/confirm", "/api/sign-out"]);
  // What every role may ask (incidents: everyone reads them; who changes
  // them is checked at their routes); /api/content/ is the content staff's;
  // the rest (tickets, shifts, the floor, the live feed) the desk's alone.
  const EVERYONE = new Set([...SET_UP_ONLY, "/api/try"]);
  const mayAsk = (role: StaffRole, path: string) =>
    EVERYONE.has(path) ||
    path === "/api/incidents" ||
    path.startsWith("/api/incidents/") ||
    (path.startsWith("/api/content/") ? !isDeskRole(role) : isDeskRole(role));
  app.addHook("preHandler", async (request, reply) => {
    // The route matched, not the URL as sent: "/%61pi/…" is "/api/…" to the router.
    const path = request.routeOptions.url ?? "";
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
    if (!mayAsk(signed.member.role, path)) {
      log?.warn(
        { staff: signed.member.id, path },
        "console request outside the staff member's role refused",
      );
      return refuse(reply, 403, "not_your_role");
    }
    request.signed = signed;
  });
  // What the API answers is the staff member's alone: never kept by a cache.
  app.addHook("onSend", async (request, reply) => {
    if ((request.routeOptions.url ?? "").startsWith("/api/"))
      reply.header("cache-control", "no-store");
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

  const ctx: ConsoleContext = {
    deps,
    repos,
    sessionOf,
    me,
    openSession,
    clearSession: (reply) => void reply.clearCookie(SESSION_COOKIE, cookieOptions),
    sessionOfHash,
    addStream: (hash, end) => {
      const ofSession = streams.get(hash) ?? new Set();
      streams.set(hash, ofSession);
      ofSession.add(end);
      return () => {
        ofSession.delete(end);
        if (ofSession.size === 0) streams.delete(hash);
      };
    },
    endStreams: (hash) => {
      for (const end of streams.get(hash) ?? []) end();
      streams.delete(hash);
    },
    refuse,
  };
  pageRoutes(app, ctx);
  signInRoutes(app, ctx);
  ticketRoutes(app, ctx);
  supervisorRoutes(app, ctx);
  eventRoutes(app, ctx);
  tryBotRoutes(app, ctx);
  incidentRoutes(app, ctx);
  if (deps.knowledgeFolder) {
    const studio = contentRoutes(app, ctx, deps.knowledgeFolder);
    learnRoutes(app, studio);
  }
  return app;
}
