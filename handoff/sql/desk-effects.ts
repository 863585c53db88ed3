import type { DeskEffect, Shown } from "../effects.ts";
import type { DeskEffects, RecordedEffect } from "../ports.ts";
import type { SqlClient } from "./client.ts";

interface EffectRow {
  id: number;
  effect: string;
  created_at: number;
  rendered_at: number | null;
}

const INSERT = `INSERT INTO desk_effects (effect, ticket_id, staff_id, shown, created_at, rendered_at)
  VALUES (?, ?, ?, ?, ?, ?) RETURNING id`;
// Locked in id order: a second process asking meanwhile waits for this
// transaction, then reads them rendered (its WHERE is checked again on the
// rows it waited for). SQLite has one writer at a time: no lock clause.
const UNRENDERED = "SELECT * FROM desk_effects WHERE rendered_at IS NULL ORDER BY id LIMIT ?";
const AFTER = "SELECT * FROM desk_effects WHERE id > ? ORDER BY id LIMIT ?";

const toRecorded = (row: EffectRow): RecordedEffect => ({
  id: row.id,
  effect: JSON.parse(row.effect) as DeskEffect,
  createdAt: row.created_at,
  renderedAt: row.rendered_at,
});

/** The staff member an effect is said to, if it is said to one. */
const staffOf = (effect: DeskEffect) => (effect.kind === "staff" ? effect.staffId : null);
const shownOf = (effect: DeskEffect): Shown | null =>
  effect.kind === "update" ? null : (effect.shown ?? null);

/**
 * The desk's recorded effects on `sql`. `record` is one INSERT: call it on
 * the client of the step's transaction, so an effect is recorded with the
 * change it reports.
 *
 * @example await createDeskEffects(tx).record(effect, { rendered: false })
 */
export function createDeskEffects(
  sql: SqlClient,
  options: { now?: () => number } = {},
): DeskEffects {
  const { now = Date.now } = options;
  return {
    record: async (effect, { rendered }) => {
      const at = now();
      const row = await sql.get<{ id: number }>(INSERT, [
        JSON.stringify(effect),
        effect.ticketId ?? null,
        staffOf(effect),
        shownOf(effect),
        at,
        rendered ? at : null,
      ]);
      return (row as { id: number }).id;
    },
    claimUnrendered: async (limit) =>
      (
        await sql.all<EffectRow>(
          sql.engine === "postgres" ? `${UNRENDERED} FOR UPDATE` : UNRENDERED,
          [limit],
        )
      ).map(toRecorded),
    markRendered: async (ids) => {
      if (ids.length === 0) return;
      const at = now();
      for (const id of ids) {
        await sql.run(
          "UPDATE desk_effects SET rendered_at = ? WHERE id = ? AND rendered_at IS NULL",
          [at, id],
        );
      }
    },
    anyUnrendered: async () =>
      (await sql.get("SELECT 1 AS one FROM desk_effects WHERE rendered_at IS NULL LIMIT 1")) !==
      undefined,
    after: async (id, limit) => (await sql.all<EffectRow>(AFTER, [id, limit])).map(toRecorded),
    latestId: async () =>
      Number(
        (await sql.get<{ id: number | null }>("SELECT max(id) AS id FROM desk_effects"))?.id ?? 0,
      ),
    wasShown: async (ticketId, shown) =>
      (await sql.get(
        "SELECT 1 AS one FROM desk_effects WHERE ticket_id = ? AND shown = ? LIMIT 1",
        [ticketId, shown],
      )) !== undefined,
    unrenderedMessages: async (ticketId) => {
      const rows = await sql.all<EffectRow>(
        "SELECT * FROM desk_effects WHERE rendered_at IS NULL AND ticket_id = ? ORDER BY id",
        [ticketId],
      );
      const ids = new Set<number>();
      for (const { effect } of rows.map(toRecorded)) {
        if (effect.kind === "citizen" && "messageId" in effect.notice) {
          const { messageId } = effect.notice;
          if (messageId !== undefined) ids.add(messageId);
        }
      }
      return ids;
    },
  };
}
