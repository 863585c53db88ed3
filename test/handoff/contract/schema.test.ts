import { afterEach, describe, expect, it } from "vitest";
import { TABLES } from "../../../handoff/sql/transfer.ts";
import { ENGINES, type TestDatabase } from "./engines.ts";

/** Each table's columns, by engine, as the database reports them. */
async function columnsOf({ db }: TestDatabase): Promise<Record<string, string[]>> {
  const rows =
    db.engine === "sqlite"
      ? await db.all<{ table_name: string; column_name: string }>(
          `SELECT m.name AS table_name, p.name AS column_name
           FROM sqlite_master m, pragma_table_info(m.name) p
           WHERE m.type = 'table' ORDER BY m.name, p.name`,
        )
      : await db.all<{ table_name: string; column_name: string }>(
          `SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
           ORDER BY table_name, column_name`,
        );
  const tables: Record<string, string[]> = {};
  for (const row of rows) {
    tables[row.table_name] = [...(tables[row.table_name] ?? []), row.column_name];
  }
  return tables;
}

describe("the two engines' schemas", () => {
  const opened: TestDatabase[] = [];
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
  });

  it("have the same tables and columns, and the export knows every table", async () => {
    const schemas: Record<string, string[]>[] = [];
    for (const [, open] of ENGINES) {
      const database = await open();
      opened.push(database);
      schemas.push(await columnsOf(database));
    }
    const [sqlite, postgres] = schemas;
    expect(postgres).toEqual(sqlite);
    expect(Object.keys(sqlite ?? {}).sort()).toEqual(TABLES.map((table) => table.name).sort());
  });
});
