import { afterEach, describe, expect, it } from "vitest";
import {
  createStaffAccounts,
  newToken,
  openHandoff,
  recordingChannel,
  type SqlDatabase,
  tokenHash,
} from "../../../handoff/index.ts";
import { openPostgres } from "../../../handoff/postgres/index.ts";
import { createMatcher } from "../../../knowledge/index.ts";
import { createLiveFeed, type LiveEvent } from "../../../web/console/live.ts";
import { createConsoleServer, SESSION_COOKIE } from "../../../web/console/server.ts";
import { realKnowledgeBase } from "../../knowledge-fixture.ts";
import { freshPostgres } from "../../postgres/fresh.ts";
import { CITIZEN, ORIGIN, PASSWORD } from "./fixture.ts";

// Several console processes behind a load balancer, on one PostgreSQL
// database: any of them serves any request of a session, a take is atomic
// across them, and each one's pages hear what another's said.

const kb = realKnowledgeBase();
const knowledge = { kb, matcher: createMatcher(kb) };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function consoleProcess(db: SqlDatabase) {
  const handoff = openHandoff(db, {
    via: "web",
    knowledge: () => knowledge,
    channel: recordingChannel(),
  });
  const feed = createLiveFeed(() => handoff.repositories(db).effects, { pollMs: 50 });
  await feed.start();
  const app = await createConsoleServer({
    handoff,
    knowledge: () => knowledge,
    feed,
    publicUrl: ORIGIN,
    secureCookies: false,
    idleMs: 60_000,
  });
  cleanups.push(async () => {
    await app.close();
    await feed.stop();
  });
  return { handoff, feed, app };
}

describe("console processes on one PostgreSQL database", () => {
  it("share sessions, take atomically across processes and hear each other's effects", async () => {
    const { db: first, url, drop } = await freshPostgres({ migrated: true });
    const second = openPostgres(url, { max: 4 });
    cleanups.push(drop);
    cleanups.push(() => second.close());
    const a = await consoleProcess(first);
    const b = await consoleProcess(second);

    const accounts = createStaffAccounts(first);
    const signIn = async (login: string) => {
      const { member } = await a.handoff.staff.add({ login, name: login, role: "operator" });
      const token = newToken();
      await accounts.invite(member.id, tokenHash(token), Date.now() + 60_000);
      // The password is set through one process, the session used through the other.
      const set = await a.app.inject({
        method: "POST",
        url: "/api/welcome",
        headers: { origin: ORIGIN },
        payload: { token, password: PASSWORD },
      });
      const cookie = set.cookies.find((c) => c.name === SESSION_COOKIE)?.value as string;
      const { csrfToken } = set.json() as { csrfToken: string };
      const headers = {
        cookie: `${SESSION_COOKIE}=${cookie}`,
        origin: ORIGIN,
        "x-csrf-token": csrfToken,
      };
      return { id: member.id, headers };
    };
    const olga = await signIn("olga");
    const boris = await signIn("boris");
    for (const [app, who] of [
      [b.app, olga],
      [a.app, boris],
    ] as const) {
      const shift = await app.inject({
        method: "POST",
        url: "/api/shift",
        headers: who.headers,
        payload: { on: true },
      });
      expect(shift.json()).toEqual({ ok: true, onShift: true });
    }
    const heard: LiveEvent[] = [];
    b.feed.add({ staffId: olga.id, role: "operator", send: (event) => heard.push(event) });

    // A ticket opened through process A's desk; Olga on B hears its card.
    await a.handoff.desk.press(CITIZEN, { kind: "confirm" });
    const ticket = await a.handoff.tickets.openTicketOf(CITIZEN.chatId);
    const id = ticket?.id as number;
    await expect.poll(() => heard.some((e) => e.notice === "card" && e.ticketId === id)).toBe(true);

    const takes = await Promise.all([
      b.app.inject({ method: "POST", url: `/api/tickets/${id}/take`, headers: olga.headers }),
      a.app.inject({ method: "POST", url: `/api/tickets/${id}/take`, headers: boris.headers }),
    ]);
    expect(takes.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const owner = (await a.handoff.tickets.ticket(id))?.operatorId;
    expect([olga.id, boris.id]).toContain(owner);
    const winner = owner === olga.id ? olga : boris;
    // The winner replies through the other process than the one they took in.
    const other = winner === olga ? a.app : b.app;
    const replied = await other.inject({
      method: "POST",
      url: `/api/tickets/${id}/reply`,
      headers: winner.headers,
      payload: { text: "Здравствуйте" },
    });
    expect(replied.json()).toEqual({ ok: true });
    expect((await b.handoff.tickets.transcript(id))?.messages.map((m) => m.text)).toEqual([
      "Здравствуйте",
    ]);
  });
});
