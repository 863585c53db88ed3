import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  createAuditLog,
  createStaff,
  createTicketService,
  type SqlDatabase,
} from "../../../handoff/index.ts";
import { migratePostgres, POSTGRES_MIGRATIONS } from "../../../handoff/postgres/migrations.ts";
import { sqliteClient } from "../../../handoff/sqlite/client.ts";
import { MIGRATIONS, migrate } from "../../../handoff/sqlite/migrations.ts";
import { freshPostgres } from "../../postgres/fresh.ts";

// A database made before staff had ids of their own: operators known by
// their Telegram user id, the audit log naming whoever acted by it.
const BEFORE = [
  "INSERT INTO operators (user_id, name, role, on_shift, added_at) VALUES (1001, 'Anna', 'operator', 1, 1)",
  "INSERT INTO operators (user_id, name, role, on_shift, added_at, removed_at) VALUES (1002, 'Boris', 'supervisor', 0, 1, 5)",
  `INSERT INTO tickets (chat_id, language, question, top_intents, state, operator_id, created_at)
   VALUES (501, 'ru', 'вопрос', '[]', 'assigned', 1001, 2)`,
  `INSERT INTO audit_log (operator_id, action, ticket_id, details, at) VALUES (1001, 'take', 1, '{}', 3)`,
  `INSERT INTO audit_log (operator_id, action, ticket_id, details, at)
   VALUES (777, 'command', NULL, '{"refused":"not_operator"}', 4)`,
];

/** Each engine's database at the schema version before staff, and how to bring it up to date. */
const ENGINES: [string, () => Promise<{ db: SqlDatabase; upgrade: () => Promise<void> }>][] = [
  [
    "sqlite",
    async () => {
      const connection = new Database(":memory:");
      const staffVersion = MIGRATIONS.findIndex((sql) => sql.includes("RENAME TO staff"));
      for (const sql of MIGRATIONS.slice(0, staffVersion)) connection.exec(sql);
      connection.pragma(`user_version = ${staffVersion}`);
      return { db: sqliteClient(connection), upgrade: async () => migrate(connection) };
    },
  ],
  [
    "postgres",
    async () => {
      const { db, drop } = await freshPostgres();
      const staffVersion = POSTGRES_MIGRATIONS.findIndex((sql) => sql.includes("RENAME TO staff"));
      await migratePostgres(db, POSTGRES_MIGRATIONS.slice(0, staffVersion));
      return {
        db: Object.assign(Object.create(db) as SqlDatabase, { close: drop }),
        upgrade: async () => void (await migratePostgres(db)),
      };
    },
  ],
];

describe.each(ENGINES)("operators becoming staff (%s)", (_engine, open) => {
  it("keep their ids, gain their Telegram id beside them, and new staff are numbered after them", async () => {
    const { db, upgrade } = await open();
    try {
      for (const sql of BEFORE) await db.run(sql);
      await upgrade();
      const staff = createStaff(db);
      expect(await staff.byTelegram(1001)).toMatchObject({
        id: 1001,
        name: "Anna",
        onShift: true,
        removedAt: null,
        login: null,
      });
      expect(await staff.byTelegram(1002)).toMatchObject({ id: 1002, removedAt: 5 });
      expect(await staff.roleOf(1002)).toBeUndefined();
      // Their tickets are still theirs, by the same id.
      expect((await createTicketService(db).ticketsOf(1001)).map((t) => t.id)).toEqual([1]);
      // The audit log: staff by their id; a stranger's refusal by Telegram id only.
      const entries = await createAuditLog(db).entries();
      expect(entries.map((e) => [e.staffId, e.telegramUserId, e.action])).toEqual([
        [1001, 1001, "take"],
        [null, 777, "command"],
      ]);
      expect(await createAuditLog(db).latest("take", { staffId: 1001 })).toMatchObject({ id: 1 });

      const { member } = await staff.add({ login: "web.op", name: "Web", role: "operator" });
      expect(member).toMatchObject({ id: 1003, telegramUserId: null, login: "web.op" });
      // Linking a login to a Telegram operator keeps one person, one id.
      const linked = await staff.add({
        telegramUserId: 1001,
        login: "anna",
        name: "Anna",
        role: "operator",
      });
      expect(linked).toMatchObject({ created: false, member: { id: 1001, login: "anna" } });
    } finally {
      await db.close();
    }
  });
});
