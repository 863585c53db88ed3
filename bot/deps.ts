import type { Logger } from "pino";
import type { Store } from "../handoff/index.ts";
import type { KnowledgeBase, Matcher } from "../knowledge/index.ts";

/** What the bot's features need; created once in main and passed in. */
export interface BotDeps {
  /** The knowledge base and its matcher, read at each update (a reload swaps them). */
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  store: Store;
  log: Logger;
  /** The clock. Defaults to Date.now where used. */
  now?: () => number;
  /** Messages a chat may send a minute before the bot asks it to slow down. */
  rateLimitPerMinute: number;
}
