import { checkHtml } from "../../knowledge/index.ts";
import type { ApiCall } from "../bot/harness.ts";
import { characterCount, formatText } from "../bot-api-double/formatting.ts";
import { checkReplyMarkup } from "../bot-api-double/keyboard.ts";

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const CALLBACK_ANSWER_LIMIT = 200;
/** Half a surrogate pair: what cutting a string between an emoji's two halves leaves. */
export const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What Telegram would refuse in one Bot API call, as the Bot API double
 * checks it (HTML parsed as Telegram parses it, lengths counted after
 * parsing, keyboards with 1-64 bytes of callback data and valid URLs), plus
 * the house rule that HTML passes `checkHtml` (so text from people was
 * escaped). An empty list: Telegram would take it.
 */
export function problemsOf(call: ApiCall): string[] {
  const { method, payload } = call;
  const problems: string[] = [];
  const say = (problem: string) => problems.push(`${method}: ${problem}`);
  if ("chat_id" in payload && !Number.isSafeInteger(payload.chat_id)) {
    say(`chat_id ${JSON.stringify(payload.chat_id)} is not an integer`);
  }
  const checkFormatted = (field: "text" | "caption", limit: number, required: boolean) => {
    const value = payload[field];
    if (value === undefined && !required) return;
    if (typeof value !== "string") return void say(`${field} is not a string`);
    const entities = payload[field === "text" ? "entities" : "caption_entities"];
    const formatted = formatText(value, payload.parse_mode, entities);
    if (!formatted.ok) return void say(`${formatted.description} in ${JSON.stringify(value)}`);
    if (required && formatted.text === "") say("text is empty");
    if (characterCount(formatted.text) > limit) {
      say(`${field} is ${characterCount(formatted.text)} characters (limit ${limit})`);
    }
    if (LONE_SURROGATE.test(value)) say(`${field} has half an emoji (a lone surrogate)`);
    if (payload.parse_mode === "HTML") {
      for (const problem of checkHtml(value)) say(`${problem} in ${JSON.stringify(value)}`);
    }
  };
  const checkMarkup = () => {
    const markup = checkReplyMarkup(payload.reply_markup);
    if (!markup.ok) say(`${markup.description} in ${JSON.stringify(payload.reply_markup)}`);
  };
  switch (method) {
    case "sendMessage":
    case "editMessageText":
      checkFormatted("text", TEXT_LIMIT, true);
      checkMarkup();
      break;
    case "sendPhoto":
    case "sendDocument":
    case "copyMessage":
      checkFormatted("caption", CAPTION_LIMIT, false);
      checkMarkup();
      break;
    case "editMessageReplyMarkup":
      checkMarkup();
      break;
    case "answerCallbackQuery": {
      const text = payload.text;
      if (typeof payload.callback_query_id !== "string" || payload.callback_query_id === "") {
        say("no callback_query_id");
      }
      if (
        text !== undefined &&
        (typeof text !== "string" || characterCount(text) > CALLBACK_ANSWER_LIMIT)
      ) {
        say(`answer text over ${CALLBACK_ANSWER_LIMIT} characters: ${JSON.stringify(text)}`);
      }
      break;
    }
    default:
      checkMarkup();
  }
  return problems;
}
