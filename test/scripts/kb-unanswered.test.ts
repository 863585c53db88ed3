import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStore, type QuestionRecord } from "../../handoff/index.ts";
import { BIDI_CONTROL, createMatcher } from "../../knowledge/index.ts";
import { BOM } from "../../scripts/csv.ts";
import { parseSince, runUnanswered } from "../../scripts/kb-unanswered.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { TEST_ENGINE } from "../storage.ts";
import { parseCsv } from "./csv-reader.ts";
import { runScript } from "./run-script.ts";
import { toolDatabase } from "./tool-database.ts";

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "kb-unanswered-"));
  temporary.push(dir);
  return dir;
};

const DAY = 24 * 60 * 60_000;
const HOTLINE = [
  "телефон горячей линии",
  "телефон гарячей линии",
  "ntktajy ujhzxtq kbybb",
  "номер горячей линии госуслуг",
  "как позвонить на горячую линию",
];

/**
 * A bot database filled through the store, with questions `daysAgo` before
 * `now`: hotline questions escalated or clarified, two on the weather, a
 * password answer rated 👎, and one question ten days old.
 */
async function filledDatabase(now: number): Promise<Record<string, string>> {
  const database = await toolDatabase(tempDir());
  let time = now;
  const storeDb = await database.open();
  const store = createStore(storeDb, { now: () => time });
  const ask = async (
    daysAgo: number,
    chatId: number,
    text: string,
    decision: QuestionRecord["decision"],
    intent: string | null = null,
  ) => {
    time = now - daysAgo * DAY;
    await store.recordQuestion({
      chatId,
      text,
      language: "ru",
      decision,
      intent,
      confidence: 0.3,
      candidates: [],
    });
  };
  for (const [i, text] of HOTLINE.entries()) {
    await ask(3 - i * 0.1, 10 + i, text, i % 2 ? "clarify" : "escalate");
  }
  await ask(2, 20, "погода в москве", "escalate");
  await ask(1.5, 21, "какая погода завтра", "escalate");
  await ask(1, 30, "не помню пароль", "answer", "account.login_recovery");
  time = now - 0.9 * DAY;
  await store.recordFeedback(30, "account.login_recovery", false);
  await ask(10, 40, "как оформить загранпаспорт", "escalate");
  await storeDb.close();
  return database.env;
}

// A SQLite file that is not there: the same on either engine's run, so only on SQLite's.
const sqliteOnly = it.skipIf(TEST_ENGINE !== "sqlite");

describe("npm run kb -- unanswered", () => {
  it("prints the clusters of the last 7 days, biggest first, with the nearest intent", async () => {
    const env = await filledDatabase(Date.now());
    const { status, stdout, stderr } = runScript("kb.ts", ["unanswered"], { env });
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Unanswered questions in the last 7 days \(since .+\): 8 in /);
    const clusters = stdout.split(/\n(?=#\d+ )/).slice(1);
    expect(clusters[0]).toMatch(
      /^#1 {2}5 question\(s\): escalated 3 \(60%\), clarified 2 \(40%\)\n/,
    );
    expect(clusters[0]).toContain("nearest intent: contacts.hotline");
    expect(clusters[0]).toContain('"телефон горячей линии" ×3');
    expect(clusters[1]).toMatch(/^#2 {2}2 question\(s\): escalated 2 \(100%\)\n/);
    expect(clusters[1]).toContain("nearest intent: none (new topic?)");
    expect(clusters[1]).toContain('"погода в москве"');
    const rated = clusters.find((c) => c.includes('"не помню пароль"'));
    expect(rated).toContain("👎 1 (100%)");
    expect(rated).toContain("nearest intent: account.login_recovery");
    expect(stdout).not.toContain("загранпаспорт");
  });

  sqliteOnly("refuses to run without the database, and does not create it", () => {
    const path = join(tempDir(), "missing", "bot.sqlite");
    const { status, stdout, stderr } = runScript("kb.ts", ["unanswered"], {
      env: { DATABASE_PATH: path, DATABASE_URL: "" },
    });
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`there is no database at ${path}`);
    expect(stderr).toContain("DATABASE_PATH");
    expect(existsSync(path)).toBe(false);
  });
});

describe("runUnanswered", () => {
  const kb = realKnowledgeBase();
  const knowledge = { kb, matcher: createMatcher(kb) };
  const run = async (args: string[], now: number, env: Record<string, string>) => {
    let out = "";
    const errors: string[] = [];
    const code = await runUnanswered(args, {
      now: () => now,
      env,
      knowledge: () => knowledge,
      out: (text) => {
        out += text;
      },
      err: (line) => errors.push(line),
    });
    return { code, out, errors };
  };

  it("prints a citizen's text without bidi controls or terminal escapes, its letters kept", async () => {
    const now = Date.UTC(2025, 0, 15, 9, 0);
    const database = await toolDatabase(tempDir());
    const storeDb = await database.open();
    const store = createStore(storeDb, { now: () => now - 60_000 });
    const controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
    await store.recordQuestion({
      chatId: 1,
      text: `погода ${controls}שלום\u001b[2J مرحبا`,
      language: "ru",
      decision: "escalate",
      intent: null,
      confidence: 0.2,
      candidates: [],
    });
    await storeDb.close();
    const { code, out } = await run([], now, database.env);
    expect(code).toBe(0);
    expect(out).toMatch(/погода ?שלום ?\[2J مرحبا/);
    expect(out).not.toMatch(BIDI_CONTROL);
    expect(out).not.toContain("\u001b");
  });

  it("counts back from its clock: --since 2d leaves out what is older", async () => {
    const now = Date.UTC(2025, 0, 15, 9, 0);
    const env = await filledDatabase(now);
    const { code, out } = await run(["--since", "2d"], now, env);
    expect(code).toBe(0);
    expect(out).toMatch(/in the last 2 days \(since .+\): 3 in 2 cluster\(s\)/);
    expect(out).toContain("погода");
    expect(out).toContain("не помню пароль");
    expect(out).not.toContain("горячей");
    expect((await run(["--since", "1h"], now, env)).out).toMatch(
      /^No unanswered questions in the last 1 hour/,
    );
  });

  it("exports every cluster as CSV with the BOM, the examples in their own columns", async () => {
    const now = Date.UTC(2025, 0, 15, 9, 0);
    const env = await filledDatabase(now);
    const { code, out } = await run(["--since", "2w", "--csv"], now, env);
    expect(code).toBe(0);
    expect(out.startsWith(BOM)).toBe(true);
    const [header, ...rows] = parseCsv(out.slice(BOM.length));
    const column = (row: string[] | undefined, name: string) => row?.[header?.indexOf(name) ?? -1];
    expect(rows.map((r) => Number(column(r, "questions")))).toEqual([5, 2, 1, 1]);
    expect(column(rows[0], "nearest_intent")).toBe("contacts.hotline");
    expect(column(rows[0], "example_1")).toBe("телефон горячей линии");
    expect(column(rows[1], "note")).toBe("new topic?");
    expect(rows.some((r) => column(r, "example_1") === "как оформить загранпаспорт")).toBe(true);
    expect(rows.map((r) => Number(column(r, "unhelpful")))).toContain(1);
  });

  it("rejects a bad command line with exit code 2 before opening anything", async () => {
    const path = join(tempDir(), "never.sqlite");
    for (const args of [
      ["--since", "7"],
      ["--since", "0d"],
      ["--since", "7 days"],
      ["--limit", "0"],
      ["--limit", "2.5"],
      ["--threshold", "1.5"],
      ["--threshold", "abc"],
      ["--frobnicate"],
      ["extra"],
    ]) {
      const { code, errors } = await run(args, Date.now(), { DATABASE_PATH: path });
      expect(code, args.join(" ")).toBe(2);
      expect(errors.join("\n")).toMatch(
        /^kb unanswered: .+ \(npm run kb -- unanswered --help shows the usage\)$/,
      );
    }
    expect(existsSync(path)).toBe(false);
  });

  it("reads periods in hours, days and weeks", () => {
    expect(parseSince("12h")).toEqual({ ms: 12 * 60 * 60_000, words: "12 hours" });
    expect(parseSince("1d")).toEqual({ ms: DAY, words: "1 day" });
    expect(parseSince("2w")).toEqual({ ms: 14 * DAY, words: "2 weeks" });
    expect(() => parseSince("-1d")).toThrow(/12h, 7d or 2w/);
  });
});
