import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { SqlDatabase } from "../../../handoff/sql/client.ts";
import { sqliteClient } from "../../../handoff/sqlite/client.ts";

/** Each engine's way to a fresh, empty database. */
const engines: [string, () => Promise<SqlDatabase>][] = [
  ["sqlite", async () => sqliteClient(new Database(":memory:"))],
];

describe.each(engines)("SqlClient on %s", (_engine, open) => {
  let db: SqlDatabase;
  const fresh = async () => {
    db = await open();
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, s TEXT)");
    return db;
  };
  afterEach(async () => {
    await db?.close();
  });

  it("runs statements with positional and named parameters and counts changes", async () => {
    await fresh();
    expect(await db.run("INSERT INTO t (n, s) VALUES (?, ?)", [1, "a"])).toBe(1);
    expect(await db.run("INSERT INTO t (n, s) VALUES (:n, :s)", { n: 2, s: "b" })).toBe(1);
    expect(await db.run("UPDATE t SET n = n + 10")).toBe(2);
    const row = await db.get<{ id: number; n: number }>("SELECT id, n FROM t WHERE s = ?", ["b"]);
    expect(row).toEqual({ id: 2, n: 12 });
    expect(await db.get("SELECT * FROM t WHERE s = 'none'")).toBeUndefined();
    const inserted = await db.get<{ id: number }>(
      "INSERT INTO t (n, s) VALUES (3, 'c') RETURNING id",
    );
    expect(inserted?.id).toBe(3);
    expect(await db.all<{ n: number }>("SELECT n FROM t ORDER BY id")).toEqual([
      { n: 11 },
      { n: 12 },
      { n: 3 },
    ]);
  });

  it("commits a transaction's work together, and rolls all of it back when it throws", async () => {
    await fresh();
    await db.transaction(async (tx) => {
      expect(tx.inTransaction).toBe(true);
      await tx.run("INSERT INTO t (n) VALUES (1)");
      await tx.run("INSERT INTO t (n) VALUES (2)");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO t (n) VALUES (3)");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await db.all("SELECT n FROM t ORDER BY n")).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("makes a nested transaction a savepoint: its failure undoes only its own work", async () => {
    await fresh();
    await db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (n) VALUES (1)");
      await expect(
        tx.transaction(async (inner) => {
          await inner.run("INSERT INTO t (n) VALUES (2)");
          throw new Error("inner");
        }),
      ).rejects.toThrow("inner");
      await tx.transaction(async (inner) => {
        await inner.run("INSERT INTO t (n) VALUES (3)");
      });
    });
    expect(await db.all("SELECT n FROM t ORDER BY n")).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it("keeps concurrent transactions apart: a read-then-write never interleaves", async () => {
    await fresh();
    await db.run("INSERT INTO t (id, n) VALUES (1, 0)");
    const increment = () =>
      db.transaction(async (tx) => {
        const row = await tx.get<{ n: number }>("SELECT n FROM t WHERE id = 1");
        await new Promise((resolve) => setTimeout(resolve, 1));
        await tx.run("UPDATE t SET n = ? WHERE id = 1", [(row?.n ?? 0) + 1]);
      });
    await Promise.all(Array.from({ length: 20 }, increment));
    expect(await db.get("SELECT n FROM t WHERE id = 1")).toEqual({ n: 20 });
  });

  it("shows a statement outside a transaction only committed rows", async () => {
    await fresh();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const open = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (n) VALUES (1)");
      inserted();
      await held;
      await tx.run("INSERT INTO t (n) VALUES (2)");
    });
    await insertedYet;
    const outside = db.all<{ n: number }>("SELECT n FROM t ORDER BY n");
    release();
    await open;
    // Never the half-done transaction's single row.
    expect((await outside).length).not.toBe(1);
  });
});
