import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createStore } from "../../handoff/index.ts";
import { loadKnowledgeBase } from "../../knowledge/index.ts";
import { runReport } from "../../scripts/kb-report.ts";
import { TEST_ENGINE } from "../storage.ts";
import { runScript } from "./run-script.ts";
import { toolDatabase } from "./tool-database.ts";

const DAY = 86_400_000;
/** Wednesday 25 November 2026, 13:00 in Moscow. */
const NOW = Date.parse("2026-11-25T13:00:00+03:00");

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp folder with a bot database holding one answered question at each of `times`. */
async function workspace(times: readonly number[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "kb-report-"));
  dirs.push(dir);
  const database = await toolDatabase(dir);
  const db = await database.open();
  let at = 0;
  const store = createStore(db, { now: () => at });
  for (const [i, time] of times.entries()) {
    at = time;
    await store.recordQuestion({
      chatId: i,
      text: "как восстановить пароль",
      language: "ru",
      decision: "answer",
      intent: "account.login_recovery",
      confidence: 0.9,
      candidates: [],
    });
  }
  await db.close();
  return { dir, env: database.env, page: join(dir, "report.html") };
}

async function run(argv: string[], env: Record<string, string>, now = NOW) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReport(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    now: () => now,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** How many day columns the page's questions chart has. */
const dayColumns = (html: string) =>
  (/<svg class="chart chart-days"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "").match(
    /<g class="column">/g,
  )?.length ?? 0;

describe("kb report", () => {
  it("writes the page for the last N Moscow days, today included, with intents' titles", async () => {
    const { env, page } = await workspace([
      NOW - 2 * DAY,
      NOW - 6 * DAY,
      NOW - 7 * DAY,
      NOW - 60_000,
    ]);
    const result = await run(["--html", page, "--since", "7d"], env);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toBe(
      `wrote ${page} (${Math.ceil(readFileSync(page).length / 1024)} KB): 7 day(s), 3 question(s), 0 ticket(s)`,
    );
    const html = readFileSync(page, "utf8");
    expect(dayColumns(html)).toBe(7);
    expect(html).toContain("с 19 ноября 2026 г. по 25 ноября 2026 г.");
    const loaded = loadKnowledgeBase("intents");
    if (!loaded.ok) throw new Error("the knowledge base does not load");
    const title = loaded.kb.byId.get("account.login_recovery")?.title.ru as string;
    expect(html).toContain(`${title}<br><code>account.login_recovery</code>`);
  });

  it("takes the 30 last days by default, or a start date", async () => {
    const { env, page } = await workspace([NOW - 29 * DAY, NOW - 30 * DAY]);
    expect((await run(["--html", page], env)).out).toContain("30 day(s), 1 question(s)");
    expect(dayColumns(readFileSync(page, "utf8"))).toBe(30);

    expect((await run(["--html", page, "--since", "2026-11-01"], env)).code).toBe(0);
    expect(dayColumns(readFileSync(page, "utf8"))).toBe(25);
  });

  it("shows intents by id, with a warning, when the knowledge base does not load", async () => {
    const { env, page, dir } = await workspace([NOW - DAY]);
    const result = await run(["--html", page], {
      ...env,
      KNOWLEDGE_DIR: join(dir, "none"),
    });
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^warning: the knowledge base did not load/);
    expect(readFileSync(page, "utf8")).toContain("<td><code>account.login_recovery</code></td>");
  });

  it.each([
    [[], "--html FILE is required"],
    [["--html"], "--html"],
    [["--html", "x.html", "--since", "0d"], "from 1d to 366d"],
    [["--html", "x.html", "--since", "367d"], "from 1d to 366d"],
    [["--html", "x.html", "--since", "week"], 'not "week"'],
    [["--html", "x.html", "--since", "2026-02-30"], "no such date"],
    [["--html", "x.html", "--since", "2026-11-26"], "has not begun yet"],
    [["--html", "x.html", "--since", "2025-11-01"], "at most 366 days"],
    [["--html", "x.html", "--format", "pdf"], "--format"],
    [["--html", "x.html", "extra"], "extra"],
  ])("refuses %j with exit 2, the usage, and nothing read or written", async (argv, message) => {
    const { dir } = await workspace();
    const database = join(dir, "never.sqlite");
    const result = await run(argv, { DATABASE_PATH: database });
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).toContain("Usage: npm run kb -- report --html FILE");
    expect(existsSync(database)).toBe(false);
    expect(existsSync(join(dir, "x.html"))).toBe(false);
  });

  it("exits 1 naming the path when there is no database, and creates none", async () => {
    const { dir, page } = await workspace();
    const database = join(dir, "missing", "bot.sqlite");
    const result = await run(["--html", page], { DATABASE_PATH: database });
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `report: no database at ${database}; set DATABASE_PATH to the bot's SQLite file (the bot creates it on first start), or DATABASE_URL to its PostgreSQL database`,
    );
    expect(existsSync(database)).toBe(false);
    expect(existsSync(page)).toBe(false);
  });

  it("exits 1 when the file is not a database or the page cannot be written", async () => {
    const { dir, env, page } = await workspace();
    const notDatabase = join(dir, "notes.txt");
    writeFileSync(notDatabase, "not a database at all, just some text ".repeat(100));
    const broken = await run(["--html", page], { DATABASE_PATH: notDatabase });
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(`report: cannot read the database at ${notDatabase}:`);

    const nowhere = join(dir, "no-such-folder", "report.html");
    const unwritable = await run(["--html", nowhere], env);
    expect(unwritable.code).toBe(1);
    expect(unwritable.err).toContain(`report: cannot write ${nowhere}:`);
  });
});

// A SQLite file that is not there: the same on either engine's run, so only on SQLite's.
const sqliteOnly = it.skipIf(TEST_ENGINE !== "sqlite");

describe("npm run kb -- report (the real command)", () => {
  it("writes the page from DATABASE_PATH", async () => {
    const { env, page } = await workspace([Date.now() - 60_000, Date.now() - 3 * DAY]);
    const result = runScript("kb.ts", ["report", "--html", page, "--since", "3d"], {
      env,
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^wrote .*report\.html \(\d+ KB\): 3 day\(s\), 1 question\(s\), 0 ticket\(s\)\n$/,
    );
    expect(readFileSync(page, "utf8")).toMatch(/^<!doctype html>/);
  });

  sqliteOnly("exits 1 without a database and 2 on a bad command line", async () => {
    const { dir, page } = await workspace();
    const missing = runScript("kb.ts", ["report", "--html", page], {
      env: { DATABASE_PATH: join(dir, "none.sqlite"), DATABASE_URL: "" },
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("report: no database at");
    const bad = runScript("kb.ts", ["report", "--since", "30d"], {
      env: { DATABASE_PATH: join(dir, "none.sqlite"), DATABASE_URL: "" },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--html FILE is required");
  });
});
