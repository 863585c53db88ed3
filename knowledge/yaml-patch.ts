// Changing the data of a YAML file by changing only the lines whose values
// differ: comments, blank lines, quoting and every other line stay.
import { isDeepStrictEqual } from "node:util";
import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";

export type PatchResult = { ok: true; text: string } | { ok: false; reason: string };

/** One splice of the source: [start, end) becomes `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/** What a change could not be written as edits of its own lines. */
class Unpatchable extends Error {}

/**
 * The text of a YAML file with its data changed by `change` (given a copy of
 * the data to modify in place, or to return a replacement of). Only what
 * differs is written: a scalar is replaced where it stands (in its quoting),
 * a new list item or map entry goes in after the last one at its
 * indentation, a removed one takes its lines with it; every other line,
 * comments included, stays as it was. A new map key goes after the key it
 * follows in the changed data. The result is parsed again and must hold
 * exactly the changed data; when that cannot be done line by line the
 * reason says so and nothing is changed.
 *
 * @example patchYaml(text, (data) => { data.title.ru = "Горячая линия"; })
 */
export function patchYaml(
  source: string,
  // biome-ignore lint/suspicious/noExplicitAny: the data of any YAML file, checked by the caller's schema.
  change: (data: any) => unknown,
): PatchResult {
  const document = parseDocument(source);
  if (document.errors.length > 0) {
    return { ok: false, reason: `YAML syntax: ${document.errors[0]?.message.split("\n")[0]}` };
  }
  const before = document.toJS() as unknown;
  const copy = structuredClone(before);
  const returned = change(copy);
  const expected = returned === undefined ? copy : returned;
  if (isDeepStrictEqual(before, expected)) return { ok: true, text: source };
  let edits: Edit[];
  try {
    edits = diffNode(source, document.contents as Node, expected, false);
  } catch (error) {
    if (!(error instanceof Unpatchable)) throw error;
    return { ok: false, reason: `${error.message}; edit the file by hand` };
  }
  return checked(source, applied(source, edits), expected);
}

/**
 * The text of a YAML file with the map key at `path` renamed to `to`, its
 * value and everything else as they were.
 *
 * @example renameKey(text, ["phone", "hotline"], "main")
 */
export function renameKey(source: string, path: readonly string[], to: string): PatchResult {
  const document = parseDocument(source);
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  const pair = isMap(parent)
    ? parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1))
    : undefined;
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  if (!isMap(parent) || !range) return { ok: false, reason: `${path.join(".")} is not there` };
  if (parent.items.some((p) => isScalar(p.key) && p.key.value === to)) {
    return { ok: false, reason: `${[...path.slice(0, -1), to].join(".")} exists already` };
  }
  const expected = renamed(document.toJS(), path, to);
  const text = applied(source, [{ start: range[0], end: range[1], text: plainOrQuoted(to) }]);
  return checked(source, text, expected);
}

function renamed(data: unknown, path: readonly string[], to: string): unknown {
  const [key = "", ...rest] = path;
  const object = data as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) =>
      k !== key ? [k, v] : rest.length === 0 ? [to, v] : [k, renamed(v, rest, to)],
    ),
  );
}

function checked(source: string, text: string, expected: unknown): PatchResult {
  const after = parseDocument(text);
  if (after.errors.length > 0 || !isDeepStrictEqual(after.toJS(), expected)) {
    return {
      ok: false,
      reason: "could not make the change without changing other lines; edit the file by hand",
    };
  }
  return { ok: true, text: source.includes("\r\n") ? text.replace(/\r?\n/g, "\r\n") : text };
}

function applied(source: string, edits: readonly Edit[]): string {
  let text = source;
  // From the end, so that earlier positions stay true; an insertion at the
  // end of a removed range goes in before the removal is made.
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return text;
}

/** The edits that make `node` hold `value`. */
function diffNode(source: string, node: Node, value: unknown, inFlow: boolean): Edit[] {
  if (isScalar(node) && !isObject(value)) {
    if (node.value === value) return [];
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      throw new Unpatchable("a block text (|) is changed with its own editor");
    }
    const [start, end] = rangeOf(node);
    return [{ start, end, text: scalarText(value, node.type, inFlow) }];
  }
  if (isSeq(node) && Array.isArray(value)) return diffSeq(source, node, value, inFlow);
  if (isMap(node) && isObject(value) && !Array.isArray(value)) {
    return diffMap(source, node, value as Record<string, unknown>, inFlow);
  }
  throw new Unpatchable("a value changes its kind (a text, a list or a map)");
}

function diffSeq(source: string, seq: YAMLSeq, values: unknown[], inFlow: boolean): Edit[] {
  const items = seq.items as Node[];
  const flow = inFlow || Boolean(seq.flow);
  if (flow && items.length !== values.length) {
    throw new Unpatchable("a list written on one line [a, b] changes its length");
  }
  if (items.length === 0 || values.length === 0) {
    throw new Unpatchable("a list becomes empty or stops being empty");
  }
  const edits = values
    .slice(0, items.length)
    .flatMap((value, i) => diffNode(source, items[i] as Node, value, flow));
  for (const item of items.slice(values.length)) {
    edits.push({ start: lineStart(source, startOf(item)), end: lineEnd(source, item), text: "" });
  }
  const extra = values.slice(items.length);
  if (extra.length > 0) {
    const last = items.at(-1) as Node;
    const marker = /^[ \t]*(?=-)/.exec(source.slice(lineStart(source, startOf(last))));
    if (!marker) throw new Unpatchable("a list's items are not one per line");
    const quoted = isScalar(last) && last.type === Scalar.QUOTE_DOUBLE;
    edits.push(insertion(source, lineEnd(source, last), block(extra, marker[0], quoted)));
  }
  return edits;
}

function diffMap(
  source: string,
  map: YAMLMap,
  values: Record<string, unknown>,
  inFlow: boolean,
): Edit[] {
  const flow = inFlow || Boolean(map.flow);
  const pairs = map.items as Pair<Scalar, Node | null>[];
  const keyOf = (pair: Pair<Scalar, Node | null>) => String(pair.key.value);
  const wanted = Object.keys(values).filter((k) => values[k] !== undefined);
  const kept = pairs.filter((pair) => wanted.includes(keyOf(pair)));
  const added = wanted.filter((k) => !pairs.some((pair) => keyOf(pair) === k));
  if (flow && (added.length > 0 || kept.length !== pairs.length)) {
    throw new Unpatchable("a map written on one line { a: b } gains or loses a key");
  }
  const edits: Edit[] = [];
  for (const pair of pairs) {
    if (!kept.includes(pair)) {
      edits.push({ start: lineStart(source, startOf(pair)), end: lineEnd(source, pair), text: "" });
    } else if (pair.value === null) {
      throw new Unpatchable(`${keyOf(pair)} has no value to change`);
    } else {
      edits.push(...diffNode(source, pair.value, values[keyOf(pair)], flow));
    }
  }
  if (added.length === 0) return edits;
  const first = pairs[0];
  if (!first) throw new Unpatchable("an empty map gains a key");
  const indent = " ".repeat(startOf(first) - lineStart(source, startOf(first)));
  // Each new key after the kept key it follows in the data (or before the
  // first); keys that go in at one place go in together, in their order.
  const at = new Map<number, Record<string, unknown>>();
  for (const key of added) {
    const previous = wanted
      .slice(0, wanted.indexOf(key))
      .reverse()
      .map((k) => kept.find((pair) => keyOf(pair) === k))
      .find((pair) => pair !== undefined);
    const position = previous
      ? lineEnd(source, previous)
      : lineStart(source, startOf(kept[0] ?? first));
    at.set(position, { ...at.get(position), [key]: values[key] });
  }
  for (const [position, entries] of at) {
    edits.push(insertion(source, position, block(entries, indent, false)));
  }
  return edits;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function rangeOf(node: Node): [number, number] {
  const [start, end] = node.range ?? [];
  if (start === undefined || end === undefined) throw new Unpatchable("a value has no place");
  return [start, end];
}

function startOf(node: Node | Pair): number {
  return rangeOf(isPair(node) ? (node.key as Node) : node)[0];
}

/** Where the last line of a node's own text (its last value, not comments after it) ends. */
function contentEnd(node: Node | Pair): number {
  if (isPair(node)) return contentEnd((node.value ?? node.key) as Node);
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    const last = node.items.at(-1) as Node | Pair | undefined;
    if (last) return contentEnd(last);
  }
  return rangeOf(node)[1];
}

function lineStart(source: string, position: number): number {
  return source.lastIndexOf("\n", position - 1) + 1;
}

/** Just after the newline of the line a node ends on (a comment on that line is its). */
function lineEnd(source: string, node: Node | Pair): number {
  const end = contentEnd(node);
  if (source[end - 1] === "\n") return end;
  const newline = source.indexOf("\n", end);
  return newline === -1 ? source.length : newline + 1;
}

/** Text put in at `position`, on lines of its own. */
function insertion(source: string, position: number, text: string): Edit {
  const after = position === source.length && !source.endsWith("\n") ? `\n${text}` : text;
  return { start: position, end: position, text: after };
}

/**
 * `value` as YAML block lines at `indent`, in the house style: a text that
 * starts with a digit or + (a number, a time, a date) double-quoted, as
 * `quoted` asks for every text.
 */
function block(value: unknown, indent: string, quoted: boolean): string {
  const document = new Document(value);
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === "string" && (quoted || /^[+\d]/.test(node.value))) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return document
    .toString({ lineWidth: 0 })
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => `${indent}${line}\n`)
    .join("");
}

/** A scalar value in place of another, in the old one's quoting (one line). */
function scalarText(value: unknown, type: Scalar["type"], inFlow: boolean): string {
  if (typeof value !== "string") return new Document(value).toString().trimEnd();
  const needsQuotes =
    value.includes("\n") || (inFlow && /[,[\]{}]/.test(value)) || /^[+\d]/.test(value);
  const scalar = new Scalar(value);
  if (type === Scalar.QUOTE_SINGLE && !value.includes("\n")) scalar.type = Scalar.QUOTE_SINGLE;
  else if (type === Scalar.QUOTE_DOUBLE || needsQuotes) scalar.type = Scalar.QUOTE_DOUBLE;
  return new Document(scalar).toString({ lineWidth: 0 }).trimEnd();
}

function plainOrQuoted(key: string): string {
  return new Document(key).toString().trimEnd();
}
