import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  createSuggestions,
  createTicketService,
  type Language,
  type SqlDatabase,
} from "../../handoff/index.ts";
import { loadKnowledgeBase, PERSONAL_DATA_PLACEHOLDERS } from "../../knowledge/index.ts";
import { type KnowledgeCheck, runSuggestions } from "../../scripts/kb-suggestions.ts";
import { INTENTS_DIR } from "../knowledge-fixture.ts";
import { openTestDatabase, TEST_ENGINE } from "../storage.ts";
import { runScript } from "./run-script.ts";
import { toolDatabase } from "./tool-database.ts";

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary copy of intents/: the real folder is never changed. */
function knowledgeCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "kb-suggestions-"));
  temporary.push(dir);
  cpSync(INTENTS_DIR, join(dir, "intents"), { recursive: true });
  return join(dir, "intents");
}

/** A suggestion as the desk records it: a closed ticket's question and the operator's intent. */
async function suggest(
  db: SqlDatabase,
  question: string,
  intent: string | null,
  language: Language = "ru",
) {
  const tickets = createTicketService(db);
  const chatId = 1000 + (await createSuggestions(db).list({ all: true })).length;
  const opened = await tickets.openTicket({ chatId, language, question, topIntents: [] });
  if (!opened.ok) throw new Error("no ticket");
  const recorded = await createSuggestions(db).record({
    ticketId: opened.ticket.id,
    question,
    language,
    intent,
    operatorId: 601,
  });
  if (!recorded.ok) throw new Error("not recorded");
  return recorded.suggestion.id;
}

/** Only whether the folder loads: the lint's leave-one-out matching takes seconds. */
function loadsOnly(folder: string): KnowledgeCheck {
  const loaded = loadKnowledgeBase(folder);
  return loaded.ok
    ? { ok: true, kb: loaded.kb, findings: [] }
    : { ok: false, errors: loaded.issues.map((issue) => issue.message) };
}

/** runSuggestions on an in-memory database and a copy of the knowledge folder. */
async function setUp() {
  const db = await openTestDatabase();
  const folder = knowledgeCopy();
  const file = (name: string) => readFileSync(join(folder, name), "utf8");
  const run = async (args: string[], check?: (folder: string) => KnowledgeCheck) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSuggestions(args, {
      db: () => db,
      folder,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      ...(check ? { check } : {}),
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  return { db, folder, file, run, suggestions: createSuggestions(db) };
}

describe("npm run kb -- suggestions: the list", () => {
  it("lists pending ones with date, intent or new topic, language and question; --all adds decided ones", async () => {
    const t = await setUp();
    await suggest(t.db, "куда звонить если смс не пришло", "contacts.hotline");
    await suggest(t.db, "как оформить  субсидию\nна ЖКУ", null);
    await suggest(t.db, "where is my application", "application.status", "en");
    await t.suggestions.decide(3, "rejected");

    const pending = await t.run([]);
    expect(pending.code).toBe(0);
    const lines = pending.out.split("\n");
    expect(lines[0]).toMatch(/^ID\s+DATE\s+INTENT\s+LANG\s+QUESTION$/);
    expect(lines[1]).toMatch(
      /^1\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+contacts\.hotline\s+ru\s+куда звонить если смс не пришло$/,
    );
    expect(lines[2]).toMatch(/^2\s+.*\s+новая тема\s+ru\s+как оформить субсидию на ЖКУ$/);
    expect(pending.out).not.toContain("where is my application");

    const all = await t.run(["--all"]);
    expect(all.out.split("\n")[0]).toMatch(/LANG\s+STATE\s+QUESTION$/);
    expect(all.out).toMatch(/3\s+.*application\.status\s+en\s+rejected\s+where is my application/);
  });

  it("says when there is nothing to list", async () => {
    const t = await setUp();
    expect((await t.run([])).out).toContain("No pending suggestions");
  });

  it("refuses a bad command line without touching anything", async () => {
    const t = await setUp();
    for (const args of [["--accept", "x"], ["--accept", "1", "--reject", "2"], ["--nope"], ["7"]]) {
      const result = await t.run(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.err).toContain("Usage: npm run kb -- suggestions");
    }
  });
});

describe("npm run kb -- suggestions --accept", () => {
  it("adds the question as one more example line, keeping the file's comments, and marks it accepted", async () => {
    const t = await setUp();
    const id = await suggest(
      t.db,
      "куда звонить если смс с кодом так и не пришло",
      "contacts.hotline",
    );
    const before = t.file("contacts.hotline.yaml");
    const result = await t.run(["--accept", String(id)]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      "Added to contacts.hotline.yaml, examples.ru: куда звонить если смс с кодом так и не пришло",
    );
    expect(result.out).toMatch(
      /kb check: \d+ intents, \d+ examples: 0 error\(s\), \d+ warning\(s\)\./,
    );
    expect(result.out).toContain(`Suggestion ${id} accepted.`);

    const after = t.file("contacts.hotline.yaml");
    const beforeLines = before.split("\n");
    const afterLines = after.split("\n");
    expect(afterLines).toHaveLength(beforeLines.length + 1);
    const at = afterLines.indexOf("    - куда звонить если смс с кодом так и не пришло");
    expect(afterLines.toSpliced(at, 1)).toEqual(beforeLines);
    expect(after.split("\n")[0]).toMatch(/^# The main support phone line/);
    expect(parse(after).examples.ru.at(-1)).toBe("куда звонить если смс с кодом так и не пришло");
    expect(await t.suggestions.get(id)).toMatchObject({ state: "accepted" });
    expect(await t.run(["--accept", String(id)])).toMatchObject({
      code: 1,
      err: `Suggestion ${id} is already accepted.`,
    });
  });

  it("adds an English question to the English examples, without personal-data placeholders", async () => {
    const t = await setUp();
    const id = await suggest(
      t.db,
      `my number ${PERSONAL_DATA_PLACEHOLDERS.join(" ")} gets no code, which line do I call`,
      "contacts.hotline",
      "en",
    );
    const result = await t.run(["--accept", String(id)], loadsOnly);
    expect(result.code).toBe(0);
    expect(result.out).toContain("examples.en: my number gets no code, which line do I call");
    expect(result.out).toContain("placeholders");
    expect(parse(t.file("contacts.hotline.yaml")).examples.en.at(-1)).toBe(
      "my number gets no code, which line do I call",
    );
  });

  it("refuses an example that is already there, exactly or after normalisation", async () => {
    const t = await setUp();
    const before = t.file("contacts.hotline.yaml");
    const exact = await suggest(t.db, "телефон поддержки госуслуг", "contacts.hotline");
    // The same words in another order and case, suggested for another intent.
    const elsewhere = await suggest(t.db, "Телефон ГОСУСЛУГ поддержки!!!", "hours.schedule");
    const exactly = await t.run(["--accept", String(exact)]);
    expect(exactly.code).toBe(1);
    expect(exactly.err).toContain(
      'is already an example of contacts.hotline in contacts.hotline.yaml: "телефон поддержки госуслуг"',
    );
    const normalised = await t.run(["--accept", String(elsewhere)]);
    expect(normalised.code).toBe(1);
    expect(normalised.err).toContain(
      "is already (the same words after normalisation) an example of contacts.hotline",
    );
    expect(t.file("contacts.hotline.yaml")).toBe(before);
    expect(t.file("hours.schedule.yaml")).toBe(
      readFileSync(join(INTENTS_DIR, "hours.schedule.yaml"), "utf8"),
    );
    expect((await t.suggestions.list()).map((s) => s.state)).toEqual(["pending", "pending"]);
  });

  it("refuses a new topic and points to the editors' guide", async () => {
    const t = await setUp();
    const id = await suggest(t.db, "как получить выписку из домовой книги", null);
    const result = await t.run(["--accept", String(id)]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`Suggestion ${id} is a new topic`);
    expect(result.err).toContain("intents/README.md");
    expect(result.err).toContain(`--reject ${id}`);
    expect((await t.suggestions.get(id))?.state).toBe("pending");
  });

  it("puts the file back exactly and keeps the suggestion pending when the check fails", async () => {
    const t = await setUp();
    const id = await suggest(t.db, "по какому телефону узнать про смс с кодом", "contacts.hotline");
    const before = t.file("contacts.hotline.yaml");
    let seen = "";
    const result = await t.run(["--accept", String(id)], (folder) => {
      // The validator sees the edited file: the change is on disk while it runs.
      seen = readFileSync(join(folder, "contacts.hotline.yaml"), "utf8");
      return { ok: false, errors: ["contacts.hotline.yaml: answer.ru: pretend it broke"] };
    });
    expect(seen).toContain("- по какому телефону узнать про смс с кодом");
    expect(result.code).toBe(1);
    expect(result.err).toContain("pretend it broke");
    expect(result.err).toContain(
      `contacts.hotline.yaml is back as it was; suggestion ${id} stays pending`,
    );
    expect(t.file("contacts.hotline.yaml")).toBe(before);
    expect((await t.suggestions.get(id))?.state).toBe("pending");
  });

  it("also puts it back when the change brings a new lint error", async () => {
    const t = await setUp();
    const id = await suggest(t.db, "телефон для справок по порталу", "contacts.hotline");
    const before = t.file("contacts.hotline.yaml");
    const result = await t.run(["--accept", String(id)], (folder) => {
      // The folder loads, but a lint error comes as if the new example duplicated another's.
      const real = loadsOnly(folder);
      if (!real.ok) return real;
      return {
        ...real,
        findings: [
          ...real.findings,
          {
            severity: "error",
            kind: "duplicate_example",
            file: "contacts.hotline.yaml",
            field: "examples.ru.37",
            message: '"телефон для справок по порталу" is the same question as …',
            subject: 'ru "телефон для справок по порталу" ~ contacts.phone "…"',
          },
        ],
      };
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain("error: contacts.hotline.yaml: examples.ru.37");
    expect(t.file("contacts.hotline.yaml")).toBe(before);
    expect((await t.suggestions.get(id))?.state).toBe("pending");
  });

  it("refuses a question the retention purge erased, or one of placeholders only", async () => {
    const t = await setUp();
    const before = t.file("contacts.hotline.yaml");
    for (const question of ["[удалено]", "[телефон] [СНИЛС]"]) {
      const id = await suggest(t.db, question, "contacts.hotline");
      const result = await t.run(["--accept", String(id)]);
      expect(result.code, question).toBe(1);
      expect(result.err).toContain(`Suggestion ${id} has no words to add as an example`);
    }
    expect(t.file("contacts.hotline.yaml")).toBe(before);
  });

  it("--reject marks it rejected once; unknown ids are refused", async () => {
    const t = await setUp();
    const id = await suggest(t.db, "вопрос", null);
    expect(await t.run(["--reject", String(id)])).toMatchObject({
      code: 0,
      out: `Suggestion ${id} rejected.`,
    });
    expect(await t.run(["--reject", String(id)])).toMatchObject({
      code: 1,
      err: `Suggestion ${id} is already rejected.`,
    });
    expect((await t.run(["--accept", "99"])).err).toContain("There is no suggestion 99");
  });
});

// A SQLite file that is not there: the same on either engine's run, so only on SQLite's.
const sqliteOnly = it.skipIf(TEST_ENGINE !== "sqlite");

describe("npm run kb -- suggestions, as a command", () => {
  it("accepts on DATABASE_PATH and KNOWLEDGE_DIR, after which kb check passes", async () => {
    const folder = knowledgeCopy();
    const database = await toolDatabase(join(folder, ".."));
    const db = await database.open();
    const id = await suggest(
      db,
      "номер горячей линии если не приходит смс от портала",
      "contacts.hotline",
    );
    await db.close();
    const env = { ...database.env, KNOWLEDGE_DIR: folder };

    const listed = runScript("kb.ts", ["suggestions"], { env });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(
      "contacts.hotline  ru    номер горячей линии если не приходит смс",
    );

    const accepted = runScript("kb.ts", ["suggestions", "--accept", String(id)], { env });
    expect(accepted.stderr).not.toContain("error");
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toContain(`Suggestion ${id} accepted.`);
    expect(readFileSync(join(folder, "contacts.hotline.yaml"), "utf8")).toContain(
      "    - номер горячей линии если не приходит смс от портала\n",
    );
    const check = runScript("kb.ts", ["check"], { env });
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/0 error\(s\)/);
  });

  sqliteOnly("exits 1 with a clear message when the database file does not exist", () => {
    const folder = knowledgeCopy();
    const missing = join(folder, "..", "nowhere.sqlite");
    const result = runScript("kb.ts", ["suggestions"], {
      env: { DATABASE_PATH: missing, DATABASE_URL: "", KNOWLEDGE_DIR: folder },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`there is no database at ${missing}`);
    expect(result.stderr).toContain("DATABASE_PATH");
  });
});
