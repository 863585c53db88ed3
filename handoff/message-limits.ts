import { htmlToText } from "../knowledge/index.ts";

// Telegram's limits on what a message shows, in characters after its HTML is
// parsed. A relayed message longer than that is refused for good: the desk
// splits it instead.

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
