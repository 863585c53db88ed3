import type { OutboxMessage, SendOptions } from "../../handoff/index.ts";
import { htmlToText } from "../../knowledge/index.ts";

// Telegram's limits on what a message shows, in characters after its HTML is
// parsed. A message longer than that is refused for good: the Telegram
// channel (telegram.ts) and the bot's own replies split it instead.

/** The most text one message shows. */
export const TEXT_LIMIT = 4096;
/** The most text a photo's or a document's caption shows. */
export const CAPTION_LIMIT = 1024;

/**
 * Where to cut `text` at `at` or one before, so that an emoji (a surrogate
 * pair) is never split: half of one is not UTF-8 and Telegram refuses it.
 *
 * @example cutBefore("ab😀", 3) // 2
 */
export function cutBefore(text: string, at: number): number {
  return at > 1 && /[\ud800-\udbff]/.test(text.charAt(at - 1)) ? at - 1 : at;
}

/** How many characters HTML shows (UTF-16 units: a little stricter than Telegram's count). */
export function shownLength(html: string): number {
  return htmlToText(html).length;
}

/**
 * Splits plain text into pieces of at most `room` characters, at a line break
 * or a space in the second half of a piece when there is one, and never
 * between the two halves of an emoji. Text that fits is one piece.
 *
 * @example splitPlainText("один два три", 8) // ["один ", "два три"]
 */
export function splitPlainText(text: string, room: number): string[] {
  const size = Math.max(2, room);
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > size) {
    let cut = cutBefore(rest, size);
    const space = Math.max(rest.lastIndexOf("\n", cut - 1), rest.lastIndexOf(" ", cut - 1));
    if (space >= size / 2) cut = space + 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

// A tag, an entity, or one character (a whole code point: an emoji stays whole).
const HTML_TOKEN = /<\/?[a-zA-Z][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[\s\S]/gu;
const TAG_NAME = /^<(\/?)([a-zA-Z-]+)/;

/** How many characters one non-tag token shows: an entity is the one character it stands for. */
function widthOf(token: string): number {
  if (token.length < 3 || !token.startsWith("&")) return token.length;
  const numeric = /^&#(x?)([0-9a-fA-F]+);$/.exec(token);
  if (!numeric) return 1;
  const code = Number.parseInt(numeric[2] ?? "0", numeric[1] ? 16 : 10);
  return code > 0xffff ? 2 : 1;
}

/**
 * Cuts Telegram HTML after at most `limit` shown characters: at the last line
 * break, else the last space in the second half, else at the limit;
 * never inside a tag, an entity or an emoji. Tags open at the cut are closed
 * at the end of `head` and opened again at the start of `tail`, so both parse.
 * `tail` is "" when everything fits.
 *
 * @example cutHtml("<b>один два</b>", 5) // { head: "<b>один </b>", tail: "<b>два</b>" }
 */
export function cutHtml(html: string, limit: number): { head: string; tail: string } {
  type Open = { name: string; tag: string };
  type Point = { index: number; open: Open[]; shown: number };
  const open: Open[] = [];
  let shown = 0;
  let newline: Point | undefined;
  let space: Point | undefined;
  for (const match of html.matchAll(HTML_TOKEN)) {
    const token = match[0];
    const index = match.index;
    const tag = TAG_NAME.exec(token);
    if (tag && token.endsWith(">")) {
      const name = (tag[2] ?? "").toLowerCase();
      if (tag[1]) {
        const at = open.map((o) => o.name).lastIndexOf(name);
        if (at >= 0) open.splice(at);
      } else {
        open.push({ name, tag: token });
      }
      continue;
    }
    const width = widthOf(token);
    if (shown + width > limit && shown > 0) {
      const half = limit / 2;
      const point = newline
        ? newline
        : space && space.shown >= half
          ? space
          : { index, open: [...open], shown };
      const closing = [...point.open]
        .reverse()
        .map((o) => `</${o.name}>`)
        .join("");
      return {
        head: html.slice(0, point.index) + closing,
        tail: point.open.map((o) => o.tag).join("") + html.slice(point.index),
      };
    }
    shown += width;
    if (token === "\n") newline = { index: index + 1, open: [...open], shown };
    else if (token === " ") space = { index: index + 1, open: [...open], shown };
  }
  return { head: html, tail: "" };
}

/**
 * Splits Telegram HTML into messages that each show at most `limit`
 * characters (tags do not count, an entity counts as its character), cut as
 * `cutHtml` cuts. Text that fits is one message; parts that would show only
 * whitespace (Telegram refuses an empty message) are left out.
 *
 * @example splitHtml(transcript, TEXT_LIMIT)
 */
export function splitHtml(html: string, limit: number = TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = html;
  for (;;) {
    const { head, tail } = cutHtml(rest, limit);
    if (htmlToText(head).trim() !== "" || parts.length === 0) parts.push(head);
    if (tail === "") break;
    rest = tail;
  }
  return parts;
}

/** Plain text cut where `splitPlainText` would cut it for a caption. */
function cutPlain(text: string): { head: string; tail: string } {
  const [head = "", ...rest] = splitPlainText(text, CAPTION_LIMIT);
  return { head, tail: rest.join("") };
}

/** Is this send in Telegram HTML (else plain text)? */
function isHtml(options: SendOptions | undefined): boolean {
  return String(options?.parse_mode ?? "").toLowerCase() === "html";
}

/** The options a text part split off a message keeps: its format, not its keyboard. */
function partOptions(options: SendOptions | undefined): SendOptions {
  const { reply_markup: _keyboard, ...rest } = options ?? {};
  return rest;
}

/**
 * Makes one message the Telegram channel or the bot built fit Telegram's
 * limits, as the one place every outgoing message goes through: a text over 4,096 shown
 * characters becomes several messages (the keyboard under the last); a
 * caption over 1,024 keeps what fits and the rest follows as text; an edit
 * (one message by nature) is cut with "…". HTML is counted and cut as
 * Telegram parses it; plain text as it is. A message that fits comes back
 * alone and unchanged.
 *
 * @example fitMessage({ kind: "text", text: long, options: HTML }) // [part1, part2]
 */
export function fitMessage(message: OutboxMessage): OutboxMessage[] {
  const html = isHtml(message.options);
  const shown = (text: string) => (html ? shownLength(text) : text.length);
  const split = (text: string, limit: number) =>
    html ? splitHtml(text, limit) : splitPlainText(text, limit);
  switch (message.kind) {
    case "text": {
      if (shown(message.text) <= TEXT_LIMIT) return [message];
      const parts = split(message.text, TEXT_LIMIT);
      return parts.map((text, index) => ({
        kind: "text",
        text,
        options:
          index === parts.length - 1 ? (message.options ?? {}) : partOptions(message.options),
      }));
    }
    case "photo":
    case "document": {
      const caption = message.caption;
      if (caption === undefined || shown(caption) <= CAPTION_LIMIT) return [message];
      const { head, tail } = html ? cutHtml(caption, CAPTION_LIMIT) : cutPlain(caption);
      const rest = split(tail, TEXT_LIMIT).filter((text) => text.trim() !== "");
      const format = html ? { parse_mode: "HTML" } : {};
      const keyboard = message.options?.reply_markup;
      return [
        { ...message, caption: head, options: partOptions(message.options) },
        ...rest.map(
          (text, index): OutboxMessage => ({
            kind: "text",
            text,
            options: {
              ...format,
              link_preview_options: { is_disabled: true },
              ...(index === rest.length - 1 && keyboard ? { reply_markup: keyboard } : {}),
            },
          }),
        ),
      ];
    }
    case "edit": {
      if (shown(message.text) <= TEXT_LIMIT) return [message];
      const head = html
        ? cutHtml(message.text, TEXT_LIMIT - 1).head
        : message.text.slice(0, cutBefore(message.text, TEXT_LIMIT - 1));
      return [{ ...message, text: `${head}…` }];
    }
    case "copy":
      return [message];
  }
}
