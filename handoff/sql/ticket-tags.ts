import { type AuditChannel, TAG, type TicketTags } from "../ports.ts";
import { createAuditLog } from "./audit.ts";
import type { SqlClient } from "./client.ts";

/**
 * The tickets' tags on `sql`, each change audited in its transaction.
 *
 * @example await createTicketTags(db).add(ticketId, "vip", staffId)
 */
export function createTicketTags(
  sql: SqlClient,
  options: { now?: () => number; via?: AuditChannel } = {},
): TicketTags {
  const { now = Date.now, via } = options;
  const checked = (tag: string) => {
    const normal = tag.trim().toLowerCase();
    if (!TAG.test(normal)) throw new RangeError(`not a tag: ${JSON.stringify(tag)}`);
    return normal;
  };
  const audited = (tx: SqlClient, ticketId: number, tag: string, by: number, removed: boolean) =>
    createAuditLog(tx, { now, ...(via ? { via } : {}) }).record({
      staffId: by,
      action: "tag",
      ticketId,
      details: removed ? { tag, removed: true } : { tag },
    });
  return {
    of: async (ticketId) =>
      (
        await sql.all<{ tag: string }>(
          "SELECT tag FROM ticket_tags WHERE ticket_id = ? ORDER BY tag",
          [ticketId],
        )
      ).map((row) => row.tag),
    add: (ticketId, tag, by) =>
      sql.transaction(async (tx) => {
        const normal = checked(tag);
        const added = await tx.run(
          `INSERT INTO ticket_tags (ticket_id, tag, added_by, added_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (ticket_id, tag) DO NOTHING`,
          [ticketId, normal, by, now()],
        );
        if (added > 0) await audited(tx, ticketId, normal, by, false);
        return added > 0;
      }),
    remove: (ticketId, tag, by) =>
      sql.transaction(async (tx) => {
        const normal = checked(tag);
        const removed = await tx.run("DELETE FROM ticket_tags WHERE ticket_id = ? AND tag = ?", [
          ticketId,
          normal,
        ]);
        if (removed > 0) await audited(tx, ticketId, normal, by, true);
        return removed > 0;
      }),
  };
}
