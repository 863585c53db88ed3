import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { appendExample, asExample, removeExample } from "../../knowledge/intent-example.ts";
import { INTENTS_DIR } from "../knowledge-fixture.ts";

/** The lines of `after` that are not in `before`, checking everything else is unchanged and in order. */
function addedLines(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const added: string[] = [];
  let i = 0;
  for (const line of b) {
    if (i < a.length && line === a[i]) i++;
    else added.push(line);
  }
  expect(i, "every original line kept, in order").toBe(a.length);
  return added;
}

const COMMENTED = `# contacts.test: a file written by hand, with comments everywhere.
id: contacts.test # the id
topic: contacts

title: { ru: Тест, en: Test } # a flow map stays a flow map
examples:
  # Russian first.
  ru:
    - первый вопрос # why this one
    - 'второй: в кавычках'

    # a blank line above and a comment between items
    - "третий"
    - |
      четвёртый блоком
    # after the last Russian example
  en:
      - first question
      - second question   # spaced comment
answer:
  ru: |
    Ответ.
  en: >-
    Answer
    folded.
# the end
`;

describe("adding an example to an intent file", () => {
  it("adds exactly one line to every real intent file, under the last example of the list", () => {
    const files = readdirSync(INTENTS_DIR).filter((n) => n.endsWith(".yaml") && !n.startsWith("_"));
    expect(files.length).toBeGreaterThanOrEqual(28);
    for (const file of files) {
      const source = readFileSync(join(INTENTS_DIR, file), "utf8");
      for (const language of ["ru", "en"] as const) {
        const result = appendExample(source, language, "новый вопрос: с двоеточием");
        if (!result.ok) throw new Error(`${file}: ${result.reason}`);
        expect(addedLines(source, result.text), file).toEqual([
          '    - "новый вопрос: с двоеточием"',
        ]);
        const before = parse(source);
        const after = parse(result.text);
        expect(after.examples[language]).toEqual([
          ...before.examples[language],
          "новый вопрос: с двоеточием",
        ]);
        expect({ ...after, examples: before.examples }).toEqual(before);
      }
    }
  });

  it("keeps comments, blank lines, quoting and flow maps, using the list's own indentation", () => {
    const ru = appendExample(COMMENTED, "ru", "пятый вопрос");
    if (!ru.ok) throw new Error(ru.reason);
    expect(addedLines(COMMENTED, ru.text)).toEqual(["    - пятый вопрос"]);
    // It goes after the block item, before the comment that closes the list.
    expect(ru.text).toContain(
      "      четвёртый блоком\n    - пятый вопрос\n    # after the last Russian example\n",
    );
    const en = appendExample(COMMENTED, "en", "third question");
    if (!en.ok) throw new Error(en.reason);
    expect(addedLines(COMMENTED, en.text)).toEqual(["      - third question"]);
    expect(en.text).toContain(
      "      - second question   # spaced comment\n      - third question\n",
    );
    expect(parse(en.text).examples.en).toEqual([
      "first question",
      "second question",
      "third question",
    ]);
  });

  it("quotes what YAML would read as something else, and makes a question one line", () => {
    for (const [question, line] of [
      ["null", '    - "null"'],
      ["123", '    - "123"'],
      ["- список", '    - "- список"'],
      ["где #хэштег", '    - "где #хэштег"'],
      ["просто вопрос", "    - просто вопрос"],
      ["как войти\n  в кабинет?\r\n", "    - как войти в кабинет?"],
    ] as const) {
      const result = appendExample(COMMENTED, "ru", question);
      if (!result.ok) throw new Error(result.reason);
      expect(addedLines(COMMENTED, result.text), question).toEqual([line]);
      expect(parse(result.text).examples.ru.at(-1)).toBe(question.replace(/\s+/g, " ").trim());
    }
  });

  it("keeps Windows line endings and a missing final newline", () => {
    const source = "examples:\r\n  ru:\r\n    - а\r\n    - б\r\n  en:\r\n    - a # last";
    const ru = appendExample(source, "ru", "в");
    const en = appendExample(source, "en", "b");
    expect(ru).toEqual({ ok: true, text: source.replace("- б\r\n", "- б\r\n    - в\r\n") });
    expect(en).toEqual({ ok: true, text: `${source}\r\n    - b` });
  });

  it("writes a flow list back through the Document API, keeping comments", () => {
    const source = "# top comment\nexamples:\n  ru: [а, б] # inline\n  en:\n    - a\n";
    const result = appendExample(source, "ru", "в");
    if (!result.ok) throw new Error(result.reason);
    expect(result.text).toContain("# top comment");
    expect(result.text).toContain("# inline");
    expect(parse(result.text)).toEqual({ examples: { ru: ["а", "б", "в"], en: ["a"] } });
  });

  it("refuses a file without the list, a broken file and an empty example", () => {
    expect(appendExample("examples:\n  ru:\n    - а\n", "en", "b")).toMatchObject({
      ok: false,
      reason: "examples.en is not a list of examples",
    });
    expect(appendExample("examples: [\n", "ru", "в")).toMatchObject({ ok: false });
    expect(appendExample(COMMENTED, "ru", " \n ")).toMatchObject({ ok: false });
  });
});

describe("removing an example from an intent file", () => {
  it("removes exactly its line (and a comment on it) from every real intent file", () => {
    const files = readdirSync(INTENTS_DIR).filter((n) => n.endsWith(".yaml") && !n.startsWith("_"));
    for (const file of files) {
      const source = readFileSync(join(INTENTS_DIR, file), "utf8");
      for (const language of ["ru", "en"] as const) {
        const examples = (parse(source) as { examples: Record<string, string[]> }).examples[
          language
        ];
        const chosen = examples?.[1] as string;
        const result = removeExample(source, language, chosen);
        if (!result.ok) throw new Error(`${file}: ${result.reason}`);
        // Read the other way round: the original is the result plus one line.
        expect(addedLines(result.text, source), file).toHaveLength(1);
        expect(
          (parse(result.text) as { examples: Record<string, string[]> }).examples[language],
        ).toEqual(examples?.filter((_, n) => n !== 1));
      }
    }
  });

  it("keeps comments and blank lines around it, and refuses what is not there or the last one", () => {
    const removed = removeExample(COMMENTED, "ru", "первый вопрос");
    if (!removed.ok) throw new Error(removed.reason);
    expect(addedLines(removed.text, COMMENTED)).toEqual(["    - первый вопрос # why this one"]);
    const quoted = removeExample(COMMENTED, "ru", "третий");
    expect(quoted.ok && addedLines(quoted.text, COMMENTED)).toEqual(['    - "третий"']);
    expect(removeExample(COMMENTED, "ru", "нет такого")).toMatchObject({ ok: false });
    const alone = "id: a.b\nexamples:\n  ru:\n    - один\n  en:\n    - one\n";
    expect(removeExample(alone, "ru", "один")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("last example"),
    });
  });
});

describe("asExample", () => {
  it("leaves out personal data's placeholders and the extra ones given, on one line", () => {
    expect(asExample("мой [СНИЛС] не\nпринимают, телефон [телефон]")).toBe(
      "мой не принимают, телефон",
    );
    expect(asExample("[удалено] пароль", ["[удалено]"])).toBe("пароль");
    expect(asExample("[удалено] пароль")).toBe("[удалено] пароль");
  });

  it("is nothing when no word is left", () => {
    expect(asExample("[телефон] [e-mail] 😀 ???")).toBeUndefined();
    expect(asExample("   ")).toBeUndefined();
  });
});
