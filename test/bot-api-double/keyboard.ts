import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { badRequest } from "./responses.ts";
import type { ApiFailure } from "./types.ts";

/** Button fields that make an inline button do something (one is required). */
const BUTTON_ACTIONS = [
  "callback_data",
  "url",
  "login_url",
  "web_app",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

/**
 * Validates `reply_markup` as Telegram does and returns what a Message echoes
 * back: only a non-empty inline keyboard (reply keyboards, removals and
 * force_reply are accepted but not echoed, as on Telegram).
 */
export function checkReplyMarkup(
  markup: unknown,
): { ok: true; echoed: InlineKeyboardMarkup | undefined } | ApiFailure {
  if (markup === undefined || markup === null) return { ok: true, echoed: undefined };
  if (typeof markup !== "object" || Array.isArray(markup))
    return badRequest("can't parse reply keyboard markup JSON object");
  const fields = markup as Record<string, unknown>;
  if ("inline_keyboard" in fields) return checkInlineKeyboard(fields.inline_keyboard);
  if ("keyboard" in fields) {
    if (!isArrayOfArrays(fields.keyboard))
      return badRequest('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays');
    return { ok: true, echoed: undefined };
  }
  if ("remove_keyboard" in fields || "force_reply" in fields)
    return { ok: true, echoed: undefined };
  return badRequest("can't parse reply keyboard markup JSON object");
}

function checkInlineKeyboard(
  rows: unknown,
): { ok: true; echoed: InlineKeyboardMarkup | undefined } | ApiFailure {
  if (!isArrayOfArrays(rows))
    return badRequest(
      'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
    );
  for (const row of rows) {
    for (const button of row) {
      const problem = checkButton(button);
      if (problem) return problem;
    }
  }
  const keyboard = rows as InlineKeyboardButton[][];
  const empty = keyboard.every((row) => row.length === 0);
  return { ok: true, echoed: empty ? undefined : { inline_keyboard: keyboard } };
}

function checkButton(button: unknown): ApiFailure | undefined {
  if (typeof button !== "object" || button === null)
    return badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  const fields = button as Record<string, unknown>;
  if (typeof fields.text !== "string")
    return badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
  if (!BUTTON_ACTIONS.some((action) => action in fields))
    return badRequest(
      "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    );
  if ("callback_data" in fields) {
    const data = fields.callback_data;
    const bytes = typeof data === "string" ? Buffer.byteLength(data, "utf8") : 0;
    if (bytes < 1 || bytes > 64) return badRequest("BUTTON_DATA_INVALID");
  }
  if ("url" in fields && !isButtonUrl(fields.url)) return badRequest("BUTTON_URL_INVALID");
  return undefined;
}

function isButtonUrl(url: unknown): boolean {
  if (typeof url !== "string") return false;
  try {
    return ["http:", "https:", "tg:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function isArrayOfArrays(value: unknown): value is unknown[][] {
  return Array.isArray(value) && value.every((row) => Array.isArray(row));
}

/** Every callback button of a keyboard, for pressButton and its error messages. */
export function callbackButtons(
  markup: InlineKeyboardMarkup | undefined,
): { text: string; data: string }[] {
  return (markup?.inline_keyboard ?? []).flatMap((row) =>
    row.flatMap((button) =>
      "callback_data" in button && typeof button.callback_data === "string"
        ? [{ text: button.text, data: button.callback_data }]
        : [],
    ),
  );
}
