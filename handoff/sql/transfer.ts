import type { SqlClient } from "./client.ts";

/**
 * The handoff's tables in an order that keeps references whole (tickets
 * before their messages and suggestions), each with its key, and whether the
 * database numbers that key itself (identity on PostgreSQL).
 */
export const TABLES: readonly {
  name: string;
  key: string;
  numbered: boolean;
  /** Counters that mean nothing after a restore (the flood limit's minute): not exported. */
  transient?: true;
}[] = [
  { name: "chats", key: "chat_id", numbered: false },
  { name: "processed_updates", key: "update_id", numbered: false },
  { name: "feedback", key: "id", numbered: true },
  { name: "questions", key: "id", numbered: true },
  { name: "staff", key: "id", numbered: true },
  { name: "tickets", key: "id", numbered: true },
  { name: "ticket_messages", key: "id", numbered: true },
  { name: "ticket_tags", key: "id", numbered: true },
  { name: "audit_log", key: "id", numbered: true },
  { name: "outbox", key: "id", numbered: true },
  { name: "operator_focus", key: "operator_id", numbered: false },
  { name: "suggestions", key: "id", numbered: true },
  { name: "inbox", key: "update_id", numbered: false },
  { name: "health_probe", key: "id", numbered: false },
  { name: "instances", key: "id", numbered: false },
  { name: "periodic_runs", key: "name", numbered: false },
  { name: "desk_effects", key: "id", numbered: true },
  { name: "staff_credentials", key: "staff_id", numbered: false },
  { name: "staff_invites", key: "token_hash", numbered: false },
  { name: "kb_drafts", key: "file", numbered: false },
  { name: "kb_publications", key: "id", numbered: true },
  { name: "kb_unanswered_decisions", key: "id", numbered: true },
  { name: "kb_unanswered_marks", key: "id", numbered: true },
  { name: "incidents", key: "id", numbered: true },
  // Sessions and failed sign-ins: after a restore, everyone signs in again.
  { name: "web_sessions", key: "token_hash", numbered: false, transient: true },
  { name: "sign_in_failures", key: "key", numbered: false, transient: true },
  { name: "flood_counts", key: "chat_id", numbered: false, transient: true },
];

/** The schema the export's rows have: SQLite's migration count (PostgreSQL's migration 11 is SQLite's 17). */
export const EXPORT_SCHEMA = 17;

/** The first line of an export. */
export interface ExportHeader {
  format: "gosuslugi-bot-export";
  schema: number;
  exportedAt: number;
  from: SqlClient["engine"];
}

/** One line of an export after the header: a row of a table. */
export interface ExportRow {
  table: string;
  row: Record<string, unknown>;
}

export type ExportCounts = Record<string, number>;

const PAGE = 1_000;

/**
 * Writes every row of the handoff's tables, as one JSON object per line
 * after a header line, read in pages by key inside one transaction (on
 * PostgreSQL a repeatable-read snapshot, so the export is one moment of a
 * running database). The format is the same from either engine, so an
 * export is a logical backup and the way from SQLite to PostgreSQL.
 *
 * @example await exportTables(db, (line) => out.write(`${line}\n`));
 */
export async function exportTables(
  db: SqlClient,
  write: (line: string) => void | Promise<void>,
  now: () => number = Date.now,
): Promise<ExportCounts> {
  return db.transaction(async (tx) => {
    if (tx.engine === "postgres") {
      await tx.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    }
    const header: ExportHeader = {
      format: "gosuslugi-bot-export",
      schema: EXPORT_SCHEMA,
      exportedAt: now(),
      from: tx.engine,
    };
    await write(JSON.stringify(header));
    const counts: ExportCounts = {};
    for (const { name, key, transient } of TABLES) {
      if (transient) continue;
      counts[name] = 0;
      let after: unknown = null;
      for (;;) {
        const rows: Record<string, unknown>[] = await tx.all<Record<string, unknown>>(
          after === null
            ? `SELECT * FROM ${name} ORDER BY ${key} LIMIT ${PAGE}`
            : `SELECT * FROM ${name} WHERE ${key} > ? ORDER BY ${key} LIMIT ${PAGE}`,
          after === null ? [] : [after as number],
        );
        for (const row of rows) {
          const line: ExportRow = { table: name, row };
          await write(JSON.stringify(line));
        }
        counts[name] += rows.length;
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1]?.[key];
      }
    }
    return counts;
  });
}

/** An export that cannot be imported: the message says why. */
export class ImportError extends Error {
  override readonly name = "ImportError";
}

/**
 * Loads an export into an empty database (its schema up to date), in one
 * transaction: all of it or nothing. Rows keep their ids; on PostgreSQL the
 * identity sequences then continue after the highest. Refuses a database
 * that already has tickets, questions or staff, a file that is not an
 * export, and an export of another schema.
 *
 * @example await importTables(db, readLines("./backup.jsonl"));
 */
export async function importTables(
  db: SqlClient,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<ExportCounts> {
  return db.transaction(async (tx) => {
    for (const { name } of TABLES) {
      if (name === "health_probe") continue;
      const found = await tx.get(`SELECT 1 AS found FROM ${name} LIMIT 1`);
      if (found) {
        throw new ImportError(
          `the database already has rows in ${name}: import into a new, empty database`,
        );
      }
    }
    await tx.run("DELETE FROM health_probe");
    const known = new Map(TABLES.map((table) => [table.name, table]));
    const columns = new Map<string, string[]>();
    const counts: ExportCounts = Object.fromEntries(
      TABLES.filter((table) => !table.transient).map((table) => [table.name, 0]),
    );
    let header: ExportHeader | undefined;
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new ImportError(`line ${lineNumber} is not JSON: not an export of this bot`);
      }
      if (!header) {
        const candidate = parsed as Partial<ExportHeader>;
        if (candidate?.format !== "gosuslugi-bot-export") {
          throw new ImportError(
            "the file does not start with an export header: not an export of this bot",
          );
        }
        if (candidate.schema !== EXPORT_SCHEMA) {
          throw new ImportError(
            `the export has schema ${candidate.schema}, this code imports ${EXPORT_SCHEMA}: use the version of the bot that made it`,
          );
        }
        header = candidate as ExportHeader;
        continue;
      }
      const { table, row } = parsed as Partial<ExportRow>;
      const spec = typeof table === "string" ? known.get(table) : undefined;
      if (!spec || spec.transient || !row || typeof row !== "object") {
        throw new ImportError(`line ${lineNumber} is not a row of a known table`);
      }
      let names = columns.get(spec.name);
      if (!names) {
        names = Object.keys(row);
        for (const name of names) {
          if (!/^[a-z_]+$/.test(name))
            throw new ImportError(`line ${lineNumber} has a strange column "${name}"`);
        }
        columns.set(spec.name, names);
      }
      const overriding =
        spec.numbered && tx.engine === "postgres" ? " OVERRIDING SYSTEM VALUE" : "";
      await tx.run(
        `INSERT INTO ${spec.name} (${names.join(", ")})${overriding} VALUES (${names.map(() => "?").join(", ")})`,
        names.map((name) => (row as Record<string, unknown>)[name] ?? null) as (
          | string
          | number
          | null
        )[],
      );
      counts[spec.name] = (counts[spec.name] ?? 0) + 1;
    }
    if (!header) throw new ImportError("the file is empty: not an export of this bot");
    if (tx.engine === "postgres") {
      for (const { name, key, numbered } of TABLES) {
        if (!numbered) continue;
        await tx.run(
          `SELECT setval(pg_get_serial_sequence('${name}', '${key}'), coalesce((SELECT max(${key}) FROM ${name}), 0) + 1, false)`,
        );
      }
    }
    return counts;
  });
}
