import type { MessageEntity } from "grammy/types";
import { parseHtml, trimmed } from "./html.ts";
import { badRequest } from "./responses.ts";
import type { ApiFailure } from "./types.ts";

/** Message text or a caption after parse_mode, as Telegram stores it. */
export type FormattedText = { ok: true; text: string; entities: MessageEntity[] } | ApiFailure;

/**
 * Applies `parse_mode` (HTML is parsed and checked; Markdown and MarkdownV2
 * are taken as plain text, unchecked) or explicit `entities`, then trims
 * whitespace as Telegram does. Length limits are the caller's.
 */
export function formatText(source: unknown, parseMode: unknown, entities: unknown): FormattedText {
  const text =
    typeof source === "string" ? source : typeof source === "number" ? String(source) : "";
  const mode = typeof parseMode === "string" ? parseMode.toLowerCase() : "";
  if (mode === "html") {
    const parsed = parseHtml(text);
    return parsed.ok ? parsed : badRequest(`can't parse entities: ${parsed.error}`);
  }
  if (mode === "" || mode === "markdown" || mode === "markdownv2") {
    const given = mode === "" && Array.isArray(entities) ? (entities as MessageEntity[]) : [];
    const result = trimmed(text, given);
    return result.ok ? result : badRequest(`can't parse entities: ${result.error}`);
  }
  return badRequest("unsupported parse_mode");
}

/** Length as Telegram counts it for its limits: Unicode characters. */
export function characterCount(text: string): number {
  return [...text].length;
}
