import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTelegramChannel } from "../../../bot/desk/index.ts";
import {
  createAuditLog,
  createEffectsRenderer,
  newToken,
  tokenHash,
} from "../../../handoff/index.ts";
import { SESSION_COOKIE } from "../../../web/console/server.ts";
import { CITIZEN, consolePerTest, knowledge, ORIGIN, PASSWORD } from "./fixture.ts";

const setUp = consolePerTest();

describe("the console: health", () => {
  it("answers /healthz 200 while the database takes a write, 503 once it does not, and says no more", async () => {
    const { app, db } = await setUp();
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    await db.close();
    const down = await app.inject({ url: "/healthz" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: "degraded" });
  });
});

describe("the console: signing in", () => {
  it("sends the signed-out to the sign-in page, with a strict CSP and no inline script", async () => {
    const { app } = await setUp();
    const home = await app.inject({ url: "/" });
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe("/sign-in");
    const signIn = await app.inject({ url: "/sign-in" });
    const csp = String(signIn.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(signIn.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(signIn.headers["x-content-type-options"]).toBe("nosniff");
    expect((await app.inject({ url: "/api/queue" })).statusCode).toBe(401);
  });

  it("sets a password once from the link; a weak one keeps the link usable", async () => {
    const { app, handoff, accounts } = await setUp();
    const { member } = await handoff.staff.add({ login: "olga", name: "Ольга", role: "operator" });
    const token = newToken();
    await accounts.invite(member.id, tokenHash(token), Date.now() + 60_000);
    const post = (password: string, t = token) =>
      app.inject({
        method: "POST",
        url: "/api/welcome",
        headers: { origin: ORIGIN },
        payload: { token: t, password },
      });
    expect((await post("short")).json()).toMatchObject({
      error: "weak_password",
      problem: "too_short",
    });
    expect((await post("olga-olga-olga-olga")).json()).toMatchObject({ problem: "has_login" });
    const set = await post(PASSWORD);
    expect(set.statusCode).toBe(200);
    const cookie = set.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect((await post(PASSWORD)).statusCode).toBe(410);
    expect((await post(PASSWORD, newToken())).statusCode).toBe(410);
    const stored = (await accounts.credentialsOf(member.id))?.passwordHash ?? "";
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain(PASSWORD);
  });

  it("refuses a wrong password alike for a known and an unknown login, then limits tries", async () => {
    const { app, addStaff, signIn } = await setUp();
    await addStaff("olga");
    const attempt = (login: string, password: string) =>
      app.inject({
        method: "POST",
        url: "/api/sign-in",
        headers: { origin: ORIGIN },
        payload: { login, password },
      });
    const unknown = await attempt("nobody", PASSWORD);
    const wrong = await attempt("olga", "not the password");
    expect([unknown.statusCode, unknown.json()]).toEqual([401, { ok: false, error: "wrong" }]);
    expect([wrong.statusCode, wrong.json()]).toEqual([401, { ok: false, error: "wrong" }]);
    for (let i = 0; i < 4; i++) await attempt("olga", `wrong ${i}`);
    const limited = await attempt("olga", PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toBe("900");
    // Another login is not held back by olga's failures.
    await addStaff("boris");
    expect((await signIn("boris")).csrfToken).toHaveLength(43);
  });

  it("asks a supervisor to set up a second factor first, then for a code at every sign-in", async () => {
    const { addStaff, signIn, totp } = await setUp();
    await addStaff("vera", "supervisor");
    const first = await signIn("vera");
    expect((await first.get("/api/queue")).json()).toMatchObject({ error: "set_up_second_factor" });
    expect((await first.get("/api/me")).json()).toMatchObject({ mustSetUpTotp: true });
    const setup = (await first.post("/api/totp/setup")).json() as { secret: string; uri: string };
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await first.post("/api/totp/confirm", { code: "000000" })).statusCode).toBe(400);
    const code = await totp({ secret: setup.secret });
    expect((await first.post("/api/totp/confirm", { code })).json()).toEqual({ ok: true });
    expect((await first.get("/api/queue")).statusCode).toBe(200);
    await expect(signIn("vera")).rejects.toThrow(/code_needed/);
    // The code just used to confirm works no more (a replay); the next step's does.
    await expect(signIn("vera", code)).rejects.toThrow(/wrong/);
    const next = await totp({ secret: setup.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect((await signIn("vera", next)).csrfToken).toBeTruthy();
    await expect(signIn("vera", next)).rejects.toThrow(/wrong/);
  });

  it("refuses a state change without the session's CSRF token or from another origin", async () => {
    const { app, addStaff, signIn } = await setUp();
    await addStaff("olga");
    const olga = await signIn("olga");
    const cookie = `${SESSION_COOKIE}=${olga.cookie.value}`;
    const shift = (headers: Record<string, string>) =>
      app.inject({
        method: "POST",
        url: "/api/shift",
        headers: { cookie, ...headers },
        payload: { on: true },
      });
    expect((await shift({ origin: ORIGIN })).json()).toMatchObject({ error: "csrf" });
    expect((await shift({ origin: ORIGIN, "x-csrf-token": "forged" })).statusCode).toBe(403);
    expect(
      (await shift({ origin: "https://evil.example", "x-csrf-token": olga.csrfToken })).json(),
    ).toMatchObject({ error: "origin" });
    expect((await shift({ origin: ORIGIN, "x-csrf-token": olga.csrfToken })).json()).toEqual({
      ok: true,
      onShift: true,
    });
  });

  it("signs out, and a removed staff member's sessions end at once", async () => {
    const { handoff, addStaff, signIn } = await setUp();
    const olgaId = await addStaff("olga");
    const olga = await signIn("olga");
    const again = await signIn("olga");
    expect((await olga.post("/api/sign-out")).json()).toEqual({ ok: true });
    expect((await olga.get("/api/me")).statusCode).toBe(401);
    expect((await again.get("/api/me")).statusCode).toBe(200);
    await handoff.staff.remove(olgaId);
    expect((await again.get("/api/me")).statusCode).toBe(401);
  });
});

describe("the console: tickets", () => {
  it("shows the queue; take is atomic: one of two operators gets it, the other is told who", async () => {
    const { addStaff, signIn, waitingTicket, handoff } = await setUp();
    const olgaId = await addStaff("olga", "operator", "Ольга");
    await addStaff("boris", "operator", "Борис");
    const [olga, boris] = [await signIn("olga"), await signIn("boris")];
    for (const operator of [olga, boris]) await operator.post("/api/shift", { on: true });
    const id = await waitingTicket();
    const queue = (await olga.get("/api/queue")).json() as { waiting: { id: number }[] };
    expect(queue.waiting.map((t) => t.id)).toEqual([id]);

    const [a, b] = await Promise.all([
      olga.post(`/api/tickets/${id}/take`),
      boris.post(`/api/tickets/${id}/take`),
    ]);
    const answers = [a, b].map((r) => [r.statusCode, r.json().error ?? "ok"]);
    expect(answers.filter(([status]) => status === 200)).toHaveLength(1);
    const winner = a.statusCode === 200 ? olga : boris;
    const loser = winner === olga ? boris : olga;
    const loss = (winner === olga ? b : a).json();
    expect(loss).toMatchObject({
      error: "already_taken",
      operatorName: winner === olga ? "Ольга" : "Борис",
    });

    // Not theirs: as if it were not there, and nothing relayed.
    const refused = await loser.post(`/api/tickets/${id}/reply`, { text: "я тоже тут" });
    expect([refused.statusCode, refused.json().error]).toEqual([404, "not_found"]);
    expect(
      (
        await winner.post(`/api/tickets/${id}/reply`, { text: "Здравствуйте! <b>Помогу</b>" })
      ).json(),
    ).toEqual({
      ok: true,
    });
    // Said to the citizen in the desk's words, waiting for a bot to send it.
    const said = await handoff.repositories(handoff.db).effects.after(0, 100);
    expect(said.filter((r) => r.renderedAt === null).map((r) => r.effect)).toContainEqual({
      kind: "citizen",
      chatId: CITIZEN.chatId,
      language: "ru",
      notice: {
        kind: "from_operator",
        text: "Здравствуйте! <b>Помогу</b>",
        messageId: (await handoff.tickets.transcript(id))?.messages.at(-1)?.id,
      },
      ticketId: id,
    });
    const ticket = (await winner.get(`/api/tickets/${id}`)).json();
    expect(ticket.messages.map((m: { who: string; text: string }) => [m.who, m.text])).toEqual([
      ["operator", "Здравствуйте! <b>Помогу</b>"],
    ]);
    // Audited as done in the web console, by the winner's staff id.
    const audited = await createAuditLog(handoff.db).entries({ ticketId: id });
    expect(
      audited.filter((e) => e.details.refused === undefined).map((e) => [e.action, e.via]),
    ).toEqual([
      ["take", "web"],
      ["message", "web"],
    ]);
    // The loser no longer sees a ticket that is not theirs.
    expect((await loser.get(`/api/tickets/${id}`)).statusCode).toBe(404);
    expect(olgaId).toBeGreaterThan(0);
  });

  it("notes, transfers to the queue and closes; nothing for a ticket that is not there", async () => {
    const { addStaff, signIn, waitingTicket, handoff } = await setUp();
    await addStaff("olga");
    const olga = await signIn("olga");
    await olga.post("/api/shift", { on: true });
    const id = await waitingTicket();
    expect((await olga.post("/api/take-next")).json()).toEqual({ ok: true, ticketId: id });
    expect((await olga.post(`/api/tickets/${id}/note`, { text: "VIP" })).json()).toEqual({
      ok: true,
    });
    expect((await olga.post(`/api/tickets/${id}/transfer`, { to: "queue" })).json()).toEqual({
      ok: true,
    });
    expect((await handoff.tickets.ticket(id))?.state).toBe("waiting");
    await olga.post(`/api/tickets/${id}/take`);
    expect((await olga.post(`/api/tickets/${id}/close`)).json()).toEqual({ ok: true });
    expect((await olga.post(`/api/tickets/${id}/close`)).json()).toMatchObject({ error: "closed" });
    expect((await olga.post("/api/tickets/99999/take")).statusCode).toBe(404);
    expect((await olga.get("/api/tickets/99999")).statusCode).toBe(404);
    expect((await olga.get("/api/tickets/abc")).statusCode).toBe(400);
    expect((await olga.post(`/api/tickets/${id}/reply`, { text: "поздно" })).statusCode).toBe(409);
    const transcript = (await handoff.tickets.transcript(id))?.messages ?? [];
    expect(transcript.map((m) => [m.direction, m.text])).toEqual([["note", "VIP"]]);
  });
});

describe("the console: a reply's way to the citizen", () => {
  it("is queued until a bot process sends it, then sent, or failed when Telegram refused it", async () => {
    const { addStaff, signIn, waitingTicket, handoff, db } = await setUp();
    await addStaff("olga");
    const olga = await signIn("olga");
    await olga.post("/api/shift", { on: true });
    const id = await waitingTicket();
    await olga.post(`/api/tickets/${id}/take`);
    await olga.post(`/api/tickets/${id}/note`, { text: "не для гражданина" });
    for (const text of ["Первый ответ", "Второй ответ"]) {
      await olga.post(`/api/tickets/${id}/reply`, { text });
    }
    const deliveries = async () =>
      (
        (await olga.get(`/api/tickets/${id}`)).json().messages as {
          who: string;
          delivery?: string;
        }[]
      )
        .filter((m) => m.who !== "citizen")
        .map((m) => [m.who, m.delivery ?? "—"]);
    // Said in the console; no bot process has queued it yet.
    expect(await deliveries()).toEqual([
      ["note", "—"],
      ["operator", "queued"],
      ["operator", "queued"],
    ]);

    // A bot process renders them into its outbox: still on their way.
    const channel = createTelegramChannel({ knowledge: () => knowledge });
    await createEffectsRenderer({
      db,
      repositories: handoff.repositories,
      channel,
    }).renderPending();
    expect(await deliveries()).toEqual([
      ["note", "—"],
      ["operator", "queued"],
      ["operator", "queued"],
    ]);
    const [first, second] = (await handoff.outbox.inState("pending")).filter(
      (row) => row.chatId === CITIZEN.chatId && row.tag?.startsWith("message:"),
    );
    await handoff.outbox.markSent(first?.id ?? 0, 77);
    await handoff.outbox.markFailed(second?.id ?? 0, "Forbidden: bot was blocked by the user");
    expect(await deliveries()).toEqual([
      ["note", "—"],
      ["operator", "sent"],
      ["operator", "failed"],
    ]);
  });
});

describe("the console: knowledge-base answers and supervisors", () => {
  it("finds answers in the citizen's language and sends the chosen one to them", async () => {
    const { addStaff, signIn, waitingTicket, handoff } = await setUp();
    await addStaff("olga");
    const olga = await signIn("olga");
    await olga.post("/api/shift", { on: true });
    const english = { chatId: 777, userId: 777, language: "en" as const };
    const id = await waitingTicket(english, "I can't log in to my account");
    await olga.post(`/api/tickets/${id}/take`);
    const found = (await olga.post("/api/kb/search", { ticket: id, q: "passwrd" })).json();
    expect(found.language).toBe("en");
    expect(found.answers[0]).toMatchObject({ intent: "account.login_recovery" });
    expect(found.answers[0].title).toMatch(/password/i);
    expect(found.answers[0].preview).not.toMatch(/<[a-z]/);
    const before = await handoff.repositories(handoff.db).effects.latestId();
    expect(
      (await olga.post(`/api/tickets/${id}/kb`, { intent: "account.login_recovery" })).json(),
    ).toEqual({ ok: true });
    const said = await handoff.repositories(handoff.db).effects.after(before, 50);
    expect(said.map((r) => [r.effect.kind, r.effect.notice.kind])).toContainEqual([
      "citizen",
      "kb_answer",
    ]);
    expect((await olga.post(`/api/tickets/${id}/kb`, { intent: "no.such" })).statusCode).toBe(400);
    expect((await olga.post("/api/kb/search", { q: "пароль" })).json().language).toBe("ru");
  });

  it("serves the managers' report to supervisors only, its one style allowed by its hash", async () => {
    const { app, addStaff, addSupervisor, signIn, signInSupervisor } = await setUp();
    await addStaff("olga");
    await addSupervisor("vera");
    const [olga, vera] = [await signIn("olga"), await signInSupervisor("vera")];
    expect((await app.inject({ url: "/report" })).headers.location).toBe("/sign-in");
    expect((await olga.get("/report")).statusCode).toBe(403);
    const report = await vera.get("/report?days=7");
    expect(report.statusCode).toBe(200);
    const styles = [...report.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? "");
    expect(styles).toHaveLength(1);
    const hash = createHash("sha256")
      .update(styles[0] ?? "")
      .digest("base64");
    expect(report.headers["content-security-policy"]).toContain(`style-src 'sha256-${hash}'`);
    expect(report.headers["content-security-policy"]).not.toMatch(/script-src|unsafe/);
    expect(report.body).not.toContain("<script");
    expect((await vera.get("/report?days=9999")).statusCode).toBe(400);
  });

  it("shows supervisors the floor; they put an operator off shift and reassign a ticket", async () => {
    const { addStaff, addSupervisor, signIn, signInSupervisor, waitingTicket, handoff } =
      await setUp();
    const olgaId = await addStaff("olga", "operator", "Ольга");
    const borisId = await addStaff("boris", "operator", "Борис");
    await addSupervisor("vera", "Вера");
    const vera = await signInSupervisor("vera");
    const [olga, boris] = [await signIn("olga"), await signIn("boris")];
    for (const operator of [olga, boris]) await operator.post("/api/shift", { on: true });
    const id = await waitingTicket();
    await waitingTicket({ chatId: 502, userId: 502, language: "ru" });
    await olga.post(`/api/tickets/${id}/take`);

    expect((await olga.get("/api/dashboard")).statusCode).toBe(403);
    expect((await olga.post(`/api/staff/${borisId}/shift`, { on: false })).statusCode).toBe(403);
    const floor = (await vera.get("/api/dashboard")).json();
    expect(floor).toMatchObject({ waiting: 1, oldestWaitMinutes: 0, overdue: [] });
    expect(
      floor.staff.map((m: { name: string; open: number; onShift: boolean }) => [
        m.name,
        m.open,
        m.onShift,
      ]),
    ).toEqual([
      ["Борис", 0, true],
      ["Вера", 0, false],
      ["Ольга", 1, true],
    ]);
    expect(floor.today.tickets).toMatchObject({ opened: 2, waitingNow: 1, assignedNow: 1 });
    // Olga took a ticket today: her last action; Boris only started a shift.
    const lastOf = (name: string) =>
      floor.staff.find((m: { name: string }) => m.name === name)?.lastActivityAt;
    expect(lastOf("Ольга")).toBeGreaterThanOrEqual(lastOf("Борис"));
    expect(lastOf("Ольга")).toBeGreaterThan(Date.now() - 60_000);
    // Vera sees every open ticket, and moves Olga's to Boris.
    expect((await vera.get("/api/queue")).json().open.map((t: { id: number }) => t.id)).toEqual([
      id,
    ]);
    expect((await vera.post(`/api/tickets/${id}/transfer`, { to: borisId })).json()).toEqual({
      ok: true,
    });
    expect((await handoff.tickets.ticket(id))?.operatorId).toBe(borisId);
    expect((await vera.post(`/api/staff/${borisId}/shift`, { on: false })).json()).toEqual({
      ok: true,
      onShift: false,
    });
    expect((await boris.get("/api/queue")).json().onShift).toBe(false);
    expect((await vera.post("/api/staff/999/shift", { on: false })).statusCode).toBe(404);
    expect(olgaId).not.toBe(borisId);
  });
});

describe("the console: citizens' files", () => {
  it("are fetched only for a ticket the staff member may see, and not without the bot's token", async () => {
    const { addStaff, signIn, waitingTicket, handoff } = await setUp();
    await addStaff("olga");
    await addStaff("boris");
    const [olga, boris] = [await signIn("olga"), await signIn("boris")];
    await olga.post("/api/shift", { on: true });
    const id = await waitingTicket();
    await olga.post(`/api/tickets/${id}/take`);
    await handoff.desk.citizenMessage(CITIZEN, {
      text: "скан",
      file: { id: "AgAD-photo", kind: "photo" },
    });
    const message = (await olga.get(`/api/tickets/${id}`)).json().messages[0];
    expect(message).toMatchObject({ who: "citizen", file: { kind: "photo" } });
    expect(JSON.stringify(message)).not.toContain("AgAD-photo");
    const url = `/api/tickets/${id}/messages/${message.id}/file`;
    expect((await boris.get(url)).statusCode).toBe(404);
    expect((await olga.get(url)).json()).toMatchObject({ error: "files_unavailable" });
    expect((await olga.get(`/api/tickets/${id}/messages/999999/file`)).statusCode).toBe(404);
  });
});

describe("the console: tags", () => {
  it("puts tags on one's own ticket and takes them off, audited; refuses others' tickets and odd tags", async () => {
    const { addStaff, signIn, waitingTicket, handoff } = await setUp();
    await addStaff("olga");
    await addStaff("boris");
    const [olga, boris] = [await signIn("olga"), await signIn("boris")];
    await olga.post("/api/shift", { on: true });
    const id = await waitingTicket();
    expect((await olga.post(`/api/tickets/${id}/tags`, { tag: "vip" })).statusCode).toBe(404);
    await olga.post(`/api/tickets/${id}/take`);
    expect((await olga.post(`/api/tickets/${id}/tags`, { tag: " VIP " })).json()).toEqual({
      ok: true,
      tags: ["vip"],
    });
    await olga.post(`/api/tickets/${id}/tags`, { tag: "паспорт" });
    expect((await olga.post(`/api/tickets/${id}/tags`, { tag: "vip" })).json().tags).toEqual([
      "vip",
      "паспорт",
    ]);
    for (const tag of ["", "два слова", "<b>", "x".repeat(40)]) {
      expect((await olga.post(`/api/tickets/${id}/tags`, { tag })).statusCode, tag).toBe(400);
    }
    expect((await boris.post(`/api/tickets/${id}/tags`, { tag: "чужое" })).statusCode).toBe(404);
    expect((await olga.post(`/api/tickets/${id}/tags/remove`, { tag: "vip" })).json().tags).toEqual(
      ["паспорт"],
    );
    expect((await olga.get(`/api/tickets/${id}`)).json().tags).toEqual(["паспорт"]);
    const audited = (await createAuditLog(handoff.db).entries({ ticketId: id })).filter(
      (e) => e.action === "tag",
    );
    expect(audited.map((e) => e.details)).toEqual([
      { tag: "vip" },
      { tag: "паспорт" },
      { tag: "vip", removed: true },
    ]);
  });
});

describe("the console: what a second reading found", () => {
  it("counts sign-in attempts sent at once before checking them: at most 5 wrong ones pass", async () => {
    const { app, addStaff } = await setUp();
    await addStaff("olga");
    const attempt = (password: string) =>
      app.inject({
        method: "POST",
        url: "/api/sign-in",
        headers: { origin: ORIGIN },
        payload: { login: "olga", password },
      });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`guess ${i}`)));
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(15);
    expect((await attempt(PASSWORD)).statusCode).toBe(429);
  });

  it("asks for the second factor at a password link too, when it is on", async () => {
    const { app, handoff, accounts, totp } = await setUp();
    const { member } = await handoff.staff.add({ login: "vera", name: "Вера", role: "supervisor" });
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    await accounts.setTotp(member.id, secret, true);
    const token = newToken();
    await accounts.invite(member.id, tokenHash(token), Date.now() + 60_000);
    const welcome = (code?: string) =>
      app.inject({
        method: "POST",
        url: "/api/welcome",
        headers: { origin: ORIGIN },
        payload: { token, password: PASSWORD, ...(code ? { code } : {}) },
      });
    expect((await welcome()).json()).toMatchObject({ error: "code_needed" });
    expect((await welcome("123456")).json()).toMatchObject({ error: "wrong_code" });
    const set = await welcome(await totp({ secret }));
    expect(set.json()).toMatchObject({ ok: true, mustSetUpTotp: false });
  });

  it("checks the route the router matched: an encoded /api path is still /api", async () => {
    const { app, addStaff } = await setUp();
    await addStaff("olga");
    const forged = await app.inject({
      method: "POST",
      url: "/%61pi/sign-in",
      headers: { origin: "https://evil.example" },
      payload: { login: "olga", password: PASSWORD },
    });
    expect([forged.statusCode, forged.json().error]).toEqual([403, "origin"]);
    expect((await app.inject({ url: "/%61pi/queue" })).statusCode).toBe(401);
  });

  it("keeps no API answer in a cache", async () => {
    const { addStaff, signIn } = await setUp();
    await addStaff("olga");
    const olga = await signIn("olga");
    expect((await olga.get("/api/me")).headers["cache-control"]).toBe("no-store");
    expect((await olga.post("/api/totp/setup")).headers["cache-control"]).toBe("no-store");
  });

  it("does not count a page refreshing by itself as use: an unattended session still ends", async () => {
    const { app, addStaff, signIn, db } = await setUp();
    await addStaff("olga");
    const olga = await signIn("olga");
    const cookie = `${SESSION_COOKIE}=${olga.cookie.value}`;
    const seen = async () =>
      (
        await db.get<{ at: number }>(
          "SELECT last_seen_at AS at FROM web_sessions WHERE token_hash = ?",
          [tokenHash(olga.cookie.value)],
        )
      )?.at;
    const before = await seen();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await app.inject({ url: "/api/queue", headers: { cookie, "x-background": "1" } });
    expect(await seen()).toBe(before);
    await app.inject({ url: "/api/queue", headers: { cookie } });
    expect(await seen()).toBeGreaterThan(before as number);
  });

  it("ends a live stream at sign-out and when the staff member is removed", async () => {
    const { app, addStaff, signIn, handoff } = await setUp();
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const olgaId = await addStaff("olga");
    const stream = async (cookie: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/events`, { headers: { cookie } });
      const reader = response.body?.getReader();
      // In an object: an async function would wait for the promise it returns.
      return {
        ended: (async () => {
          for (;;) if ((await reader?.read())?.done !== false) return "ended";
        })(),
      };
    };
    const first = await signIn("olga");
    const one = await stream(`${SESSION_COOKIE}=${first.cookie.value}`);
    await first.post("/api/sign-out");
    await expect(one.ended).resolves.toBe("ended");

    const second = await signIn("olga");
    const two = await stream(`${SESSION_COOKIE}=${second.cookie.value}`);
    await handoff.staff.remove(olgaId);
    await expect(two.ended).resolves.toBe("ended");
  });

  it("lets a supervisor put an operator off shift, not on", async () => {
    const { addStaff, addSupervisor, signInSupervisor } = await setUp();
    const borisId = await addStaff("boris");
    await addSupervisor("vera");
    const vera = await signInSupervisor("vera");
    expect((await vera.post(`/api/staff/${borisId}/shift`, { on: true })).json()).toMatchObject({
      error: "off_only",
    });
  });
});
