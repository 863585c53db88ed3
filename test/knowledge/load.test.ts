import { describe, expect, it } from "vitest";
import { parseKnowledgeBase, REQUIRED_INTENTS, type SourceFile } from "../../knowledge/index.ts";
import { realFiles, realKnowledgeBase } from "../knowledge-fixture.ts";

// Replaces one file's text, or adds a file, in a copy of the real folder.
function withFile(name: string, edit: (text: string) => string): SourceFile[] {
  const files = realFiles();
  const existing = files.find((f) => f.name === name);
  if (existing) return files.map((f) => (f.name === name ? { name, text: edit(f.text) } : f));
  return [...files, { name, text: edit("") }];
}

function issuesOf(files: SourceFile[]) {
  const result = parseKnowledgeBase(files);
  if (result.ok) throw new Error("expected the knowledge base to be refused");
  return result.issues;
}

describe("loading the knowledge base", () => {
  it("loads every required intent from the repository's files", () => {
    const kb = realKnowledgeBase();
    for (const id of REQUIRED_INTENTS) expect(kb.byId.has(id), id).toBe(true);
    for (const intent of kb.intents) {
      expect(intent.examples.ru.length).toBeGreaterThanOrEqual(25);
      expect(intent.examples.en.length).toBeGreaterThanOrEqual(8);
    }
    expect(kb.byId.get("operator.request")?.escalate).toBe(true);
  });

  it("refuses an unknown field, naming the file and the field", () => {
    const issues = issuesOf(withFile("contacts.email.yaml", (t) => `${t}\nanswr: typo\n`));
    expect(issues).toContainEqual(
      expect.objectContaining({
        code: "invalid_field",
        file: "contacts.email.yaml",
        message: expect.stringContaining("answr"),
      }),
    );
  });

  it("refuses an answer without its English text", () => {
    const files = withFile("hours.schedule.yaml", (t) =>
      t.replace(/\n {2}en: [|>]?[\s\S]*?(?=\nlinks:|\nfollow_up:|$)/, ""),
    );
    const issues = issuesOf(files);
    expect(
      issues.some((i) => i.file === "hours.schedule.yaml" && i.field.startsWith("answer")),
    ).toBe(true);
  });

  it("refuses a reference the directory does not have", () => {
    const issues = issuesOf(
      withFile("contacts.hotline.yaml", (t) => t.replace("{{phone.hotline}}", "{{phone.hotlne}}")),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        code: "dangling_reference",
        field: "answer.ru",
        message: expect.stringContaining("phone.hotlne"),
      }),
    );
  });

  it("refuses two intents with one id", () => {
    const hotline = realFiles().find((f) => f.name === "contacts.hotline.yaml");
    const issues = issuesOf([...realFiles(), { name: "copy.yaml", text: hotline?.text ?? "" }]);
    expect(issues.map((i) => i.code)).toContain("duplicate_id");
  });

  it("refuses a link that is not https or not on an official domain", () => {
    const plain = issuesOf(
      withFile("contacts.hotline.yaml", (t) =>
        t.replace('url: "{{url.help}}"', "url: http://www.gosuslugi.ru/help"),
      ),
    );
    expect(plain.map((i) => i.code)).toContain("bad_link");
    const foreign = issuesOf(
      withFile("contacts.hotline.yaml", (t) =>
        t.replace('url: "{{url.help}}"', "url: https://gosuslugi.example.com/help"),
      ),
    );
    expect(foreign).toContainEqual(
      expect.objectContaining({ code: "bad_link", field: "links.0.url" }),
    );
  });

  it("refuses an answer too long for a message once references are filled in", () => {
    const long = "Очень длинный ответ. ".repeat(60);
    const issues = issuesOf(
      withFile("contacts.hotline.yaml", (t) =>
        t.replace("📞 Горячая линия Госуслуг:", `${long}📞`),
      ),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ code: "answer_too_long", field: "answer.ru" }),
    );
  });

  it("refuses HTML Telegram would reject and a number written into an answer", () => {
    const issues = issuesOf(
      withFile("contacts.hotline.yaml", (t) =>
        t.replace("<b>{{phone.hotline}}</b>", "<font>8 800 555-35-35</font>"),
      ),
    );
    expect(issues.map((i) => i.code)).toEqual(
      expect.arrayContaining(["bad_html", "literal_contact"]),
    );
  });

  it("reports YAML syntax errors and loads nothing", () => {
    const result = parseKnowledgeBase(withFile("dept.tax.yaml", (t) => `${t}\n  - : [broken\n`));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues[0]).toMatchObject({ code: "yaml_syntax", file: "dept.tax.yaml" });
  });

  it("refuses a knowledge base missing a required intent", () => {
    const files = realFiles().filter((f) => f.name !== "dept.tax.yaml");
    expect(issuesOf(files)).toContainEqual(
      expect.objectContaining({ code: "missing_intent", file: "dept.tax.yaml" }),
    );
  });

  it("refuses a follow-up to an intent that does not exist", () => {
    const issues = issuesOf(
      withFile("contacts.hotline.yaml", (t) =>
        t.replace("  - hours.schedule", "  - hours.schedul"),
      ),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ file: "contacts.hotline.yaml", field: "follow_up.0" }),
    );
  });
});
