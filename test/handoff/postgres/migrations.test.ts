import { afterEach, describe, expect, it } from "vitest";
import {
  migratePostgres,
  POSTGRES_MIGRATIONS,
  PostgresSchemaError,
} from "../../../handoff/postgres/migrations.ts";
import { freshPostgres } from "../../postgres/fresh.ts";

describe("migratePostgres", () => {
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });
  const fresh = async () => {
    const made = await freshPostgres();
    drops.push(made.drop);
    return made.db;
  };

  it("applies every migration once, even to processes starting together", async () => {
    const db = await fresh();
    const results = await Promise.all(Array.from({ length: 5 }, () => migratePostgres(db)));
    const applied = results.flat().sort((a, b) => a - b);
    expect(applied).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    expect(await migratePostgres(db)).toEqual([]);
    const versions = await db.all<{ version: number }>(
      "SELECT version FROM schema_migrations ORDER BY version",
    );
    expect(versions.map((row) => row.version)).toEqual(applied);
  });

  it("numbers rows itself and refuses an id given by hand", async () => {
    const db = await fresh();
    await migratePostgres(db);
    const row = await db.get<{ id: number }>(
      `INSERT INTO outbox (chat_id, kind, payload, next_attempt_at, created_at)
       VALUES (1, 'text', '{}', 0, 0) RETURNING id`,
    );
    expect(row?.id).toBe(1);
    await expect(
      db.run(
        `INSERT INTO outbox (id, chat_id, kind, payload, next_attempt_at, created_at)
         VALUES (2, 1, 'text', '{}', 0, 0)`,
      ),
    ).rejects.toThrow(/non-DEFAULT value/);
  });

  it("refuses a schema newer than the code, and leaves a failed migration out whole", async () => {
    const db = await fresh();
    await migratePostgres(db);
    const broken = [...POSTGRES_MIGRATIONS, "CREATE TABLE later (id BIGINT); SELECT no_such_fn();"];
    await expect(migratePostgres(db, broken)).rejects.toThrow(/no_such_fn/);
    expect(await db.get("SELECT to_regclass('later') AS t")).toEqual({ t: null });
    await db.run("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)");
    await expect(migratePostgres(db)).rejects.toThrow(PostgresSchemaError);
    await expect(migratePostgres(db)).rejects.toThrow(/schema version 99, newer/);
  });
});
