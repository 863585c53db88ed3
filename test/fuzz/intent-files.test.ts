import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import {
  type KnowledgeBase,
  type KnowledgeIssue,
  loadKnowledgeBase,
  REQUIRED_INTENTS,
} from "../../knowledge/index.ts";
import { INTENTS_DIR } from "../knowledge-fixture.ts";
import { fuzzParameters, fuzzTimeout } from "./fuzz-settings.ts";
import { createHangGuard } from "./hang-guard.ts";

// One intent file of a copy of intents/ broken at random, then the folder
// loaded as the bot loads it: a clear error naming the file (and the field
// where there is one), or, if the change left the file valid, the whole base
// and the same base again: never an exception, never a base missing intents.

// Loading takes 40-150 ms (28 moments of every answer's opening hours are
// rendered); a blow-up (an alias bomb) would take far longer than 5 s.
const guard = createHangGuard(5_000);
let folder = "";
let original: KnowledgeBase;
let intentFiles: string[] = [];

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "fuzz-intents-"));
  cpSync(INTENTS_DIR, folder, { recursive: true });
  intentFiles = readdirSync(folder).filter((n) => n.endsWith(".yaml") && !n.startsWith("_"));
  const loaded = loadKnowledgeBase(folder);
  if (!loaded.ok) throw new Error("the repository's knowledge base does not load");
  original = loaded.kb;
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/**
 * What a broken file must be refused with: an issue on this field (or one
 * inside it) with this code; `present`: the field is there, so no issue on it
 * may call it missing. Not refused: loads if still valid; `unchanged`: must
 * load, and as the same intent.
 */
type Expectation =
  | { refused: true; field?: string; code?: KnowledgeIssue["code"]; present?: boolean }
  | { refused: false; unchanged?: boolean };
interface Mutation {
  describe: string;
  apply: (bytes: Buffer) => { bytes: Buffer; expect: Expectation };
}
/** The mutation, printed by fast-check as its description. */
const named = (mutation: Mutation): Mutation =>
  Object.assign(mutation, { [fc.toStringMethod]: () => mutation.describe });

const LANGUAGES = ["ru", "en"] as const;
const REQUIRED_PATHS = [
  "id",
  "topic",
  "title",
  "title.ru",
  "title.en",
  "examples",
  "examples.ru",
  "examples.en",
  "answer",
  "answer.ru",
  "answer.en",
];
// Values each field never accepts.
const WRONG_VALUES: Record<string, unknown[]> = {
  id: [42, true, null, [], {}, "Not An Id", "", "contacts.somebody_else"],
  topic: [42, null, [], "weather"],
  title: ["text", 42, null, [], { ru: "только русский" }],
  answer: ["text", 42, null, [], { en: "English only" }],
  examples: ["text", 42, null, [], { ru: [] }],
  "examples.ru": ["text", 42, null, {}, [], ["один пример"]],
  "examples.en": ["text", 42, null, {}, [], ["one example"]],
  links: ["text", 42, {}, [{ title: "x", url: "y" }], [null]],
  follow_up: ["text", 42, ["Not An Id"], { a: 1 }],
  escalate: ["yes", 1, [], null, "true"],
};
for (const language of LANGUAGES) {
  for (const field of ["title", "answer"]) {
    WRONG_VALUES[`${field}.${language}`] = [42, null, [], {}, "", "   ", true];
  }
}

const PHONES = ["+7 (800) 100-70-10", "8 800 100 70 10", "88001007010", "+7 495 123-45-67"];
const FOREIGN_LINKS = [
  "https://evil.example.com/help",
  "http://www.gosuslugi.ru/help",
  "https://gosuslugi.ru.evil.com/",
  "https://www.gosuslugi.ru@evil.com/",
  "https://evilgosuslugi.ru/",
  "javascript:alert(1)",
  "ftp://www.gosuslugi.ru/",
];
const UNKNOWN_REFERENCES = [
  "{{phone.nowhere}}",
  "{{url.nope}}",
  "{{hours.night}}",
  "{{open.never}}",
  "{{email.boss}}",
  "{{channel.x}}",
  "{{weather.today}}",
  "{{ phone.missing }}",
  "{{Phone.hotline}}",
  "{{phone-hotline}}",
  "{{phone.hotline}",
  "{{}}",
];

const textOf = (bytes: Buffer) => bytes.toString("utf8");
const yamlEdit = (bytes: Buffer, edit: (doc: ReturnType<typeof parseDocument>) => void) => {
  const doc = parseDocument(textOf(bytes));
  edit(doc);
  return Buffer.from(doc.toString(), "utf8");
};
const pathOf = (field: string) => field.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
const refused = (field?: string, code?: KnowledgeIssue["code"]): Expectation => ({
  refused: true,
  ...(field !== undefined ? { field } : {}),
  ...(code ? { code } : {}),
});
const maybeValid: Expectation = { refused: false };

const mutations: fc.Arbitrary<Mutation> = fc
  .oneof<fc.Arbitrary<Mutation>[]>(
    fc.constantFrom(...REQUIRED_PATHS).map((field) => ({
      describe: `delete ${field}`,
      apply: (bytes) => ({
        bytes: yamlEdit(bytes, (doc) => doc.deleteIn(pathOf(field))),
        expect: refused(field),
      }),
    })),
    fc
      .constantFrom(...Object.keys(WRONG_VALUES))
      .chain((field) =>
        fc.tuple(fc.constant(field), fc.constantFrom(...(WRONG_VALUES[field] ?? []))),
      )
      .map(([field, value]) => ({
        describe: `set ${field} to ${JSON.stringify(value)}`,
        apply: (bytes) => ({
          bytes: yamlEdit(bytes, (doc) => doc.setIn(pathOf(field), value)),
          expect: { ...refused(field), present: value !== null },
        }),
      })),
    fc.constantFrom("BOM", "CRLF", "BOM and CRLF").map((how) => ({
      describe: `saved with ${how}`,
      apply: (bytes) => {
        const text = how === "BOM" ? textOf(bytes) : textOf(bytes).replaceAll("\n", "\r\n");
        const bom = how === "CRLF" ? "" : "\ufeff";
        return { bytes: Buffer.from(bom + text), expect: { refused: false, unchanged: true } };
      },
    })),
    fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({
      describe: `truncate at ${at.toFixed(3)}`,
      apply: (bytes) => ({
        bytes: bytes.subarray(0, Math.floor(at * bytes.length)),
        expect: maybeValid,
      }),
    })),
    fc
      .array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })),
        {
          minLength: 1,
          maxLength: 8,
        },
      )
      .map((flips) => ({
        describe: `flip bytes ${JSON.stringify(flips)}`,
        apply: (bytes) => {
          const copy = Buffer.from(bytes);
          for (const [at, mask] of flips) {
            const i = Math.min(copy.length - 1, Math.floor(at * copy.length));
            copy[i] = (copy[i] ?? 0) ^ mask;
          }
          return { bytes: copy, expect: maybeValid };
        },
      })),
    fc
      .tuple(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(
          [0xff],
          [0xc3],
          [0xed, 0xa0, 0x80],
          [0xc0, 0xaf],
          [0xe2, 0x82],
          [0x80],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
        ),
      )
      .map(([at, invalid]) => ({
        describe: `insert invalid UTF-8 ${JSON.stringify(invalid)} at ${at.toFixed(3)}`,
        apply: (bytes) => {
          // In the middle of a value (after "id: " of the first key) or anywhere.
          const i = Math.floor(at * bytes.length);
          return {
            bytes: Buffer.concat([bytes.subarray(0, i), Buffer.from(invalid), bytes.subarray(i)]),
            expect: refused(),
          };
        },
      })),
    fc.constantFrom("id", "topic", "title", "answer", "examples").map((key) => ({
      describe: `duplicate key ${key}`,
      apply: (bytes) => ({
        bytes: Buffer.concat([bytes, Buffer.from(`\n${key}: duplicate\n`)]),
        expect: refused("", "yaml_syntax"),
      }),
    })),
    fc
      .tuple(
        fc.constantFrom(
          "answer.ru",
          "answer.en",
          "title.ru",
          "examples.ru.0",
          "examples.en.0",
          "id",
        ),
        fc.integer({ min: 1_001, max: 100_000 }),
      )
      .map(([field, size]) => ({
        describe: `a value of ${size} characters in ${field}`,
        apply: (bytes) => ({
          bytes: yamlEdit(bytes, (doc) => doc.setIn(pathOf(field), "ы".repeat(size))),
          // An answer that long is refused; a long title or example is only odd.
          expect: field.startsWith("answer") || field === "id" ? refused(field) : maybeValid,
        }),
      })),
    fc.integer({ min: 3, max: 12 }).map((depth) => ({
      describe: `an alias bomb ${depth} levels deep in examples.ru`,
      apply: (bytes) => {
        const levels = [
          `a0: &a0 ["пример", "пример", "пример", "пример", "пример", "пример", "пример", "пример", "пример"]`,
        ];
        for (let i = 1; i < depth; i++) {
          levels.push(
            `a${i}: &a${i} [${Array(9)
              .fill(`*a${i - 1}`)
              .join(", ")}]`,
          );
        }
        const bomb = Buffer.from(`${levels.join("\n")}\n`);
        const text = textOf(bytes).replace(/^ {2}ru:\n(( {4}- .*\n)+)/m, `  ru: *a${depth - 1}\n`);
        return {
          bytes: Buffer.concat([bomb, Buffer.from(text)]),
          // The anchors are unknown top-level fields, refused if nothing else is.
          expect: refused(),
        };
      },
    })),
    fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({
      describe: `tab indentation on the indented line at ${at.toFixed(3)}`,
      apply: (bytes) => {
        const lines = textOf(bytes).split("\n");
        const indented = lines.flatMap((line, i) => (/^ {2}\S/.test(line) ? [i] : []));
        const target = indented[Math.floor(at * indented.length)] ?? 0;
        lines[target] = (lines[target] ?? "").replace(/^ {2}/, "\t");
        return { bytes: Buffer.from(lines.join("\n")), expect: refused("", "yaml_syntax") };
      },
    })),
    fc
      .tuple(
        fc.constantFrom(...LANGUAGES),
        fc.constantFrom(...PHONES),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .map(([language, phone, at]) => ({
        describe: `phone ${phone} in answer.${language} at ${at.toFixed(3)}`,
        apply: (bytes) => ({
          bytes: yamlEdit(bytes, (doc) => {
            const answer = String(doc.getIn(["answer", language]));
            const spaces = [...answer.matchAll(/ /g)].map((m) => m.index);
            const i = spaces[Math.floor(at * spaces.length)] ?? 0;
            doc.setIn(["answer", language], `${answer.slice(0, i)} ${phone}${answer.slice(i)}`);
          }),
          expect: refused(`answer.${language}`, "literal_contact"),
        }),
      })),
    fc
      .tuple(fc.constantFrom(...FOREIGN_LINKS), fc.constantFrom("links", "answer.ru", "answer.en"))
      .map(([url, where]) => ({
        describe: `link ${url} in ${where}`,
        apply: (bytes) => ({
          bytes: yamlEdit(bytes, (doc) => {
            if (where === "links") {
              doc.setIn(["links"], [{ title: { ru: "Ссылка", en: "Link" }, url }]);
            } else {
              const answer = String(doc.getIn(pathOf(where)));
              doc.setIn(pathOf(where), `${answer.trimEnd()} <a href="${url}">ссылка</a>`);
            }
          }),
          expect: refused(where === "links" ? "links.0.url" : where),
        }),
      })),
    fc
      .tuple(
        fc.constantFrom(...UNKNOWN_REFERENCES),
        fc.constantFrom("links", "answer.ru", "answer.en"),
      )
      .map(([reference, where]) => ({
        describe: `reference ${reference} in ${where}`,
        apply: (bytes) => ({
          bytes: yamlEdit(bytes, (doc) => {
            if (where === "links") {
              doc.setIn(["links"], [{ title: { ru: "Ссылка", en: "Link" }, url: reference }]);
            } else {
              const answer = String(doc.getIn(pathOf(where)));
              doc.setIn(pathOf(where), `${answer.trimEnd()} ${reference}`);
            }
          }),
          expect: refused(where === "links" ? "links.0.url" : where),
        }),
      })),
  )
  .map(named);

/** The parts of a knowledge base that say what it is (Maps and functions left out). */
const contentOf = (kb: KnowledgeBase) => ({
  intents: kb.intents,
  directory: kb.directory.file,
  synonyms: kb.synonyms,
  outOfScope: kb.outOfScope,
});

describe("a randomly broken intent file", () => {
  it(
    "is refused with an issue naming the file and field, or loads whole if still valid",
    () => {
      fc.assert(
        fc.property(fc.nat(), mutations, (pick, mutation) => {
          const name = intentFiles[pick % intentFiles.length] as string;
          const path = join(folder, name);
          const before = readFileSync(path);
          const { bytes, expect: expected } = mutation.apply(before);
          writeFileSync(path, bytes);
          try {
            const result = guard.time("loadKnowledgeBase", () => loadKnowledgeBase(folder));
            if (!result.ok) {
              expect(result.issues.length).toBeGreaterThan(0);
              for (const issue of result.issues) {
                expect(issue.message.trim()).not.toBe("");
                expect(issue.message).not.toContain("[object");
              }
              const own = result.issues.filter((issue) => issue.file === name);
              expect(own, `${name}: ${mutation.describe}`).not.toEqual([]);
              if (!expected.refused && expected.unchanged) {
                expect.unreachable(`${mutation.describe} must load: ${JSON.stringify(own)}`);
              }
              if (expected.refused && expected.field !== undefined) {
                const { field, code } = expected;
                const named = own.some(
                  (issue) =>
                    (issue.field === field ||
                      issue.field.startsWith(`${field}.`) ||
                      field === "") &&
                    (code === undefined || issue.code === code),
                );
                expect(named, `${mutation.describe}: ${JSON.stringify(own)}`).toBe(true);
                if (expected.present) {
                  const missing = own.filter(
                    (issue) => issue.field === field && /missing/.test(issue.message),
                  );
                  expect(missing, `${mutation.describe}: the field is there`).toEqual([]);
                }
              }
              return;
            }
            expect(expected.refused, `${name}: ${mutation.describe} loaded`).toBe(false);
            const { kb } = result;
            if (!expected.refused && expected.unchanged)
              expect(kb.intents).toEqual(original.intents);
            for (const id of REQUIRED_INTENTS) expect(kb.byId.has(id), id).toBe(true);
            expect(kb.intents.map((i) => i.file).sort()).toEqual([...intentFiles].sort());
            for (const intent of kb.intents) {
              if (intent.file !== name) expect(intent).toEqual(original.byId.get(intent.id));
            }
            const again = loadKnowledgeBase(folder);
            expect(again.ok && contentOf(again.kb)).toEqual(contentOf(kb));
          } finally {
            writeFileSync(path, before);
          }
        }),
        fuzzParameters(40),
      );
    },
    fuzzTimeout(60_000),
  );

  it("leaves the folder as it was", () => {
    const result = loadKnowledgeBase(folder);
    expect(result.ok && result.kb.intents).toEqual(original.intents);
  });
});
