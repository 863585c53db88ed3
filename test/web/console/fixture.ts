import { generate } from "otplib";
import { afterEach } from "vitest";
import {
  createStaffAccounts,
  newToken,
  openHandoff,
  type Person,
  recordingChannel,
  type SqlDatabase,
  type StaffRole,
  tokenHash,
} from "../../../handoff/index.ts";
import { createMatcher, type LabelledQuestion } from "../../../knowledge/index.ts";
import { createLiveFeed } from "../../../web/console/live.ts";
import { createConsoleServer, SESSION_COOKIE } from "../../../web/console/server.ts";
import type { TelegramFiles } from "../../../web/console/telegram-files.ts";
import { freePort } from "../../free-port.ts";
import { realKnowledgeBase } from "../../knowledge-fixture.ts";
import { openTestDatabase } from "../../storage.ts";

export const ORIGIN = "http://console.test";
const kb = realKnowledgeBase();
export const knowledge = { kb, matcher: createMatcher(kb) };
export const CITIZEN: Person = { chatId: 501, userId: 501, language: "ru" };
export const PASSWORD = "correct horse battery staple";
/** The second factor of supervisors added by addSupervisor. */
export const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/**
 * The console listening on a free loopback port with its live feed running,
 * for a browser; `close` stops both.
 */
export async function listeningConsole(options: Parameters<typeof setUpConsole>[1] = {}) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const console = await setUpConsole(origin, options);
  await console.feed.start();
  await console.app.listen({ host: "127.0.0.1", port });
  return {
    console,
    origin,
    close: async () => {
      await console.feed.stop();
      await console.app.close();
    },
  };
}

/**
 * A test file's `setUp`: a console (setUpConsole) per call, closed after
 * each test.
 */
export function consolePerTest() {
  let closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing) await close();
    closing = [];
  });
  return async (options: Parameters<typeof setUpConsole>[1] = {}) => {
    const console = await setUpConsole(ORIGIN, options);
    closing.push(() => console.app.close());
    return console;
  };
}

/** The console server on a fresh database, driven by light requests (no sockets). */
export async function setUpConsole(
  origin = ORIGIN,
  options: {
    files?: TelegramFiles;
    alsoOrigins?: string[];
    /** A knowledge folder (a copy: publishing writes it) for the content studio. */
    knowledgeFolder?: string;
    /** The development set a publication is measured on. */
    devSet?: () => readonly LabelledQuestion[];
    /** Told after an incident changed (the bot's processes, in main). */
    onIncidentsChanged?: () => void;
    /** The database (a file a bot process shares). Defaults to a fresh one of the run's engine. */
    database?: SqlDatabase;
  } = {},
) {
  const db = options.database ?? (await openTestDatabase());
  let wake = () => {};
  const handoff = openHandoff(db, {
    via: "web",
    knowledge: () => knowledge,
    channel: recordingChannel(),
    onEnqueued: () => wake(),
  });
  const feed = createLiveFeed(() => handoff.repositories(db).effects, { pollMs: 100 });
  wake = () => void feed.wake();
  const app = await createConsoleServer({
    handoff,
    knowledge: () => knowledge,
    feed,
    publicUrl: origin,
    secureCookies: false,
    idleMs: 30 * 60_000,
    streamCheckMs: 100,
    ...(options.files ? { files: options.files } : {}),
    ...(options.alsoOrigins ? { alsoOrigins: options.alsoOrigins } : {}),
    ...(options.knowledgeFolder ? { knowledgeFolder: options.knowledgeFolder } : {}),
    ...(options.devSet ? { devSet: options.devSet } : {}),
    ...(options.onIncidentsChanged ? { onIncidentsChanged: options.onIncidentsChanged } : {}),
  });
  const accounts = createStaffAccounts(db);

  /** A staff member with a login and a password set; returns their id. */
  const addStaff = async (login: string, role: StaffRole = "operator", name = login) => {
    const { member } = await handoff.staff.add({ login, name, role });
    const token = newToken();
    await accounts.invite(member.id, tokenHash(token), Date.now() + 60_000);
    const set = await app.inject({
      method: "POST",
      url: "/api/welcome",
      headers: { origin },
      payload: { token, password: PASSWORD },
    });
    if (set.statusCode !== 200) throw new Error(`password not set: ${set.body}`);
    return member.id;
  };

  /** Signs in; returns a client that sends the cookie and the CSRF token. */
  const signIn = async (login: string, code?: string) => {
    const response = await app.inject({
      method: "POST",
      url: "/api/sign-in",
      headers: { origin },
      payload: { login, password: PASSWORD, ...(code ? { code } : {}) },
    });
    const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
    if (response.statusCode !== 200 || !cookie) throw new Error(`not signed in: ${response.body}`);
    const { csrfToken } = response.json() as { csrfToken: string };
    const headers = { cookie: `${SESSION_COOKIE}=${cookie.value}`, origin };
    return {
      cookie,
      csrfToken,
      get: (url: string) => app.inject({ method: "GET", url, headers }),
      post: (url: string, payload: object = {}) =>
        app.inject({
          method: "POST",
          url,
          headers: { ...headers, "x-csrf-token": csrfToken },
          payload,
        }),
    };
  };

  /** A citizen's ticket, waiting. */
  const waitingTicket = async (
    citizen: Person = CITIZEN,
    question = "Не приходит код подтверждения на телефон, уже час жду",
  ) => {
    await handoff.store.recordQuestion({
      chatId: citizen.chatId,
      text: question,
      language: citizen.language,
      decision: "escalate",
      intent: null,
      confidence: 0.2,
      candidates: [
        { intent: "account.login_recovery", score: 0.41 },
        { intent: "tech.site_problems", score: 0.33 },
      ],
    });
    await handoff.desk.press(citizen, { kind: "confirm" });
    const ticket = await handoff.tickets.openTicketOf(citizen.chatId);
    if (!ticket) throw new Error("no ticket");
    return ticket.id;
  };

  /** A supervisor with a password and a second factor on; returns their id (codes from TOTP_SECRET). */
  const addSupervisor = async (login: string, name = login) => {
    const id = await addStaff(login, "supervisor", name);
    await accounts.setTotp(id, TOTP_SECRET, true);
    return id;
  };
  /** Signs a supervisor added by addSupervisor in, with the code of now. */
  const signInSupervisor = async (login: string) =>
    signIn(login, await generate({ secret: TOTP_SECRET }));

  return {
    db,
    handoff,
    app,
    feed,
    accounts,
    addStaff,
    addSupervisor,
    signIn,
    signInSupervisor,
    waitingTicket,
    totp: generate,
  };
}
