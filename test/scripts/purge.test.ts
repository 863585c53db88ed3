import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createTicketService,
  ERASED_TEXT,
  openSqlite,
  type SqliteDatabase,
} from "../../handoff/index.ts";
import { runPurge, USAGE } from "../../scripts/purge.ts";
import { runScript } from "./run-script.ts";

const DAY = 24 * 60 * 60_000;
const NOW = Date.UTC(2025, 5, 1, 12, 0);

/** A database with one ticket closed `daysAgo` days before `now`. */
async function databaseWithClosedTicket(db: SqliteDatabase, daysAgo: number, now = NOW) {
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

async function run(db: SqliteDatabase, ...argv: string[]) {
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
    const db = openSqlite(":memory:");
    const { tickets, id } = await databaseWithClosedTicket(db, 91);
    const result = await run(db);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toContain("Retention 90 day(s)");
    expect(result.out).toContain("erased the question of 1 closed ticket(s)");
    expect((await tickets.ticket(id))?.question).toBe(ERASED_TEXT);
  });

  it("--days overrides it; --dry-run changes nothing and says what would go", async () => {
    const db = openSqlite(":memory:");
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
    const db = openSqlite(":memory:");
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

  it("works on DATABASE_PATH, and refuses a database that does not exist", async () => {
    const path = join(dir, "bot.sqlite");
    const db = openSqlite(path);
    const { id } = await databaseWithClosedTicket(db, 100, Date.now());
    await db.close();

    const result = runScript("purge.ts", ["--dry-run"], { env: { DATABASE_PATH: path } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("would erase the question of 1 closed ticket(s)");
    expect(runScript("purge.ts", [], { env: { DATABASE_PATH: path } }).status).toBe(0);
    const after = openSqlite(path);
    expect((await createTicketService(after).ticket(id))?.question).toBe(ERASED_TEXT);
    await after.close();

    const missing = runScript("purge.ts", [], { env: { DATABASE_PATH: join(dir, "none.sqlite") } });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no such file");
  });
});
