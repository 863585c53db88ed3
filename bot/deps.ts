import type { Logger } from "pino";
import type { Handoff, Incident } from "../handoff/index.ts";
import type { KnowledgeBase, Matcher } from "../knowledge/index.ts";
import type { ReloadResult } from "./knowledge-source.ts";
import type { Metrics } from "./metrics.ts";
import type { RateLimiter } from "./rate-limit.ts";

/** What the bot's features need; created once in main and passed in. */
export interface BotDeps {
  /** The knowledge base and its matcher, read at each update (a reload swaps them). */
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  /** The stored state (store, tickets, operators, outbox) and the handoff desk over it. */
  handoff: Handoff;
  log: Logger;
  /**
   * Loads the knowledge folder again (admins' /reload), building off the
   * event loop; absent where the bot cannot reload.
   */
  reloadKnowledge?: () => ReloadResult | Promise<ReloadResult>;
  /** The clock. Defaults to Date.now where used. */
  now?: () => number;
  /** Messages a chat may send a minute before the bot asks it to slow down. */
  rateLimitPerMinute: number;
  /**
   * The flood limits, when several processes must count a chat together
   * (the database's counts). Defaults to counting in this process's memory.
   */
  floodLimits?: { messages: RateLimiter; presses: RateLimiter };
  /** Prometheus recorders; none are kept when omitted (tests, the terminal). */
  metrics?: Metrics;
  /**
   * The active incidents, read at each answer (kept in memory, following
   * the console's changes: `followIncidents`). Defaults to none.
   */
  incidents?: () => readonly Incident[];
}
