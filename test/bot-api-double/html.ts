import type { MessageEntity } from "grammy/types";

/** Text with its entities, or the reason Telegram would refuse the markup. */
export type ParsedText =
  | { ok: true; text: string; entities: MessageEntity[] }
  | { ok: false; error: string };

/** The tags Telegram supports and the entity each makes. */
const TAGS = new Map<string, MessageEntity["type"]>([
  ["b", "bold"],
  ["strong", "bold"],
  ["i", "italic"],
  ["em", "italic"],
  ["u", "underline"],
  ["ins", "underline"],
  ["s", "strikethrough"],
  ["strike", "strikethrough"],
  ["del", "strikethrough"],
  ["code", "code"],
  ["pre", "pre"],
  ["blockquote", "blockquote"],
  ["tg-spoiler", "spoiler"],
  ["span", "spoiler"],
  ["a", "text_link"],
]);

interface OpenTag {
  name: string;
  offset: number;
  attributes: Map<string, string>;
  language?: string;
}

/**
 * Parses Telegram's HTML parse mode the way the Bot API does (after tdlib's
 * `parse_html`): supported tags only, properly nested, `&lt; &gt; &amp; &quot;`
 * and numeric references decoded, other `&` left as they are. Errors use
 * Telegram's wording, byte offsets included.
 *
 * @example parseHtml("<b>Hi</b>") // { ok: true, text: "Hi", entities: [{ type: "bold", offset: 0, length: 2 }] }
 */
export function parseHtml(html: string): ParsedText {
  let text = "";
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  const byteOffset = (index: number) => Buffer.byteLength(html.slice(0, index));
  let i = 0;
  while (i < html.length) {
    const char = html[i] as string;
    if (char === "&") {
      const decoded = decodeEntity(html, i);
      text += decoded.text;
      i = decoded.end;
      continue;
    }
    if (char !== "<") {
      text += char;
      i++;
      continue;
    }
    const begin = i++;
    if (html[i] === "/") {
      const top = open.pop();
      if (!top)
        return { ok: false, error: `Unexpected end tag at byte offset ${byteOffset(begin)}` };
      const nameStart = ++i;
      while (i < html.length && !isSpace(html[i]) && html[i] !== ">") i++;
      const name = html.slice(nameStart, i).toLowerCase();
      while (i < html.length && isSpace(html[i])) i++;
      if (html[i] !== ">")
        return { ok: false, error: `Unclosed end tag at byte offset ${byteOffset(begin)}` };
      i++;
      if (name !== "" && name !== top.name) {
        return {
          ok: false,
          error: `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${top.name}>", found "</${name}>"`,
        };
      }
      closeTag(top, text.length - top.offset, open.at(-1), entities);
      continue;
    }
    while (i < html.length && !isSpace(html[i]) && html[i] !== ">") i++;
    if (i >= html.length)
      return { ok: false, error: `Unclosed start tag at byte offset ${byteOffset(begin)}` };
    const name = html.slice(begin + 1, i).toLowerCase();
    if (!TAGS.has(name)) {
      return {
        ok: false,
        error: `Unsupported start tag "${name}" at byte offset ${byteOffset(begin)}`,
      };
    }
    const attributes = readAttributes(html, i);
    if (!attributes.ok) {
      const detail = attributes.equalSign
        ? `Expected equal sign in declaration of an attribute of the tag "${name}"`
        : "Unclosed start tag";
      return { ok: false, error: `${detail} at byte offset ${byteOffset(begin)}` };
    }
    if (name === "span" && attributes.values.get("class") !== "tg-spoiler") {
      return {
        ok: false,
        error: `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`,
      };
    }
    i = attributes.end;
    open.push({ name, offset: text.length, attributes: attributes.values });
  }
  const unclosed = open.at(-1);
  if (unclosed)
    return {
      ok: false,
      error: `Can't find end tag corresponding to start tag "${unclosed.name}"`,
    };
  return trimmed(text, entities);
}

function closeTag(
  tag: OpenTag,
  length: number,
  parent: OpenTag | undefined,
  entities: MessageEntity[],
): void {
  const { name, offset, attributes } = tag;
  const language = attributes.get("class")?.match(/^language-(.+)$/)?.[1];
  // <pre><code class="language-x"> is one pre entity with a language.
  if (name === "code" && parent?.name === "pre" && language !== undefined) {
    parent.language = language;
    return;
  }
  if (length === 0) return;
  const type = TAGS.get(name) ?? "bold";
  if (type === "text_link") {
    const url = attributes.get("href");
    if (url) entities.push({ type, offset, length, url });
  } else if (type === "pre") {
    entities.push(
      tag.language === undefined
        ? { type, offset, length }
        : { type, offset, length, language: tag.language },
    );
  } else if (type === "blockquote" && attributes.has("expandable")) {
    entities.push({ type: "expandable_blockquote", offset, length });
  } else {
    entities.push({ type, offset, length } as MessageEntity);
  }
}

function isSpace(char: string | undefined): boolean {
  return char === " " || char === "\n" || char === "\t" || char === "\r";
}

function readAttributes(
  html: string,
  from: number,
): { ok: true; values: Map<string, string>; end: number } | { ok: false; equalSign: boolean } {
  const values = new Map<string, string>();
  let i = from;
  for (;;) {
    while (i < html.length && isSpace(html[i])) i++;
    if (i >= html.length) return { ok: false, equalSign: false };
    if (html[i] === ">") return { ok: true, values, end: i + 1 };
    const nameStart = i;
    while (i < html.length && !isSpace(html[i]) && html[i] !== "=" && html[i] !== ">") i++;
    const name = html.slice(nameStart, i).toLowerCase();
    while (i < html.length && isSpace(html[i])) i++;
    if (html[i] !== "=") {
      // A bare attribute (<blockquote expandable>) is allowed.
      if (name !== "" && (html[i] === ">" || isSpace(html[i]) || i >= html.length)) {
        values.set(name, "");
        continue;
      }
      return { ok: false, equalSign: true };
    }
    i++;
    while (i < html.length && isSpace(html[i])) i++;
    if (i >= html.length) return { ok: false, equalSign: false };
    let value = "";
    const quote = html[i];
    if (quote === '"' || quote === "'") {
      i++;
      while (i < html.length && html[i] !== quote) {
        const decoded = decodeEntity(html, i);
        value += decoded.text;
        i = decoded.end;
      }
      if (i >= html.length) return { ok: false, equalSign: false };
      i++;
    } else {
      const valueStart = i;
      while (i < html.length && /[A-Za-z0-9.-]/.test(html[i] as string)) i++;
      value = html.slice(valueStart, i).toLowerCase();
    }
    values.set(name, value);
  }
}

const NAMED = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["quot", '"'],
]);

/** Decodes one character or entity at `at`; unknown `&name` stays literal. */
function decodeEntity(html: string, at: number): { text: string; end: number } {
  if (html[at] !== "&") return { text: html[at] as string, end: at + 1 };
  const match = /^&(?:#x([0-9a-f]+)|#([0-9]+)|([a-z]+));?/i.exec(html.slice(at, at + 12));
  if (match) {
    const [all, hex, decimal, name] = match;
    const code = hex ? Number.parseInt(hex, 16) : decimal ? Number(decimal) : undefined;
    const text =
      code !== undefined
        ? code > 0 && code < 0x10ffff
          ? String.fromCodePoint(code)
          : undefined
        : NAMED.get(name ?? "");
    if (text !== undefined) return { text, end: at + all.length };
  }
  return { text: "&", end: at + 1 };
}

/** Telegram strips leading and trailing whitespace; entities move with the text. */
export function trimmed(text: string, entities: MessageEntity[]): ParsedText {
  const start = text.length - text.trimStart().length;
  const result = text.trim();
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset - start, 0);
    const to = Math.min(entity.offset + entity.length - start, result.length);
    if (to > from) kept.push({ ...entity, offset: from, length: to - from });
  }
  kept.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { ok: true, text: result, entities: kept };
}
