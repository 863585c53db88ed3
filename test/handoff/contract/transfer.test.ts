import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { migratePostgres } from "../../../handoff/postgres/migrations.ts";
import type { SqlClient } from "../../../handoff/sql/client.ts";
import { exportTables, ImportError, importTables, TABLES } from "../../../handoff/sql/transfer.ts";
import { sqliteClient } from "../../../handoff/sqlite/client.ts";
import { migrate } from "../../../handoff/sqlite/index.ts";
import { freshPostgres } from "../../postgres/fresh.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sqlite = async () => {
  const connection = new Database(":memory:");
  migrate(connection);
  const db = sqliteClient(connection);
  cleanups.push(() => db.close());
  return db;
};
const postgres = async () => {
  const { db, drop } = await freshPostgres();
  cleanups.push(drop);
  await migratePostgres(db);
  return db;
};

/** A small handoff's worth of rows in every table, with the awkward values. */
async function fill(db: SqlClient) {
  await db.run(
    "INSERT INTO chats (chat_id, language, blocked_at, updated_at) VALUES (?, 'ru', NULL, ?)",
    [-1001234567890, 1_733_000_000_000],
  );
  await db.run("INSERT INTO processed_updates (update_id, processed_at) VALUES (900000001, 5)");
  await db.run(
    "INSERT INTO staff (id, name, role, on_shift, added_at, telegram_user_id) VALUES (7, 'Ольга «О'''' Нил»', 'supervisor', 1, 1, 70007)",
  );
  await db.run(
    "INSERT INTO staff (id, name, role, on_shift, added_at, login) VALUES (9, 'Web', 'operator', 0, 2, 'web.op')",
  );
  for (let i = 0; i < 3; i++) {
    await db.run(
      `INSERT INTO tickets (chat_id, language, question, top_intents, state, operator_id, created_at, closed_at, closed_by)
       VALUES (?, 'ru', ?, '[]', 'closed', 7, ?, ?, 'operator')`,
      [100 + i, `вопрос ${i} \u{1F600} "кавычки"\nстрока`, i, i + 1],
    );
  }
  await db.run(
    "INSERT INTO ticket_messages (ticket_id, direction, operator_id, text, created_at) VALUES (2, 'operator', 7, 'ответ', 3)",
  );
  await db.run(
    "INSERT INTO questions (chat_id, text, language, decision, intent, confidence, candidates, created_at) VALUES (100, 'как?', 'ru', 'answer', 'x', 0.8125, '[]', 1)",
  );
  await db.run(
    "INSERT INTO feedback (chat_id, intent, helpful, created_at, message_id) VALUES (100, 'x', 1, 2, 55)",
  );
  await db.run(
    "INSERT INTO audit_log (staff_id, action, ticket_id, details, at) VALUES (7, 'close', 2, '{\"a\":1}', 4)",
  );
  await db.run(
    "INSERT INTO audit_log (telegram_user_id, action, details, at) VALUES (501, 'command', '{\"refused\":\"not_operator\"}', 5)",
  );
  for (let i = 0; i < 2_500; i++) {
    await db.run(
      "INSERT INTO outbox (chat_id, kind, payload, state, next_attempt_at, created_at) VALUES (?, 'text', '{\"text\":\"t\"}', 'sent', 0, ?)",
      [100 + (i % 7), i],
    );
  }
  await db.run("INSERT INTO operator_focus (operator_id, ticket_id) VALUES (7, 2)");
  await db.run(
    "INSERT INTO suggestions (ticket_id, question, language, intent, operator_id, created_at) VALUES (1, 'вопрос', 'ru', NULL, 7, 9)",
  );
  await db.run("INSERT INTO inbox (update_id, payload, received_at) VALUES (900000002, '{}', 6)");
  await db.run(
    `INSERT INTO incidents (notice_ru, notice_en, broken, since, expected_fix, intents, posted_by, posted_at, updated_by, updated_at, ended_by, ended_at)
     VALUES ('Вход <не> работает & «чиним»', NULL, 'вход', 1733000000000, 'к 18:00', '["tech.site_problems"]', 7, 10, 7, 11, 7, 12)`,
  );
}

async function dump(db: SqlClient) {
  const lines: string[] = [];
  const counts = await exportTables(db, (line) => {
    lines.push(line);
  });
  return { lines, counts, rows: lines.slice(1).map((line) => JSON.parse(line)) };
}

describe("export and import", () => {
  it("carry every row from SQLite to PostgreSQL and back the same, and PostgreSQL numbers on after them", async () => {
    const from = await sqlite();
    await fill(from);
    const exported = await dump(from);
    expect(exported.counts.outbox).toBe(2_500);
    expect(Object.keys(exported.counts)).toEqual(
      TABLES.filter((table) => !table.transient).map((table) => table.name),
    );

    const to = await postgres();
    expect(await importTables(to, exported.lines)).toEqual(exported.counts);
    const again = await dump(to);
    expect(again.rows).toEqual(exported.rows);

    const next = await to.get<{ id: number }>(
      `INSERT INTO tickets (chat_id, language, question, top_intents, state, created_at)
       VALUES (555, 'ru', 'новый', '[]', 'waiting', 10) RETURNING id`,
    );
    expect(next?.id).toBe(4);
    const staff = await to.get<{ id: number }>(
      "INSERT INTO staff (name, role, added_at, login) VALUES ('new', 'operator', 11, 'new') RETURNING id",
    );
    expect(staff?.id).toBe(10);

    const back = await sqlite();
    await importTables(back, again.lines);
    expect((await dump(back)).rows).toEqual(exported.rows);
  });

  it("refuses a database with data, a file that is not an export, and another schema, changing nothing", async () => {
    const from = await sqlite();
    await fill(from);
    const { lines } = await dump(from);
    const to = await postgres();
    await to.run("INSERT INTO staff (id, name, role, added_at) VALUES (1, 'x', 'operator', 1)");
    await expect(importTables(to, lines)).rejects.toThrow(/already has rows in staff/);

    const empty = await postgres();
    await expect(importTables(empty, ["{not json"])).rejects.toThrow(ImportError);
    await expect(importTables(empty, ['{"format":"other"}'])).rejects.toThrow(/export header/);
    const header = JSON.parse(lines[0] as string);
    await expect(
      importTables(empty, [JSON.stringify({ ...header, schema: 99 }), ...lines.slice(1)]),
    ).rejects.toThrow(/schema 99/);
    await expect(
      importTables(empty, [lines[0] as string, '{"table":"pg_user","row":{}}']),
    ).rejects.toThrow(/known table/);
    // A failure halfway leaves nothing behind.
    await expect(importTables(empty, [...lines.slice(0, 50), "garbage"])).rejects.toThrow(
      /not JSON/,
    );
    expect(await empty.get("SELECT count(*) AS n FROM tickets")).toEqual({ n: 0 });
    expect(await empty.get("SELECT count(*) AS n FROM outbox")).toEqual({ n: 0 });
  });
});
