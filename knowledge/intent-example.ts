// Adding or removing one example of an intent file without disturbing the rest of it.
import { Document, isSeq, parseDocument, type Scalar, type YAMLSeq } from "yaml";
import { PERSONAL_DATA_PLACEHOLDERS } from "./personal-data.ts";

export type AppendExampleResult = { ok: true; text: string } | { ok: false; reason: string };

/** One line: a question's line breaks and runs of spaces become single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * A citizen's stored question as an example: the placeholders that masked
 * its personal data (and any `also`, such as the retention purge's) left
 * out, on one line; undefined when no word is left.
 *
 * @example asExample("мой снилс [снилс] не принимают") // "мой снилс не принимают"
 */
export function asExample(question: string, also: readonly string[] = []): string | undefined {
  let text = question;
  for (const placeholder of [...PERSONAL_DATA_PLACEHOLDERS, ...also]) {
    text = text.split(placeholder).join(" ");
  }
  const line = oneLine(text);
  return /\p{L}/u.test(line) ? line : undefined;
}

const sameData = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The text of an intent file with `example` added at the end of
 * `examples.<language>`. The file is read with yaml's Document API; the new
 * item goes in as one line under the last one, with its indentation, so
 * comments, blank lines, quoting and every other line stay exactly as they
 * were. A list the line cannot be placed in (a flow list `[a, b]`) is
 * written back by the Document API instead, which keeps comments. Either
 * way the result is parsed again and must hold the same data plus the one
 * example.
 *
 * @example appendExample(text, "ru", "как узнать номер горячей линии")
 */
export function appendExample(
  source: string,
  language: "ru" | "en",
  example: string,
): AppendExampleResult {
  const line = oneLine(example);
  if (line === "") return { ok: false, reason: "the example is empty" };
  const document = parseDocument(source);
  if (document.errors.length > 0) {
    return { ok: false, reason: `YAML syntax: ${document.errors[0]?.message.split("\n")[0]}` };
  }
  const list = document.getIn(["examples", language], true);
  if (!isSeq(list) || list.items.length === 0) {
    return { ok: false, reason: `examples.${language} is not a list of examples` };
  }
  const before = document.toJS() as { examples: Record<string, unknown[]> };
  const expected = structuredClone(before);
  expected.examples[language]?.push(line);

  const text =
    insertLine(source, list.items.at(-1) as Scalar, line) ?? rewrite(document, language, line);
  const after = parseDocument(text);
  if (after.errors.length > 0 || !sameData(after.toJS(), expected)) {
    return {
      ok: false,
      reason: `could not add the example to examples.${language} without changing anything else; add it by hand`,
    };
  }
  return { ok: true, text };
}

/** The source with `- line` inserted after the last item, or undefined if that item is not a plain `- item` line. */
function insertLine(source: string, last: Scalar, line: string): string | undefined {
  const [start, valueEnd] = last.range ?? [];
  if (start === undefined || valueEnd === undefined) return undefined;
  const lineStart = source.lastIndexOf("\n", start - 1) + 1;
  const marker = /^([ \t]*)-[ \t]+$/.exec(source.slice(lineStart, start));
  if (!marker) return undefined;
  const newline = source.includes("\r\n") ? "\r\n" : "\n";
  // The item's line ends after its value (and any comment on that line).
  const end = source[valueEnd - 1] === "\n" ? valueEnd - 1 : source.indexOf("\n", valueEnd);
  const item = `${marker[1]}- ${new Document(line).toString({ lineWidth: 0 }).trimEnd()}`;
  if (end === -1) return `${source}${newline}${item}`;
  const lineEnd = source[end - 1] === "\r" ? end - 1 : end;
  return `${source.slice(0, lineEnd)}${newline}${item}${source.slice(lineEnd)}`;
}

function rewrite(document: Document, language: string, line: string): string {
  (document.getIn(["examples", language], true) as YAMLSeq).add(document.createNode(line));
  return document.toString({ lineWidth: 0 });
}

/**
 * The text of an intent file without the first `example` of
 * `examples.<language>`: its line goes (a comment on that line with it),
 * every other line stays. The result is parsed again and must hold the same
 * data less that one example; the last example of a language stays (an
 * intent needs examples).
 *
 * @example removeExample(text, "ru", "пароль")
 */
export function removeExample(
  source: string,
  language: "ru" | "en",
  example: string,
): AppendExampleResult {
  const document = parseDocument(source);
  if (document.errors.length > 0) {
    return { ok: false, reason: `YAML syntax: ${document.errors[0]?.message.split("\n")[0]}` };
  }
  const list = document.getIn(["examples", language], true);
  if (!isSeq(list)) return { ok: false, reason: `examples.${language} is not a list of examples` };
  const index = list.items.findIndex((item) => (item as Scalar).value === example);
  if (index === -1) return { ok: false, reason: `examples.${language} has no "${example}"` };
  if (list.items.length === 1) {
    return {
      ok: false,
      reason: `the last example of examples.${language} stays: add another first`,
    };
  }
  const expected = document.toJS() as { examples: Record<string, unknown[]> };
  expected.examples[language]?.splice(index, 1);
  const text = dropLine(source, list.items[index] as Scalar);
  const after = text === undefined ? undefined : parseDocument(text);
  if (!after || after.errors.length > 0 || !sameData(after.toJS(), expected)) {
    return {
      ok: false,
      reason: `could not remove the example from examples.${language} without changing anything else; remove it by hand`,
    };
  }
  return { ok: true, text: text as string };
}

/** The source without a plain `- item` line, or undefined if the item is not on one. */
function dropLine(source: string, item: Scalar): string | undefined {
  const [start, valueEnd] = item.range ?? [];
  if (start === undefined || valueEnd === undefined) return undefined;
  const lineStart = source.lastIndexOf("\n", start - 1) + 1;
  if (!/^[ \t]*-[ \t]+$/.test(source.slice(lineStart, start))) return undefined;
  const end = source.indexOf("\n", valueEnd - 1 < start ? start : valueEnd - 1);
  return end === -1
    ? source.slice(0, lineStart)
    : source.slice(0, lineStart) + source.slice(end + 1);
}
