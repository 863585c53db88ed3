import type { TicketCounts } from "../ports.ts";
import type { TicketState } from "../ticket-model.ts";
import type { SqlClient } from "./client.ts";

const BY_STATE = "SELECT state, count(*) AS count FROM tickets GROUP BY state";

/**
 * Counts the tickets on `sql` by state, fresh at each call (a metrics scrape).
 * One GROUP BY over the (state, created_at) index: it reads every ticket's
 * index entry, closed ones included, so its cost grows with the table.
 *
 * @example const counts = createTicketCounts(db); (await counts()).waiting
 */
export function createTicketCounts(sql: SqlClient): () => Promise<TicketCounts> {
  return async () => {
    const counts: TicketCounts = { waiting: 0, assigned: 0, closed: 0 };
    const rows = await sql.all<{ state: TicketState; count: number }>(BY_STATE);
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  };
}
