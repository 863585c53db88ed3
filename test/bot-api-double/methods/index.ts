import { close, deleteMyCommands, getMe, getMyCommands, setMyCommands } from "./bot.ts";
import { answerCallbackQuery } from "./callbacks.ts";
import { getFile, sendDocument, sendPhoto } from "./media.ts";
import {
  copyMessage,
  editMessageReplyMarkup,
  editMessageText,
  sendChatAction,
  sendMessage,
} from "./messages.ts";
import type { MethodHandler } from "./state.ts";
import { deleteWebhook, getUpdates, getWebhookInfo, setWebhook } from "./updates.ts";

export { photoSizes } from "./media.ts";
export { botSender, type DoubleState, type MethodHandler } from "./state.ts";

const HANDLERS: Record<string, MethodHandler> = {
  getMe,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  close,
  logOut: close,
  sendMessage,
  editMessageText,
  editMessageReplyMarkup,
  copyMessage,
  sendChatAction,
  sendPhoto,
  sendDocument,
  getFile,
  answerCallbackQuery,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
};

/** Methods by lower-case name (Telegram's method names are case-insensitive). */
export const METHODS = new Map(
  Object.entries(HANDLERS).map(([name, handler]) => [name.toLowerCase(), { name, handler }]),
);

/** Methods that send to or edit in `chat_id`: they fail with 403 once the user blocked the bot. */
export const CHAT_METHODS = new Set([
  "sendMessage",
  "editMessageText",
  "editMessageReplyMarkup",
  "copyMessage",
  "sendChatAction",
  "sendPhoto",
  "sendDocument",
]);
