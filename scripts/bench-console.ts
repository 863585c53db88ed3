// The web console under many operators: how soon a new ticket reaches every
// page that follows the live feed, and how long a page takes to load. One
// console process, in this process, on a SQLite file; the pages are plain
// HTTP clients (an EventSource each), which is what a browser's page costs
// the server.
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createStaffAccounts,
  newToken,
  openHandoff,
  type Person,
  recordingChannel,
  tokenHash,
} from "../handoff/index.ts";
import { openSqlite } from "../handoff/sqlite/index.ts";
import { createMatcher, type KnowledgeBase } from "../knowledge/index.ts";
import { createLiveFeed } from "../web/console/live.ts";
import { hashPassword } from "../web/console/passwords.ts";
import { createConsoleServer, SESSION_COOKIE } from "../web/console/server.ts";
import { quantile } from "./bench-scale.ts";

export interface ConsoleBenchOptions {
  /** Operators with a page open. Defaults to 200. */
  operators?: number;
  /** New tickets, one after another. Defaults to 30. */
  tickets?: number;
  /** Page loads timed (the page, its script and style, /api/me, /api/queue). Defaults to 200. */
  loads?: number;
  /**
   * The tickets are opened by this process's desk (its feed is woken at
   * once), or as by a bot process (false: the feed finds them at its poll).
   * Defaults to false.
   */
  sameProcess?: boolean;
}

export interface ConsoleBench {
  sameProcess: boolean;
  operators: number;
  tickets: number;
  /** From a ticket's commit to its card event at each page, in ms. */
  deliveryP50: number;
  deliveryP99: number;
  deliveryMax: number;
  /** Pages that missed a ticket's event (should be 0). */
  missed: number;
  /** Page loads timed (0: not timed). */
  loads: number;
  loadMedian: number;
  loadP99: number;
}

function http(port: number, path: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: "127.0.0.1", port, path, headers: { cookie } }, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - started));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A page following /api/events: calls `heard` with each event's data and when it arrived. */
function follow(port: number, cookie: string, heard: (data: string, at: number) => void) {
  return new Promise<() => void>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/api/events",
        headers: { cookie, accept: "text/event-stream" },
      },
      (res) => {
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(event)?.[1];
            if (data) heard(data, at);
            end = buffer.indexOf("\n\n");
          }
        });
        resolve(() => req.destroy());
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export async function benchConsole(
  kb: KnowledgeBase,
  options: ConsoleBenchOptions = {},
): Promise<ConsoleBench> {
  const { operators = 200, tickets = 30, loads = 200, sameProcess = false } = options;
  const dir = mkdtempSync(join(tmpdir(), "bench-console-"));
  const db = openSqlite(join(dir, "bot.sqlite"));
  const knowledge = { kb, matcher: createMatcher(kb) };
  let wake = () => {};
  const handoff = openHandoff(db, {
    via: "web",
    knowledge: () => knowledge,
    channel: recordingChannel(),
    onEnqueued: () => {
      if (sameProcess) wake();
    },
  });
  const feed = createLiveFeed(() => handoff.repositories(db).effects);
  wake = () => void feed.wake();
  await feed.start();
  const app = await createConsoleServer({
    handoff,
    knowledge: () => knowledge,
    feed,
    publicUrl: "http://127.0.0.1",
    secureCookies: false,
    idleMs: 3_600_000,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const accounts = createStaffAccounts(db);
  const hash = await hashPassword("bench password, long enough");
  const cookies: string[] = [];
  for (let i = 0; i < operators; i++) {
    const { member } = await handoff.staff.add({
      login: `op${i}`,
      name: `Оператор ${i}`,
      role: "operator",
    });
    await accounts.setPassword(member.id, hash);
    await handoff.staff.setShift(member.id, true);
    const token = newToken();
    await accounts.openSession(member.id, tokenHash(token), newToken());
    cookies.push(`${SESSION_COOKIE}=${token}`);
  }
  // ticket id → when its commit ended; each page's arrival times per ticket.
  const committed = new Map<number, number>();
  const arrivals: number[] = [];
  let missed = 0;
  const seen = cookies.map(() => new Set<number>());
  const closers = await Promise.all(
    cookies.map((cookie, page) =>
      follow(port, cookie, (data, at) => {
        const event = JSON.parse(data) as { notice: string; ticketId?: number };
        if (event.notice !== "card" || event.ticketId === undefined) return;
        const opened = committed.get(event.ticketId);
        seen[page]?.add(event.ticketId);
        if (opened !== undefined) arrivals.push(at - opened);
      }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let n = 0; n < tickets; n++) {
    const citizen: Person = { chatId: 10_000 + n, userId: 10_000 + n, language: "ru" };
    await handoff.desk.press(citizen, { kind: "confirm" });
    const opened = performance.now();
    const ticket = await handoff.repositories(db).tickets.openTicketOf(citizen.chatId);
    if (ticket) committed.set(ticket.id, opened);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  for (const pages of seen) missed += tickets - pages.size;
  for (const close of closers) close();

  const loadTimes: number[] = [];
  for (let i = 0; i < loads; i++) {
    const cookie = cookies[i % cookies.length] as string;
    const times = await Promise.all(
      ["/", "/static/console.js", "/static/console.css", "/api/me", "/api/queue"].map((path) =>
        http(port, path, cookie),
      ),
    );
    loadTimes.push(Math.max(...times));
  }
  await app.close();
  await feed.stop();
  await handoff.close();
  rmSync(dir, { recursive: true, force: true });
  arrivals.sort((a, b) => a - b);
  loadTimes.sort((a, b) => a - b);
  return {
    sameProcess,
    operators,
    tickets,
    deliveryP50: quantile(arrivals, 0.5),
    deliveryP99: quantile(arrivals, 0.99),
    deliveryMax: arrivals.at(-1) ?? Number.NaN,
    missed,
    loads,
    loadMedian: quantile(loadTimes, 0.5),
    loadP99: quantile(loadTimes, 0.99),
  };
}

export const formatConsoleBench = (r: ConsoleBench) =>
  `${r.operators} operators with a page open, ${r.tickets} new tickets one after another opened ${r.sameProcess ? "by this process's desk" : "as by a bot process (found at the feed's poll)"}: the card event at every page ${r.deliveryP50.toFixed(0)} ms median, p99 ${r.deliveryP99.toFixed(0)} ms, worst ${r.deliveryMax.toFixed(0)} ms after the ticket's commit; ${r.missed} missed${
    r.loads === 0
      ? ""
      : `\n${r.loads} page loads (the page, its script and style, /api/me, /api/queue, in parallel): median ${r.loadMedian.toFixed(1)} ms, p99 ${r.loadP99.toFixed(1)} ms`
  }`;
