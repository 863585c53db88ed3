import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { INTENTS_DIR } from "../knowledge-fixture.ts";
import { runScript } from "./run-script.ts";

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function brokenCopy(file: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kb-"));
  temporary.push(dir);
  cpSync(INTENTS_DIR, dir, { recursive: true });
  writeFileSync(join(dir, file), text);
  return dir;
}

describe("npm run kb -- classify", () => {
  it("writes one decision per input line, in order, ignoring other fields", () => {
    const input = [
      { text: "как восстановить пароль", id: 7 },
      { text: "какая погода завтра в сочи" },
      { text: "how do I reset my password" },
    ]
      .map((line) => JSON.stringify(line))
      .join("\n");
    const { status, stdout } = runScript("kb.ts", ["classify"], { input });
    expect(status).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.text)).toEqual([
      "как восстановить пароль",
      "какая погода завтра в сочи",
      "how do I reset my password",
    ]);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual([
        "candidates",
        "confidence",
        "decision",
        "intent",
        "text",
      ]);
      expect(line.confidence).toBeGreaterThanOrEqual(0);
      expect(line.confidence).toBeLessThanOrEqual(1);
      expect(line.intent === null).toBe(line.decision !== "answer");
    }
    expect(lines[0]).toMatchObject({ intent: "account.login_recovery", decision: "answer" });
    expect(lines[1]).toMatchObject({ intent: null, decision: "escalate" });
    expect(lines[2].candidates[0]).toMatchObject({ intent: "account.login_recovery" });
  });

  it("answers a malformed line with an error line in its place and exits 1", () => {
    const { status, stdout } = runScript("kb.ts", ["classify"], {
      input: 'not json\n{"text": "пароль"}\n{"txt": 1}\n',
    });
    expect(status).toBe(1);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0].error).toContain("line 1");
    expect(lines[1].text).toBe("пароль");
    expect(lines[2].error).toContain("line 3");
  });
});

describe("npm run kb -- export", () => {
  it("prints the whole knowledge base as JSON", () => {
    const { status, stdout } = runScript("kb.ts", ["export"]);
    expect(status).toBe(0);
    const exported = JSON.parse(stdout);
    expect(exported.intents.length).toBeGreaterThanOrEqual(28);
    for (const intent of exported.intents) {
      expect(intent.examples.ru.length).toBeGreaterThan(0);
      expect(intent.examples.en.length).toBeGreaterThan(0);
      expect(typeof intent.answer.ru).toBe("string");
      expect(typeof intent.answer.en).toBe("string");
      for (const link of intent.links) expect(link.url).toMatch(/^https:\/\/[^{}]+$/);
    }
  });
});

describe("npm run kb -- check", () => {
  it("passes on the repository's knowledge base (the source through tsx, as npm runs it)", () => {
    const { status, stdout } = runScript("kb.ts", ["check"], { throughTsx: true });
    expect(stdout).toMatch(/\d+ intents, \d+ examples: 0 error\(s\)/);
    expect(status).toBe(0);
  });

  it("fails with the file, the field and the fix on a broken one", () => {
    const dir = brokenCopy("dept.tax.yaml", "id: dept.tax\ntopic: departments\n");
    const { status, stdout } = runScript("kb.ts", ["check"], { env: { KNOWLEDGE_DIR: dir } });
    expect(status).toBe(1);
    expect(stdout).toContain("dept.tax.yaml: title");
    expect(stdout).toContain("the bot will not load this knowledge base");
  });

  it("flags the same example in two intents as an error", () => {
    const dir = brokenCopy(
      "smalltalk.thanks.yaml",
      `id: smalltalk.thanks\ntopic: smalltalk\ntitle: {ru: Спасибо, en: Thanks}\nexamples:\n  ru: [${Array.from({ length: 24 }, (_, i) => `"спасибо ${i}"`).join(", ")}, "какой номер горячей линии госуслуг"]\n  en: [thanks, thank you, thx, cheers, ty, many thanks, thanks a lot, great thanks]\nanswer: {ru: Пожалуйста!, en: You are welcome!}\n`,
    );
    const { status, stdout } = runScript("kb.ts", ["check"], { env: { KNOWLEDGE_DIR: dir } });
    expect(status).toBe(1);
    expect(stdout).toMatch(/error: smalltalk\.thanks\.yaml: examples\.ru\.24: .*same question/);
  });
});

describe("npm run kb -- try and eval", () => {
  it("try shows the tokens, the candidates and the decision", () => {
    const { status, stdout } = runScript("kb.ts", ["try", "pf,kjrbhjdfkb frrfeyn"]);
    expect(status).toBe(0);
    expect(stdout).toContain("keyboard layout repaired");
    expect(stdout).toContain("заблокировали");
    expect(stdout).toMatch(/decision: answer: account\.login_recovery/);
  });

  it("eval prints the accuracy figures of a labelled file", () => {
    const dir = mkdtempSync(join(tmpdir(), "eval-"));
    temporary.push(dir);
    const file = join(dir, "set.jsonl");
    writeFileSync(
      file,
      [
        { text: "как восстановить пароль", intent: "account.login_recovery" },
        { text: "телефон горячей линии", intent: "contacts.hotline" },
        { text: "рецепт борща", intent: null },
      ]
        .map((l) => JSON.stringify(l))
        .join("\n"),
    );
    const { status, stdout } = runScript("kb.ts", ["eval", file]);
    expect(status).toBe(0);
    expect(stdout).toContain("3 questions (2 in scope, 1 out of scope)");
    expect(stdout).toMatch(/in-scope accuracy \(right intent answered\): 100\.0%/);
    expect(stdout).toMatch(/out-of-scope escalation rate: +100\.0%/);
  });
});

describe("npm run kb -- crossval", () => {
  it("reports right, wrong, clarified and escalated per fold and overall, in seconds", () => {
    const start = performance.now();
    const { status, stdout } = runScript("kb.ts", ["crossval", "--folds", "3"]);
    expect(status).toBe(0);
    expect(performance.now() - start).toBeLessThan(30_000);
    expect(stdout).toContain("3-fold cross-validation");
    for (const name of ["fold 1", "fold 2", "fold 3", "overall", "ru", "en"]) {
      expect(stdout).toMatch(new RegExp(`^ {2}${name} +\\d+ +\\d+\\.\\d%`, "m"));
    }
    expect(stdout).not.toMatch(/fold 4/);
  });

  it("refuses a number of folds that is not a whole number of 2 or more", () => {
    for (const folds of ["1", "x", "2.5"]) {
      expect(runScript("kb.ts", ["crossval", "--folds", folds]).status, folds).toBe(2);
    }
  });
});
