import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Handoff, Repositories, StaffMember } from "../../handoff/index.ts";
import type { KnowledgeBase, LabelledQuestion, Matcher } from "../../knowledge/index.ts";
import type { LiveFeed } from "./live.ts";
import type { TelegramFiles } from "./telegram-files.ts";

// What the console's route groups share: the dependencies, the signed-in
// staff member of a request, and how a refusal is said.

export interface ConsoleLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface ConsoleDeps {
  handoff: Handoff;
  /** The published knowledge base; its matcher built when first asked for (the test pane, /kb). */
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  feed: LiveFeed;
  /** The origin pages are served from: a state-changing request from elsewhere is refused. */
  publicUrl: string;
  /** Other origins the same pages are reached at (the loopback address beside localhost). */
  alsoOrigins?: readonly string[];
  secureCookies: boolean;
  idleMs: number;
  /** The citizens' files, fetched with the bot's token; without it they are listed, not shown. */
  files?: TelegramFiles;
  /** A ticket waiting longer is overdue on the supervisors' dashboard. Defaults to 10 minutes. */
  waitLimitMs?: number;
  log?: ConsoleLog;
  /** Behind a reverse proxy that sets X-Forwarded-For (the sign-in limit counts per address). */
  trustProxy?: boolean;
  /** How often a live stream checks its session is still on. Defaults to 15 s. */
  streamCheckMs?: number;
  /** The knowledge folder the content studio publishes to (every bot process shares it); without it, no studio. */
  knowledgeFolder?: string;
  /** Loads the published knowledge base again (after a publication). */
  reloadKnowledge?: () => void;
  /** The development set a publication is measured on. Defaults to none. */
  devSet?: () => readonly LabelledQuestion[];
  /** Told after an incident was posted, updated or ended (main: the signal every bot process hears). */
  onIncidentsChanged?: () => void;
}

/** The signed-in staff member a request acts as. */
export interface Signed {
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

export interface ConsoleContext {
  deps: ConsoleDeps;
  /** Every repository on the database, outside a transaction. */
  repos: () => Repositories;
  /** The session of a request's cookie, or undefined (pages check it themselves). */
  sessionOf: (request: FastifyRequest) => Promise<Signed | undefined>;
  /** The signed-in member of an /api request (the hook has checked it). */
  me: (request: FastifyRequest) => Signed;
  /** Opens a session for a member, sets its cookie; returns its CSRF token. */
  openSession: (reply: FastifyReply, member: StaffMember) => Promise<string>;
  /** Clears the session cookie. */
  clearSession: (reply: FastifyReply) => void;
  /** The session of a token's hash, as the hook finds it; `touch`: count it as use. */
  sessionOfHash: (tokenHash: string, touch: boolean) => Promise<Signed | undefined>;
  /** Ends this process's live streams of a session (signed out). */
  endStreams: (tokenHash: string) => void;
  /** Adds a live stream of a session; returns how to forget it. */
  addStream: (tokenHash: string, end: () => void) => () => void;
  /** A refusal as JSON: `{ ok: false, error }`, with the status. */
  refuse: (reply: FastifyReply, status: number, error: string, extra?: object) => FastifyReply;
}

export const idParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const shiftBody = z.object({ on: z.boolean() });
