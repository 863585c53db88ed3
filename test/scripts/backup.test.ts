import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createTicketService, openSqlite } from "../../handoff/index.ts";
import { formatBytes, runBackup } from "../../scripts/backup.ts";
import { runScript } from "./run-script.ts";

const dir = mkdtempSync(join(tmpdir(), "backup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = join(dir, "bot.sqlite");
const db = openSqlite(source);
await createTicketService(db).openTicket({
  chatId: 1,
  language: "ru",
  question: "?",
  topIntents: [],
});
await db.close();

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBackup(argv, {
    databasePath: source,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("runBackup", () => {
  it("prints the size and the time, and refuses to overwrite without --force", async () => {
    const file = join(dir, "a.sqlite");
    const first = await run(file);
    expect(first).toMatchObject({ code: 0, err: "" });
    expect(first.out).toMatch(
      /^backed up .*bot\.sqlite to .*a\.sqlite: \d+\.\d KB \(\d+ pages, schema version \d+\) in \d+ ms; integrity ok$/,
    );
    const again = await run(file);
    expect(again).toMatchObject({ code: 1, out: "" });
    expect(again.err).toContain("exists; --force replaces it");
    expect((await run(file, "--force")).code).toBe(0);
  });

  it("needs exactly one FILE and known flags", async () => {
    const [a, b] = [join(dir, "one.sqlite"), join(dir, "two.sqlite")];
    for (const argv of [[], [a, b], [a, "--overwrite"]]) {
      expect((await run(...argv)).code, argv.join(" ")).toBe(2);
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

describe("npm run backup", () => {
  it("backs up DATABASE_PATH to FILE, a copy that opens with the same tickets", () => {
    const file = join(dir, "cli.sqlite");
    writeFileSync(join(dir, "taken.sqlite"), "");
    const refused = runScript("backup.ts", [join(dir, "taken.sqlite")], {
      env: { DATABASE_PATH: source },
    });
    expect(refused.status).toBe(1);
    const result = runScript("backup.ts", [file], { env: { DATABASE_PATH: source } });
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toContain("integrity ok");
    const copy = new Database(file, { readonly: true });
    expect(copy.prepare("SELECT question FROM tickets").pluck().all()).toEqual(["?"]);
    copy.close();
  });
});
