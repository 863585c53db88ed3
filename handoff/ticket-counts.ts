import type { Database } from "better-sqlite3";
import type { TicketState } from "./ticket-model.ts";

/** How many tickets are in each state now. */
export type TicketCounts = Record<TicketState, number>;

/**
 * Counts the tickets on `db` by state, fresh at each call (a metrics scrape).
 * One GROUP BY over the (state, created_at) index: it reads every ticket's
 * index entry, closed ones included, so its cost grows with the table.
 *
 * @example const counts = createTicketCounts(db); counts().waiting
 */
export function createTicketCounts(db: Database): () => TicketCounts {
  const byState = db.prepare<[], { state: TicketState; count: number }>(
    "SELECT state, count(*) AS count FROM tickets GROUP BY state",
  );
  return () => {
    const counts: TicketCounts = { waiting: 0, assigned: 0, closed: 0 };
    for (const row of byState.all()) counts[row.state] = row.count;
    return counts;
  };
}
