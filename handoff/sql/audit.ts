import type { AuditAction, AuditEntry, AuditLog, AuditLogOptions } from "../ports.ts";
import type { SqlClient } from "./client.ts";

const INSERT =
  "INSERT INTO audit_log (operator_id, action, ticket_id, details, at) VALUES (?, ?, ?, ?, ?)";
const SELECT = `SELECT * FROM audit_log
  WHERE (CAST(:ticketId AS BIGINT) IS NULL OR ticket_id = :ticketId)
    AND (CAST(:operatorId AS BIGINT) IS NULL OR operator_id = :operatorId)
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
const latestOf = (sql: SqlClient, column: "ticket_id" | "operator_id") =>
  `SELECT * FROM audit_log WHERE action = ? AND ${column} = ? AND ${notRefused(sql)}
   ORDER BY id DESC LIMIT 1`;

/**
 * The audit log on `sql`. `record` is a single INSERT, so call it on the
 * client of the transaction of the action it records.
 *
 * @example await createAuditLog(db).entries({ ticketId: 7 })
 */
export function createAuditLog(sql: SqlClient, options: AuditLogOptions = {}): AuditLog {
  const { now = Date.now } = options;
  return {
    record: async ({ operatorId, action, ticketId = null, details = {} }) => {
      await sql.run(INSERT, [operatorId, action, ticketId, JSON.stringify(details), now()]);
    },
    entries: async (filter = {}) =>
      (
        await sql.all<AuditRow>(SELECT, {
          ticketId: filter.ticketId ?? null,
          operatorId: filter.operatorId ?? null,
          since: filter.since ?? null,
        })
      ).map(toEntry),
    latest: async (action, of) => {
      const row =
        "ticketId" in of
          ? await sql.get<AuditRow>(latestOf(sql, "ticket_id"), [action, of.ticketId])
          : await sql.get<AuditRow>(latestOf(sql, "operator_id"), [action, of.operatorId]);
      return row ? toEntry(row) : undefined;
    },
  };
}

interface AuditRow {
  id: number;
  operator_id: number;
  action: AuditAction;
  ticket_id: number | null;
  details: string;
  at: number;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    operatorId: row.operator_id,
    action: row.action,
    ticketId: row.ticket_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    at: row.at,
  };
}
