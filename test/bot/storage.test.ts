import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { DatabaseError } from "../../handoff/sqlite/index.ts";
import { openStorage, StorageOpenError, shownUrl } from "../../handoff/storage/index.ts";
import { freshPostgres } from "../postgres/fresh.ts";

describe("openStorage", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("opens the SQLite file with its schema, and a missing one only when asked to create it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "storage-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "bot.sqlite");
    await expect(openStorage({ engine: "sqlite", path }, { create: false })).rejects.toThrow(
      DatabaseError,
    );
    const db = await openStorage({ engine: "sqlite", path });
    cleanups.push(() => db.close());
    expect(db.engine).toBe("sqlite");
    expect(await db.get("SELECT count(*) AS n FROM tickets")).toEqual({ n: 0 });
  });

  it("opens PostgreSQL with its schema migrated", async () => {
    const { url, drop } = await freshPostgres();
    cleanups.push(drop);
    const db = await openStorage({ engine: "postgres", url, poolSize: 2 });
    cleanups.push(() => db.close());
    expect(db.engine).toBe("postgres");
    expect(await db.get("SELECT count(*) AS n FROM tickets")).toEqual({ n: 0 });
  });

  it("says what is wrong with a PostgreSQL URL in one line, never showing its password", async () => {
    const server = new URL(inject("postgresUrl"));
    const wrongPassword = new URL(server.href);
    wrongPassword.password = "not-the-password";
    const noDatabase = new URL(server.href);
    noDatabase.pathname = "/no_such_database";
    const nobodyThere = new URL(server.href);
    nobodyThere.port = "1";
    for (const [url, said] of [
      [wrongPassword, /refused the login.*user and password in DATABASE_URL/],
      [noDatabase, /has no such database/],
      [nobodyThere, /cannot reach PostgreSQL .*check DATABASE_URL/],
    ] as const) {
      const error = await openStorage({ engine: "postgres", url: url.href, poolSize: 1 }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StorageOpenError);
      const message = (error as Error).message;
      expect(message).toMatch(said);
      expect(message).not.toContain(url.password);
      expect(message).not.toContain("\n");
    }
    expect(shownUrl("postgres://bot:s3cret@db:5432/bot")).toBe("postgres://bot:***@db:5432/bot");
  });
});
