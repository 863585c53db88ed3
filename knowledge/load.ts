import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { createDirectory, type Directory, fillReferences, REFERENCE } from "./directory.ts";
import type { KnowledgeIssue } from "./errors.ts";
import { checkHtml, hrefsOf, htmlToText } from "./html.ts";
import type { Intent, KnowledgeBase, Language } from "./model.ts";
import {
  directorySchema,
  intentFileSchema,
  MAX_ANSWER_LENGTH,
  outOfScopeSchema,
  synonymsSchema,
} from "./schema.ts";
import { REQUIRED_INTENTS } from "./taxonomy.ts";

/** A file of the knowledge folder: its name and its text. */
export interface SourceFile {
  name: string;
  text: string;
}

export type LoadResult = { ok: true; kb: KnowledgeBase } | { ok: false; issues: KnowledgeIssue[] };

/** The repository's own knowledge folder, `intents/`. */
export const DEFAULT_KNOWLEDGE_FOLDER = fileURLToPath(new URL("../intents", import.meta.url));
export const DIRECTORY_FILE = "_directory.yaml";
export const SYNONYMS_FILE = "_synonyms.yaml";
export const OUT_OF_SCOPE_FILE = "_out_of_scope.yaml";
const LANGUAGES: readonly Language[] = ["ru", "en"];

/**
 * Reads every `.yaml` file of the knowledge folder (intents and the shared
 * `_` files). Throws only when the folder itself cannot be read.
 */
export function readKnowledgeFolder(folder: string): SourceFile[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(folder, name), "utf8") }));
}

/**
 * Reads and validates a knowledge folder: all of it or nothing.
 *
 * @example
 * const result = loadKnowledgeBase("intents");
 * if (!result.ok) console.error(result.issues.map(formatIssue).join("\n"));
 */
export function loadKnowledgeBase(folder: string): LoadResult {
  let files: SourceFile[];
  try {
    files = readKnowledgeFolder(folder);
  } catch (error) {
    return {
      ok: false,
      issues: [
        {
          code: "read_failed",
          file: folder,
          field: "",
          message: `cannot read the knowledge folder (${(error as Error).message}); check KNOWLEDGE_DIR`,
        },
      ],
    };
  }
  return parseKnowledgeBase(files);
}

/**
 * Validates the files of a knowledge base and builds it. Every problem is
 * reported (not only the first), each naming the file, the field and the fix;
 * with any problem nothing is returned, so a half-valid base is never used.
 */
export function parseKnowledgeBase(files: readonly SourceFile[]): LoadResult {
  const issues: KnowledgeIssue[] = [];
  const report = (issue: KnowledgeIssue) => issues.push(issue);

  const directoryFile = files.find((f) => f.name === DIRECTORY_FILE);
  const synonymsFile = files.find((f) => f.name === SYNONYMS_FILE);
  if (!directoryFile) {
    report({
      code: "read_failed",
      file: DIRECTORY_FILE,
      field: "",
      message: "the contact directory is missing; every answer refers to it",
    });
  }
  const directoryData = directoryFile && parseFile(directoryFile, directorySchema, report);
  const synonymsData = synonymsFile ? parseFile(synonymsFile, synonymsSchema, report) : {};
  const outOfScopeFile = files.find((f) => f.name === OUT_OF_SCOPE_FILE);
  const outOfScopeData = outOfScopeFile
    ? parseFile(outOfScopeFile, outOfScopeSchema, report)
    : { examples: { ru: [], en: [] } };
  for (const file of files) {
    if (
      file.name.startsWith("_") &&
      ![DIRECTORY_FILE, SYNONYMS_FILE, OUT_OF_SCOPE_FILE].includes(file.name)
    ) {
      report({
        code: "read_failed",
        file: file.name,
        field: "",
        message: `unknown shared file; names starting with "_" are reserved for ${DIRECTORY_FILE}, ${SYNONYMS_FILE} and ${OUT_OF_SCOPE_FILE}`,
      });
    }
  }
  const directory = directoryData && createDirectory(directoryData);

  if (directory) {
    for (const [name, url] of Object.entries(directory.file.url)) {
      if (!directory.isOfficialUrl(url)) {
        report({
          code: "bad_link",
          file: DIRECTORY_FILE,
          field: `url.${name}`,
          message: `${url} is not on an official domain; add the domain to official_domains only if it is an official one`,
        });
      }
    }
  }

  const intents: Intent[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    if (file.name.startsWith("_")) continue;
    const data = parseFile(file, intentFileSchema, report);
    if (!data) continue;
    const expectedId = file.name.replace(/\.ya?ml$/, "");
    if (data.id !== expectedId) {
      report({
        code: "invalid_field",
        file: file.name,
        field: "id",
        message: `id "${data.id}" must equal the file name; rename the file to ${data.id}.yaml or set id: ${expectedId}`,
      });
    }
    const previous = seen.get(data.id);
    if (previous) {
      report({
        code: "duplicate_id",
        file: file.name,
        field: "id",
        message: `id "${data.id}" is already used by ${previous}; each intent needs its own id`,
      });
      continue;
    }
    seen.set(data.id, file.name);
    intents.push({
      id: data.id,
      topic: data.topic,
      title: data.title,
      examples: data.examples,
      answer: data.answer,
      links: data.links,
      followUp: data.follow_up,
      escalate: data.escalate,
      file: file.name,
    });
  }

  for (const id of REQUIRED_INTENTS) {
    if (!seen.has(id)) {
      report({
        code: "missing_intent",
        file: `${id}.yaml`,
        field: "",
        message: `the required intent ${id} is missing; create ${id}.yaml (see intents/README.md)`,
      });
    }
  }

  for (const intent of intents) {
    for (const [index, target] of intent.followUp.entries()) {
      if (!seen.has(target) || target === intent.id) {
        report({
          code: "invalid_field",
          file: intent.file,
          field: `follow_up.${index}`,
          message: `"${target}" is not another intent; use an id of an existing intent file`,
        });
      }
    }
    if (directory) checkIntentContent(intent, directory, report);
  }

  if (issues.length > 0 || !directory || !synonymsData || !outOfScopeData) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    kb: {
      intents,
      byId: new Map(intents.map((intent) => [intent.id, intent])),
      directory,
      synonyms: synonymsData,
      outOfScope: outOfScopeData.examples,
    },
  };
}

function parseFile<T extends z.ZodType>(
  file: SourceFile,
  schema: T,
  report: (issue: KnowledgeIssue) => void,
): z.infer<T> | undefined {
  // Bytes that are not UTF-8 were read as U+FFFD: a file saved in another encoding.
  const notUtf8 = file.text.indexOf("\uFFFD");
  if (notUtf8 !== -1) {
    const line = file.text.slice(0, notUtf8).split("\n").length;
    report({
      code: "read_failed",
      file: file.name,
      field: "",
      message: `line ${line} is not UTF-8 text (saved in another encoding?); save the file as UTF-8`,
    });
    return undefined;
  }
  const document = parseDocument(file.text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      report({
        code: "yaml_syntax",
        file: file.name,
        field: "",
        message: `YAML syntax: ${error.message.split("\n")[0]}; check indentation and quote text containing ": " or starting with { [ * & ! % @`,
      });
    }
    return undefined;
  }
  let data: unknown;
  try {
    data = document.toJS() ?? {};
  } catch (error) {
    // yaml refuses aliases that would expand too far ("billion laughs").
    report({
      code: "yaml_syntax",
      file: file.name,
      field: "",
      message: `YAML: ${(error as Error).message}; write the text out instead of using anchors (&) and aliases (*)`,
    });
    return undefined;
  }
  // With the input in each issue, a field that is there but wrong is not called missing.
  const parsed = schema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const problem of parsed.error.issues) {
    const field = problem.path.join(".");
    let message = problem.message;
    if (problem.code === "unrecognized_keys") {
      message = `unknown field(s) ${problem.keys.map((k) => `"${k}"`).join(", ")}: remove them or fix the spelling`;
    } else if (problem.code === "invalid_type" && problem.input === undefined) {
      message = `required field is missing: ${problem.message}`;
    }
    report({ code: "invalid_field", file: file.name, field, message });
  }
  return undefined;
}

const LITERAL_CONTACTS: readonly [RegExp, string][] = [
  [/(\+7|\b8)[\s\-‑–(]*\d{3}[\s\-‑–)]*\d{3}[\s\-‑–]*\d{2}[\s\-‑–]*\d{2}/, "a phone number"],
  [/[\w.+-]+@[\w-]+\.[a-z]{2,}/i, "an e-mail address"],
  [/https?:\/\//, "a link"],
];

// Moments that give the longest "open now" sentences: closed before a
// weekend, a holiday, mornings and evenings of each day of a week.
const SAMPLE_MOMENTS = Array.from(
  { length: 7 * 4 },
  (_, i) => new Date(Date.UTC(2026, 0, 1 + Math.floor(i / 4), (i % 4) * 6 + 2)),
);

function checkIntentContent(
  intent: Intent,
  directory: Directory,
  report: (issue: KnowledgeIssue) => void,
): void {
  const issue = (code: KnowledgeIssue["code"], field: string, message: string) =>
    report({ code, file: intent.file, field, message });

  const checkReferences = (text: string, field: string) => {
    for (const [whole, group = "", name = ""] of text.matchAll(REFERENCE)) {
      const probe = fillReferences(directory, whole, "ru", new Date(0));
      if (probe === whole) {
        issue(
          "dangling_reference",
          field,
          `${whole} is not in ${DIRECTORY_FILE}; add ${group}.${name} there or use an existing name`,
        );
      }
    }
    // "{{Phone.hotline}}", "{{phone-hotline}}", "{{url.help}": no reference, shown as typed.
    const broken = /\{\{|\}\}/.exec(text.replace(REFERENCE, ""));
    if (broken) {
      issue(
        "dangling_reference",
        field,
        `"${broken[0]}" outside a reference; write references as {{group.name}} in lowercase latin, e.g. {{phone.hotline}}`,
      );
    }
  };

  for (const language of LANGUAGES) {
    const field = `answer.${language}`;
    const template = intent.answer[language];
    checkReferences(template, field);
    const withoutReferences = template.replace(REFERENCE, "");
    for (const [pattern, what] of LITERAL_CONTACTS) {
      if (pattern.test(withoutReferences)) {
        issue(
          "literal_contact",
          field,
          `the answer contains ${what}; put it in ${DIRECTORY_FILE} and refer to it like {{phone.hotline}}`,
        );
      }
    }
    for (const problem of checkHtml(template)) issue("bad_html", field, problem);
    const longest = Math.max(
      ...SAMPLE_MOMENTS.map(
        (at) => htmlToText(fillReferences(directory, template, language, at)).length,
      ),
    );
    if (longest > MAX_ANSWER_LENGTH) {
      issue(
        "answer_too_long",
        field,
        `the answer is ${longest} characters with references filled in; shorten it to ${MAX_ANSWER_LENGTH}`,
      );
    }
    for (const href of hrefsOf(fillReferences(directory, template, language, new Date(0), false))) {
      if (!directory.isOfficialUrl(href)) {
        issue("bad_link", field, `link ${href} must be https:// on an official domain`);
      }
    }
  }

  for (const [index, link] of intent.links.entries()) {
    const field = `links.${index}.url`;
    checkReferences(link.url, field);
    const url = fillReferences(directory, link.url, "ru", new Date(0), false);
    // A reference left unfilled is reported above; anything else must be a link.
    if (url.search(REFERENCE) === -1 && !directory.isOfficialUrl(url)) {
      issue(
        "bad_link",
        field,
        `${url} must be an https:// link on an official domain (${directory.file.official_domains.join(", ")})`,
      );
    }
  }
}
