/**
 * What a handoff button asks for. A channel decodes it from what a client
 * sent (Telegram's callback data can be forged by any client), so the desk
 * checks the presser's role and the ticket's owner on every press; this only
 * says what was asked.
 */
export type DeskAction =
  /**
   * The citizen confirms: open a ticket. `after` is the chat's latest ticket
   * when the offer was made (undefined: none), so an offer pressed after a
   * ticket opened since is known to be stale.
   */
  | { kind: "confirm"; after?: number }
  /** The citizen does not want an operator after all (`after` as for confirm). */
  | { kind: "decline"; after?: number }
  /** An operator takes a ticket from its card. */
  | { kind: "take"; ticketId: number }
  /** An operator takes the ticket that has waited longest. */
  | { kind: "take_next" }
  /** An operator makes one of their tickets the current one. */
  | { kind: "switch"; ticketId: number }
  /** An operator sends a knowledge-base answer on a ticket. */
  | { kind: "canned"; ticketId: number; intent: string }
  /** The citizen says whether the closed ticket solved their problem. */
  | { kind: "solved"; ticketId: number; solved: boolean }
  /** The citizen rates a closed ticket (with the solved answer given before). */
  | { kind: "rate"; ticketId: number; solved: boolean | undefined; rating: number }
  /** The operator who closed a ticket says which intent it belonged to; null: a new topic. */
  | { kind: "topic"; ticketId: number; intent: string | null }
  /** The operator who closed a ticket does not say which intent it belonged to. */
  | { kind: "topic_skip"; ticketId: number };

/**
 * What an operator asks of the desk besides a button: the console's
 * commands (`/take 12` in Telegram), already parsed by the channel. The
 * desk checks the role for each; from a citizen every one is refused.
 */
export type OperatorRequest =
  /** Start (true) or end (false) a shift; without `on`, say which. */
  | { kind: "shift"; on?: boolean }
  /** Take that ticket, or without an id the one waiting longest. */
  | { kind: "take"; ticketId?: number }
  /** The operator's tickets, to choose the current one. */
  | { kind: "tickets" }
  /** An internal note on that ticket (the web console names it), or the current one. */
  | { kind: "note"; text: string; ticketId?: number }
  /** Knowledge-base answers for the current ticket, found by these words. */
  | { kind: "kb"; query: string }
  /**
   * Pass that ticket (a supervisor: anyone's) or the current one to an
   * operator or back to the queue; without `to`, who can take it.
   */
  | { kind: "transfer"; to?: number | "queue"; ticketId?: number }
  /** Close that ticket, or the current one. */
  | { kind: "close"; ticketId?: number }
  /** The intent of the operator's last closed ticket (an intent id or "new"). */
  | { kind: "topic"; choice: string }
  /** Supervisors: the queue and who is on shift. */
  | { kind: "queue" }
  /** Supervisors: today's figures. */
  | { kind: "stats" }
  /** Supervisors: reload the knowledge base (done by the bot; the desk checks the role). */
  | { kind: "reload" }
  /** What the operator can ask. */
  | { kind: "help" };
