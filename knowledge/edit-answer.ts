// Changing one answer of an intent file without disturbing the rest of it.
import { isScalar, parseDocument, Scalar } from "yaml";
import type { Language } from "./model.ts";

export type SetAnswerResult = { ok: true; text: string } | { ok: false; reason: string };

const sameData = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The text of an intent file with `answer.<language>` set to `answer`. A
 * block (`|`) answer has only its own lines replaced, at its indentation, so
 * comments, blank lines and every other line stay exactly as they were;
 * another kind of scalar is written back by yaml's Document API (which keeps
 * comments) as a block. Either way the result is parsed again and must hold
 * the same data but the one answer.
 *
 * @example setAnswer(text, "ru", "Позвоните {{phone.hotline}}.")
 */
export function setAnswer(source: string, language: Language, answer: string): SetAnswerResult {
  const lines = answer.replace(/\r\n?/g, "\n").trimEnd();
  if (lines.trim() === "") return { ok: false, reason: "the answer is empty" };
  const document = parseDocument(source);
  if (document.errors.length > 0) {
    return { ok: false, reason: `YAML syntax: ${document.errors[0]?.message.split("\n")[0]}` };
  }
  const node = document.getIn(["answer", language], true);
  if (!isScalar(node)) return { ok: false, reason: `answer.${language} is not a text` };
  const expected = document.toJS() as { answer: Record<string, string> };
  expected.answer[language] = `${lines}\n`;

  const text = replaceBlock(source, node, lines) ?? rewrite(source, language, lines);
  const after = parseDocument(text);
  if (after.errors.length > 0 || !sameData(after.toJS(), expected)) {
    return {
      ok: false,
      reason: `could not change answer.${language} without changing anything else; edit the file by hand`,
    };
  }
  return { ok: true, text };
}

/** The source with a block scalar's lines replaced, or undefined if the node is not a `|` block. */
function replaceBlock(source: string, node: Scalar, lines: string): string | undefined {
  const [start, , end] = node.range ?? [];
  if (start === undefined || end === undefined || node.type !== Scalar.BLOCK_LITERAL) {
    return undefined;
  }
  const header = source.indexOf("\n", start);
  if (header === -1 || header > end) return undefined;
  const newline = source.includes("\r\n") ? "\r\n" : "\n";
  const firstLine = source.slice(header + 1, end).match(/^[ \t]*(?=\S)/m);
  const indent = firstLine?.[0] ?? "    ";
  const body = lines
    .split("\n")
    .map((line) => (line === "" ? "" : `${indent}${line}`))
    .join(newline);
  // The block ends after its last line's newline; what follows is the next key.
  const after = source.slice(end);
  return `${source.slice(0, start)}|${newline}${body}${newline}${after.replace(/^(\r?\n)+/, "")}`;
}

function rewrite(source: string, language: Language, lines: string): string {
  const document = parseDocument(source);
  const scalar = document.createNode(`${lines}\n`) as Scalar;
  scalar.type = Scalar.BLOCK_LITERAL;
  document.setIn(["answer", language], scalar);
  return document.toString({ lineWidth: 0 });
}
