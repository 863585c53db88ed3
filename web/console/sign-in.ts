import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { tokenHash } from "../../handoff/index.ts";
import type { ConsoleContext } from "./context.ts";
import {
  activeTotpSecret,
  decoyHash,
  hashPassword,
  mustSetUpTotp,
  newTotpSecret,
  passwordMatches,
  passwordProblem,
  totpStep,
  totpUri,
} from "./passwords.ts";

/** Failed sign-ins allowed per login, and per address, in the window. */
const LOGIN_FAILURES = 5;
const ADDRESS_FAILURES = 50;
const FAILURE_WINDOW_MS = 15 * 60_000;
const LOGIN = /^[a-z0-9][a-z0-9._-]{1,31}$/;

const signInBody = z.object({
  login: z.string().max(64),
  password: z.string().max(1024),
  code: z.string().max(16).optional(),
});
const welcomeBody = z.object({
  token: z.string().min(20).max(100),
  password: z.string().max(1024),
  code: z.string().max(16).optional(),
});
const codeBody = z.object({ code: z.string().max(16) });

/** Signing in and out, setting a password from a link, the second factor, and who one is. */
export function signInRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, repos, me, refuse, openSession, clearSession } = ctx;
  const { log } = deps;
  /** Whether a code is the member's now and not used before (a code works once). */
  const secondFactor = async (staffId: number, secret: string, code: string) => {
    const step = await totpStep(secret, code.trim());
    return step !== undefined && (await repos().accounts.useTotpStep(staffId, step));
  };

  app.post("/api/sign-in", async (request, reply) => {
    const body = signInBody.parse(request.body);
    const login = body.login.trim().toLowerCase();
    const r = repos();
    // Counted under hashes: no address, and no login typed (a password, by
    // mistake, as often as not), is kept in the database or the log.
    const [loginKey, addressKey] = [`login:${login}`, `address:${request.ip}`].map(tokenHash) as [
      string,
      string,
    ];
    // Each attempt is counted before it is checked (one upsert each), so
    // attempts sent at once cannot all pass the limit; a success takes its
    // count back.
    const byLogin = await r.accounts.recordFailure(loginKey, FAILURE_WINDOW_MS);
    const byAddress = await r.accounts.recordFailure(addressKey, FAILURE_WINDOW_MS);
    if (byLogin > LOGIN_FAILURES || byAddress > ADDRESS_FAILURES) {
      log?.warn({}, "console sign-in refused: too many failures");
      return refuse(reply.header("retry-after", "900"), 429, "too_many");
    }
    const member = LOGIN.test(login) ? await r.staff.byLogin(login) : undefined;
    const current = member && member.removedAt === null ? member : undefined;
    const credentials = current ? await r.accounts.credentialsOf(current.id) : undefined;
    const hash = credentials?.passwordHash ?? (await decoyHash());
    const passwordOk = (await passwordMatches(hash, body.password)) && current !== undefined;
    const failed = () => {
      log?.info({}, "console sign-in failed");
      return refuse(reply, 401, "wrong");
    };
    if (!passwordOk || !current || !credentials) return failed();
    const secret = activeTotpSecret(credentials);
    if (secret) {
      // Still counted: the password alone opens nothing, and guessing it by
      // this answer is as limited as any other attempt.
      if (body.code === undefined || body.code === "") return refuse(reply, 401, "code_needed");
      if (!(await secondFactor(current.id, secret, body.code))) return failed();
    }
    await r.accounts.clearFailures(loginKey);
    await r.accounts.forgiveFailure(addressKey);
    const csrfToken = await openSession(reply, current);
    log?.info({ staff: current.id }, "console sign-in");
    return {
      ok: true,
      csrfToken,
      mustSetUpTotp: mustSetUpTotp(current.role, credentials),
    };
  });

  app.post("/api/welcome", async (request, reply) => {
    const body = welcomeBody.parse(request.body);
    const r = repos();
    const hash = tokenHash(body.token);
    // The link is spent only by a password that will do.
    const invited = await r.accounts.pendingInvite(hash);
    const member = invited === undefined ? undefined : await r.staff.get(invited);
    if (!member?.login) return refuse(reply, 410, "link_used_or_expired");
    const problem = passwordProblem(body.password, member.login);
    if (problem) return refuse(reply, 400, "weak_password", { problem });
    // A link sets a password, not a second factor: one that is on still asks
    // for its code (or the admin's `staff invite --reset-second-factor`).
    const credentials = await r.accounts.credentialsOf(member.id);
    const secret = activeTotpSecret(credentials);
    if (secret) {
      if (!body.code) return refuse(reply, 401, "code_needed");
      if (!(await secondFactor(member.id, secret, body.code))) {
        return refuse(reply, 401, "wrong_code");
      }
    }
    // Used once: another request with the same link may have won meanwhile.
    if ((await r.accounts.redeemInvite(hash)) !== member.id) {
      return refuse(reply, 410, "link_used_or_expired");
    }
    await r.accounts.setPassword(member.id, await hashPassword(body.password));
    await r.accounts.endSessionsOf(member.id);
    const csrfToken = await openSession(reply, member);
    log?.info({ staff: member.id }, "console password set");
    return { ok: true, csrfToken, mustSetUpTotp: mustSetUpTotp(member.role, credentials) };
  });

  app.post("/api/sign-out", async (request, reply) => {
    await repos().accounts.endSession(me(request).tokenHash);
    ctx.endStreams(me(request).tokenHash);
    clearSession(reply);
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
    if (activeTotpSecret(credentials)) return { ok: false, error: "already_on" };
    const secret = newTotpSecret();
    await r.accounts.setTotp(member.id, secret, false);
    return { ok: true, secret, uri: totpUri(secret, member.login ?? String(member.id)) };
  });
  app.post("/api/totp/confirm", async (request, reply) => {
    const { member } = me(request);
    const { code } = codeBody.parse(request.body);
    const r = repos();
    const secret = (await r.accounts.credentialsOf(member.id))?.totpSecret;
    if (!secret || !(await secondFactor(member.id, secret, code))) {
      return refuse(reply, 400, "wrong_code");
    }
    await r.accounts.setTotp(member.id, secret, true);
    log?.info({ staff: member.id }, "console second factor on");
    return { ok: true };
  });
}
