import type { AuditAction, AuditChannel, AuditEntry, AuditLog, AuditLogOptions } from "../ports.ts";
import type { SqlClient } from "./client.ts";

const INSERT = `INSERT INTO audit_log (staff_id, telegram_user_id, action, ticket_id, details, at, via)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;
const SELECT = `SELECT * FROM audit_log
  WHERE (CAST(:ticketId AS BIGINT) IS NULL OR ticket_id = :ticketId)
    AND (CAST(:staffId AS BIGINT) IS NULL OR staff_id = :staffId)
    AND (CAST(:telegramUserId AS BIGINT) IS NULL OR telegram_user_id = :telegramUserId)
    AND (CAST(:since AS BIGINT) IS NULL OR at >= :since)
  ORDER BY id`;

/**
 * Whether an entry was not refused, in each engine's JSON: SQLite keeps
 * `details` as text, so it needs json_extract; PostgreSQL's `::jsonb ->>`.
 */
const notRefused = (sql: SqlClient) =>
  sql.engine === "sqlite"
    ? "json_extract(details, '$.refused') IS NULL"
    : "(details::jsonb ->> 'refused') IS NULL";
const latestOf = (sql: SqlClient, column: "ticket_id" | "staff_id") =>
  `SELECT * FROM audit_log WHERE action = ? AND ${column} = ? AND ${notRefused(sql)}
   ORDER BY id DESC LIMIT 1`;

/**
 * The audit log on `sql`. `record` is a single INSERT, so call it on the
 * client of the transaction of the action it records.
 *
 * @example await createAuditLog(db).entries({ ticketId: 7 })
 */
export function createAuditLog(sql: SqlClient, options: AuditLogOptions = {}): AuditLog {
  const { now = Date.now, via = null } = options;
  return {
    record: async ({
      staffId = null,
      telegramUserId = null,
      action,
      ticketId = null,
      details = {},
    }) => {
      if (staffId === null && telegramUserId === null) {
        throw new Error(
          `an audit entry (${action}) names nobody: give a staff id or a Telegram user id`,
        );
      }
      await sql.run(INSERT, [
        staffId,
        telegramUserId,
        action,
        ticketId,
        JSON.stringify(details),
        now(),
        via,
      ]);
    },
    entries: async (filter = {}) =>
      (
        await sql.all<AuditRow>(SELECT, {
          ticketId: filter.ticketId ?? null,
          staffId: filter.staffId ?? null,
          telegramUserId: filter.telegramUserId ?? null,
          since: filter.since ?? null,
        })
      ).map(toEntry),
    latest: async (action, of) => {
      const row =
        "ticketId" in of
          ? await sql.get<AuditRow>(latestOf(sql, "ticket_id"), [action, of.ticketId])
          : await sql.get<AuditRow>(latestOf(sql, "staff_id"), [action, of.staffId]);
      return row ? toEntry(row) : undefined;
    },
    lastBy: async (staffId) => {
      const row = await sql.get<AuditRow>(
        "SELECT * FROM audit_log WHERE staff_id = ? ORDER BY id DESC LIMIT 1",
        [staffId],
      );
      return row ? toEntry(row) : undefined;
    },
  };
}

interface AuditRow {
  id: number;
  staff_id: number | null;
  telegram_user_id: number | null;
  action: AuditAction;
  ticket_id: number | null;
  details: string;
  at: number;
  via: AuditChannel | null;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    staffId: row.staff_id,
    telegramUserId: row.telegram_user_id,
    action: row.action,
    ticketId: row.ticket_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    at: row.at,
    via: row.via ?? null,
  };
}
