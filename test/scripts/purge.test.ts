import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTicketService, ERASED_TEXT, type SqlDatabase } from "../../handoff/index.ts";
import { runPurge, USAGE } from "../../scripts/purge.ts";
import { openTestDatabase, TEST_ENGINE } from "../storage.ts";
import { runScript } from "./run-script.ts";
import { toolDatabase } from "./tool-database.ts";

const DAY = 24 * 60 * 60_000;
const NOW = Date.UTC(2025, 5, 1, 12, 0);

/** A database with one ticket closed `daysAgo` days before `now`. */
async function databaseWithClosedTicket(db: SqlDatabase, daysAgo: number, now = NOW) {
  const tickets = createTicketService(db, { now: () => now - daysAgo * DAY });
  const opened = await tickets.openTicket({
    chatId: 7,
    language: "ru",
    question: "паспорт 4510 123456 не принимают",
    topIntents: [],
  });
  if (!opened.ok) throw new Error(opened.reason);
  await tickets.cancel(7);
  return { tickets, id: opened.ticket.id };
}

async function run(db: SqlDatabase, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let opened = 0;
  const code = await runPurge(argv, {
    db: () => {
      opened++;
      return db;
    },
    retentionDays: 90,
    now: NOW,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join("\n"), err: err.join("\n"), opened };
}

describe("runPurge", () => {
  it("erases with RETENTION_DAYS by default and says what it erased", async () => {
    const db = await openTestDatabase();
    const { tickets, id } = await databaseWithClosedTicket(db, 91);
    const result = await run(db);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toContain("Retention 90 day(s)");
    expect(result.out).toContain("erased the question of 1 closed ticket(s)");
    expect((await tickets.ticket(id))?.question).toBe(ERASED_TEXT);
  });

  it("--days overrides it; --dry-run changes nothing and says what would go", async () => {
    const db = await openTestDatabase();
    const { tickets, id } = await databaseWithClosedTicket(db, 40);
    expect((await run(db)).out).toContain("erased the question of 0 closed ticket(s)");
    const dry = await run(db, "--days", "30", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^Dry run: nothing changed\. Retention 30 day\(s\)/);
    expect(dry.out).toContain("would erase the question of 1 closed ticket(s)");
    expect((await tickets.ticket(id))?.question).toBe("паспорт 4510 123456 не принимают");
    expect((await run(db, "--days", "30")).out).toContain(
      "erased the question of 1 closed ticket(s)",
    );
    expect((await tickets.ticket(id))?.question).toBe(ERASED_TEXT);
  });

  it("refuses a bad command line without opening the database", async () => {
    const db = await openTestDatabase();
    for (const argv of [
      ["--days", "0"],
      ["--days", "1.5"],
      ["--days", "many"],
      ["--wipe"],
      ["x"],
    ]) {
      const result = await run(db, ...argv);
      expect(result, argv.join(" ")).toMatchObject({ code: 2, opened: 0 });
      expect(result.err).toMatch(/^purge: /);
    }
    expect(await run(db, "--help")).toMatchObject({ code: 0, out: USAGE, opened: 0 });
  });
});

describe("npm run purge", () => {
  const dir = mkdtempSync(join(tmpdir(), "purge-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("works on the configured database", async () => {
    const database = await toolDatabase(dir);
    const db = await database.open();
    const { id } = await databaseWithClosedTicket(db, 100, Date.now());
    await db.close();

    const result = runScript("purge.ts", ["--dry-run"], { env: database.env });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("would erase the question of 1 closed ticket(s)");
    expect(runScript("purge.ts", [], { env: database.env }).status).toBe(0);
    const after = await database.open();
    expect((await createTicketService(after).ticket(id))?.question).toBe(ERASED_TEXT);
    await after.close();
  });

  it.skipIf(TEST_ENGINE !== "sqlite")("refuses a database file that does not exist", () => {
    const missing = runScript("purge.ts", [], {
      env: { DATABASE_PATH: join(dir, "none.sqlite"), DATABASE_URL: "" },
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no such file");
  });
});
