import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { databaseOf } from "../../bot/config.ts";
import { createStaff, createTicketService, type SqlDatabase } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { formatBytes, runBackup } from "../../scripts/backup.ts";
import { freshPostgres } from "../postgres/fresh.ts";
import { TEST_ENGINE } from "../storage.ts";
import { runScript } from "./run-script.ts";
import { type ToolDatabase, toolDatabase } from "./tool-database.ts";

const dir = mkdtempSync(join(tmpdir(), "backup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let made = 0;
const newDir = () => mkdtempSync(join(dir, `d${++made}-`));

/** Two tickets and an operator. */
async function fill(db: SqlDatabase) {
  const tickets = createTicketService(db);
  await createStaff(db).add({ telegramUserId: 601, name: "Анна", role: "operator" });
  await tickets.openTicket({ chatId: 1, language: "ru", question: "?", topIntents: [] });
  await tickets.openTicket({ chatId: 2, language: "en", question: "how", topIntents: [] });
}

/** A database on this run's engine with fill()'s rows. */
async function filled(): Promise<ToolDatabase> {
  const database = await toolDatabase(newDir());
  const db = await database.open();
  await fill(db);
  await db.close();
  return database;
}

async function questionsIn(database: ToolDatabase): Promise<string[]> {
  const db = await database.open();
  try {
    const rows = await db.all<{ question: string }>("SELECT question FROM tickets ORDER BY id");
    return rows.map((row) => row.question);
  } finally {
    await db.close();
  }
}

async function run(database: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBackup(argv, {
    database: databaseOf(database),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const sqliteOnly = it.skipIf(TEST_ENGINE !== "sqlite");

describe("runBackup", () => {
  sqliteOnly(
    "SQLite: prints the size and the time, and refuses to overwrite without --force",
    async () => {
      const source = await filled();
      const file = join(dir, "a.sqlite");
      const first = await run(source.env, file);
      expect(first).toMatchObject({ code: 0, err: "" });
      expect(first.out).toMatch(
        /^backed up .*bot\.sqlite to .*a\.sqlite: \d+\.\d KB \(\d+ pages, schema version \d+\) in \d+ ms; integrity ok$/,
      );
      const again = await run(source.env, file);
      expect(again).toMatchObject({ code: 1, out: "" });
      expect(again.err).toContain("exists; --force replaces it");
      expect((await run(source.env, file, "--force")).code).toBe(0);
    },
  );

  it("needs exactly one FILE and known flags; --restore goes alone", async () => {
    const source = await toolDatabase(newDir());
    const [a, b] = [join(dir, "one.sqlite"), join(dir, "two.sqlite")];
    for (const argv of [
      [],
      [a, b],
      [a, "--overwrite"],
      ["--restore", a, b],
      ["--restore", a, "--force"],
      ["--restore"],
    ]) {
      expect((await run(source.env, ...argv)).code, argv.join(" ")).toBe(2);
    }
    expect([existsSync(a), existsSync(b)]).toEqual([false, false]);
  });

  it("formats sizes", () => {
    expect([512, 1536, 5 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      "512 B",
      "1.5 KB",
      "5.0 MB",
      "3.0 GB",
    ]);
  });
});

describe("export and restore", () => {
  it("exports the database (on SQLite with --export) and restores it into an empty one", async () => {
    const source = await filled();
    const file = join(newDir(), "bot.jsonl");
    const exported = await run(source.env, file, ...(TEST_ENGINE === "sqlite" ? ["--export"] : []));
    expect(exported).toMatchObject({ code: 0, err: "" });
    expect(exported.out).toMatch(
      /^exported .+ to .+bot\.jsonl: \d+ row\(s\) \(.*staff 1, tickets 2.*\), [\d.]+ K?B in \d+ ms$/,
    );
    expect(JSON.parse(readFileSync(file, "utf8").split("\n")[0] as string)).toMatchObject({
      format: "gosuslugi-bot-export",
      from: TEST_ENGINE,
    });
    const again = await run(source.env, file, "--export");
    expect(again).toMatchObject({ code: 1, out: "" });
    expect(again.err).toContain("exists; --force replaces it");
    expect((await run(source.env, file, "--export", "--force")).code).toBe(0);

    const target = await toolDatabase(newDir());
    const restored = await run(target.env, "--restore", file);
    expect(restored).toMatchObject({ code: 0, err: "" });
    expect(restored.out).toMatch(
      /^restored .+bot\.jsonl into .+: \d+ row\(s\) \(.*tickets 2.*\) in \d+ ms$/,
    );
    expect(await questionsIn(target)).toEqual(["?", "how"]);
    // The numbering goes on after the restored rows.
    const db = await target.open();
    try {
      const opened = await createTicketService(db).openTicket({
        chatId: 3,
        language: "ru",
        question: "new",
        topIntents: [],
      });
      expect(opened.ok && opened.ticket.id).toBe(3);
    } finally {
      await db.close();
    }

    const twice = await run(target.env, "--restore", file);
    expect(twice.code).toBe(1);
    expect(twice.err).toBe(
      "backup: restore refused, nothing changed: the database already has rows in staff: import into a new, empty database",
    );
  });

  it("refuses a missing file, a file that is not an export, and a SQLite backup, in one line", async () => {
    const target = await toolDatabase(newDir());
    const folder = newDir();
    const missing = await run(target.env, "--restore", join(folder, "none.jsonl"));
    expect(missing).toMatchObject({ code: 1, out: "" });
    expect(missing.err).toMatch(/^backup: there is no file .+none\.jsonl to restore$/);

    const notes = join(folder, "notes.txt");
    writeFileSync(notes, "hello\n");
    const bad = await run(target.env, "--restore", notes);
    expect(bad.err).toBe(
      "backup: restore refused, nothing changed: line 1 is not JSON: not an export of this bot",
    );

    const sqliteFile = join(folder, "copy.sqlite");
    await openSqlite(sqliteFile).close();
    const sqlite = await run(target.env, "--restore", sqliteFile);
    expect(sqlite.code).toBe(1);
    expect(sqlite.err).toMatch(/^backup: .+copy\.sqlite is a SQLite backup, not an export: /);
    expect(sqlite.err.split("\n")).toHaveLength(1);
    if (TEST_ENGINE === "sqlite") {
      // The file a failed restore would have made is not left behind.
      expect(existsSync(target.name)).toBe(false);
    }
  });

  it.skipIf(TEST_ENGINE !== "postgres")(
    "moves a SQLite database to PostgreSQL and back: --export from one, --restore into the other",
    async () => {
      const folder = newDir();
      const sqlite = { DATABASE_PATH: join(folder, "bot.sqlite"), DATABASE_URL: "" };
      const db = openSqlite(sqlite.DATABASE_PATH);
      await fill(db);
      await db.close();
      const file = join(folder, "bot.jsonl");
      expect((await run(sqlite, file, "--export")).code).toBe(0);

      const { url, drop } = await freshPostgres();
      try {
        const postgres = { DATABASE_URL: url };
        expect(await run(postgres, "--restore", file)).toMatchObject({ code: 0, err: "" });
        const back = join(folder, "back.jsonl");
        expect((await run(postgres, back)).code).toBe(0);
        const copy = { DATABASE_PATH: join(folder, "copy.sqlite"), DATABASE_URL: "" };
        expect(await run(copy, "--restore", back)).toMatchObject({ code: 0, err: "" });
        const tickets = new Database(copy.DATABASE_PATH, { readonly: true });
        expect(tickets.prepare("SELECT question FROM tickets ORDER BY id").pluck().all()).toEqual([
          "?",
          "how",
        ]);
        tickets.close();
      } finally {
        await drop();
      }
    },
  );
});

describe("npm run backup", () => {
  sqliteOnly(
    "backs up DATABASE_PATH to FILE, a copy that opens with the same tickets",
    async () => {
      const source = await filled();
      const file = join(dir, "cli.sqlite");
      writeFileSync(join(dir, "taken.sqlite"), "");
      const refused = runScript("backup.ts", [join(dir, "taken.sqlite")], { env: source.env });
      expect(refused.status).toBe(1);
      const result = runScript("backup.ts", [file], { env: source.env });
      expect(result).toMatchObject({ status: 0, stderr: "" });
      expect(result.stdout).toContain("integrity ok");
      const copy = new Database(file, { readonly: true });
      expect(copy.prepare("SELECT question FROM tickets ORDER BY id").pluck().all()).toEqual([
        "?",
        "how",
      ]);
      copy.close();
    },
  );

  it("exports the configured database and restores it into an empty one", async () => {
    const source = await filled();
    const file = join(newDir(), "cli.jsonl");
    const exported = runScript("backup.ts", [file, "--export"], { env: source.env });
    expect(exported).toMatchObject({ status: 0, stderr: "" });
    const target = await toolDatabase(newDir());
    const restored = runScript("backup.ts", ["--restore", file], { env: target.env });
    expect(restored).toMatchObject({ status: 0, stderr: "" });
    expect(restored.stdout).toMatch(/^restored /);
    expect(await questionsIn(target)).toEqual(["?", "how"]);
  });
});
