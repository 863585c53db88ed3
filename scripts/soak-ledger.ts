// The soak's verdict: did every message reach the other side exactly once
// and in order? Pure: the run collects what was sent and what arrived.

/** Which way a message goes. */
export type Direction = "citizen→operator" | "operator→citizen";

/** One direction of one ticket: its tokens in the order sent and in the order they arrived. */
export interface LedgerStream {
  ticketId: number;
  direction: Direction;
  sent: readonly string[];
  received: readonly string[];
}

/** A token that went wrong, and where. */
export interface LedgerFinding {
  ticketId: number;
  direction: Direction;
  token: string;
  /** How many copies arrived (duplicates), or the token it arrived after (order errors). */
  detail?: string;
}

export interface LedgerCheck {
  sent: number;
  /** Sent tokens that arrived at least once. */
  delivered: number;
  /** Sent, never arrived. */
  losses: LedgerFinding[];
  /** A second copy of a message whose send was in flight at the crash: at-least-once, allowed. */
  allowedDuplicates: LedgerFinding[];
  /** Any other extra copy, or more than one extra copy of an in-flight message. */
  duplicates: LedgerFinding[];
  /** Arrived after a message sent later (first copies), or a resent copy not right after its first. */
  orderErrors: LedgerFinding[];
  /** Arrived in a stream that never sent it (the wrong chat or ticket, or altered on the way). */
  strays: LedgerFinding[];
  /** No loss, no duplicate beyond the allowed ones, no order error, no stray. */
  clean: boolean;
}

/**
 * Checks each stream: the tokens received must be the tokens sent, in the
 * same order, each once, except that a token in `inFlight` (its outbox row was
 * being sent when the bot was killed) may arrive twice, the copies together.
 * `strays` are tokens the collector could not place in their stream.
 *
 * @example
 * checkLedger([{ ticketId: 1, direction: "citizen→operator", sent: ["a", "b"], received: ["a", "b"] }], new Set())
 *   .clean // true
 */
export function checkLedger(
  streams: readonly LedgerStream[],
  inFlight: ReadonlySet<string>,
  strays: readonly LedgerFinding[] = [],
): LedgerCheck {
  const check: LedgerCheck = {
    sent: 0,
    delivered: 0,
    losses: [],
    allowedDuplicates: [],
    duplicates: [],
    orderErrors: [],
    strays: [...strays],
    clean: false,
  };
  for (const stream of streams) checkStream(stream, inFlight, check);
  check.clean =
    check.losses.length === 0 &&
    check.duplicates.length === 0 &&
    check.orderErrors.length === 0 &&
    check.strays.length === 0;
  return check;
}

function checkStream(stream: LedgerStream, inFlight: ReadonlySet<string>, check: LedgerCheck) {
  const { ticketId, direction, sent, received } = stream;
  const finding = (token: string, detail?: string): LedgerFinding => ({
    ticketId,
    direction,
    token,
    ...(detail === undefined ? {} : { detail }),
  });
  const position = new Map(sent.map((token, index) => [token, index]));
  check.sent += sent.length;

  const copies = new Map<string, number>();
  let lastIndex = -1;
  let lastToken: string | undefined;
  for (const [at, token] of received.entries()) {
    const index = position.get(token);
    if (index === undefined) {
      check.strays.push(finding(token));
      continue;
    }
    const count = (copies.get(token) ?? 0) + 1;
    copies.set(token, count);
    if (count > 1) {
      // A resend of an in-flight row goes before any later row of its chat.
      if (inFlight.has(token) && count === 2 && received[at - 1] !== token) {
        check.orderErrors.push(finding(token, `copy 2 after ${received[at - 1] ?? "nothing"}`));
      }
      continue;
    }
    if (index < lastIndex) check.orderErrors.push(finding(token, `after ${lastToken}`));
    else {
      lastIndex = index;
      lastToken = token;
    }
  }

  for (const token of sent) {
    const count = copies.get(token) ?? 0;
    if (count === 0) check.losses.push(finding(token));
    else check.delivered++;
    if (count <= 1) continue;
    if (inFlight.has(token) && count === 2) check.allowedDuplicates.push(finding(token, "2"));
    else check.duplicates.push(finding(token, String(count)));
  }
}
