import type { Chat, Message, MessageEntity } from "grammy/types";
import type { StoredMessage } from "../chats.ts";
import { characterCount, formatText } from "../formatting.ts";
import { checkReplyMarkup } from "../keyboard.ts";
import { booleanParam, integerParam } from "../params.ts";
import { badRequest, ok } from "../responses.ts";
import type { ApiFailure, Params } from "../types.ts";
import { type DoubleState, type MethodHandler, newBotMessage, optional } from "./state.ts";

const TEXT_LIMIT = 4096;
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

/** sendMessage: text (limits, parse_mode) and reply markup checked as Telegram does. */
export const sendMessage: MethodHandler = (params, state) => {
  const target = state.chats.lookup(params.chat_id);
  if (!target.ok) return target;
  const text = messageText(params);
  if (!text.ok) return text;
  const markup = checkReplyMarkup(params.reply_markup);
  if (!markup.ok) return markup;
  const reply = replyTarget(params, target.chat, state);
  if (!reply.ok) return reply;
  const message = newBotMessage(state, target.chat, {
    text: text.text,
    ...optional("entities", text.entities.length > 0 ? text.entities : undefined),
    ...optional("reply_markup", markup.echoed),
    ...optional("reply_to_message", reply.message),
  });
  state.chats.save(message, true);
  return ok(message);
};

/** editMessageText: a bot text message, changed; without reply_markup the keyboard goes. */
export const editMessageText: MethodHandler = (params, state) => {
  const found = editableMessage(params, state);
  if (!found.ok) return found;
  const current = found.stored.message;
  if (current.text === undefined) return badRequest("there is no text in the message to edit");
  const text = messageText(params);
  if (!text.ok) return text;
  const markup = checkReplyMarkup(params.reply_markup);
  if (!markup.ok) return markup;
  if (
    current.text === text.text &&
    sameJson(current.entities ?? [], text.entities) &&
    sameJson(current.reply_markup, markup.echoed)
  )
    return badRequest(NOT_MODIFIED);
  const { entities: _entities, reply_markup: _markup, ...rest } = current;
  const edited = {
    ...rest,
    text: text.text,
    ...optional("entities", text.entities.length > 0 ? text.entities : undefined),
    ...optional("reply_markup", markup.echoed),
    edit_date: Math.floor(state.now() / 1000),
  } as Message;
  state.chats.save(edited, true);
  return ok(edited);
};

/** editMessageReplyMarkup: a bot message's inline keyboard, replaced or (omitted) removed. */
export const editMessageReplyMarkup: MethodHandler = (params, state) => {
  const found = editableMessage(params, state);
  if (!found.ok) return found;
  const markup = checkReplyMarkup(params.reply_markup);
  if (!markup.ok) return markup;
  const current = found.stored.message;
  if (sameJson(current.reply_markup, markup.echoed)) return badRequest(NOT_MODIFIED);
  const { reply_markup: _markup, ...rest } = current;
  const edited = {
    ...rest,
    ...optional("reply_markup", markup.echoed),
    edit_date: Math.floor(state.now() / 1000),
  } as Message;
  state.chats.save(edited, true);
  return ok(edited);
};

/** Message content copyMessage carries over; sender, date and replies stay behind. */
const COPIED_FIELDS = [
  "text",
  "entities",
  "photo",
  "document",
  "sticker",
  "voice",
  "video",
  "audio",
  "animation",
  "location",
  "contact",
  "poll",
  "caption",
  "caption_entities",
] as const;

/**
 * copyMessage: any stored message, sent again by the bot (optionally as a
 * reply, with a new caption); answers `{ message_id }`.
 */
export const copyMessage: MethodHandler = (params, state) => {
  const target = state.chats.lookup(params.chat_id);
  if (!target.ok) return target;
  const from = state.chats.lookup(params.from_chat_id);
  if (!from.ok) return from;
  const messageId = integerParam(params, "message_id");
  if (messageId === undefined) return badRequest("message identifier is not specified");
  const source = state.chats.find(from.chat.id, messageId);
  if (!source) return badRequest("message to copy not found");
  const content: Record<string, unknown> = {};
  for (const field of COPIED_FIELDS) {
    const value = (source.message as unknown as Record<string, unknown>)[field];
    if (value !== undefined) content[field] = value;
  }
  if ("caption" in params && source.message.text === undefined) {
    const caption = formatText(params.caption, params.parse_mode, params.caption_entities);
    if (!caption.ok) return caption;
    if (characterCount(caption.text) > 1024) return badRequest("message caption is too long");
    delete content.caption;
    delete content.caption_entities;
    if (caption.text !== "") content.caption = caption.text;
    if (caption.entities.length > 0) content.caption_entities = caption.entities;
  }
  const markup = checkReplyMarkup(params.reply_markup);
  if (!markup.ok) return markup;
  const reply = replyTarget(params, target.chat, state);
  if (!reply.ok) return reply;
  const message = newBotMessage(state, target.chat, {
    ...content,
    ...optional("reply_markup", markup.echoed),
    ...optional("reply_to_message", reply.message),
  });
  state.chats.save(message, true);
  return ok({ message_id: message.message_id });
};

/** sendChatAction: a known chat and one of Telegram's actions. */
export const sendChatAction: MethodHandler = (params, state) => {
  const target = state.chats.lookup(params.chat_id);
  if (!target.ok) return target;
  if (typeof params.action !== "string" || !CHAT_ACTIONS.has(params.action))
    return badRequest("wrong parameter action in request");
  return ok(true);
};

function messageText(
  params: Params,
): { ok: true; text: string; entities: MessageEntity[] } | ApiFailure {
  const text = formatText(params.text, params.parse_mode, params.entities);
  if (!text.ok) return text;
  if (text.text === "") return badRequest("message text is empty");
  if (characterCount(text.text) > TEXT_LIMIT) return badRequest("message is too long");
  return text;
}

/** The message a send replies to, from reply_parameters or reply_to_message_id. */
export function replyTarget(
  params: Params,
  chat: Chat,
  state: DoubleState,
): { ok: true; message: Message | undefined } | ApiFailure {
  const parameters = (params.reply_parameters ?? {}) as Params;
  const id = integerParam(parameters, "message_id") ?? integerParam(params, "reply_to_message_id");
  if (id === undefined) return { ok: true, message: undefined };
  const stored = state.chats.find(chat.id, id);
  if (stored) {
    const { reply_to_message: _nested, ...message } = stored.message;
    return { ok: true, message: message as Message };
  }
  if (
    booleanParam(parameters, "allow_sending_without_reply") ||
    booleanParam(params, "allow_sending_without_reply")
  )
    return { ok: true, message: undefined };
  return badRequest("message to be replied not found");
}

function editableMessage(
  params: Params,
  state: DoubleState,
): { ok: true; stored: StoredMessage } | ApiFailure {
  if (params.inline_message_id !== undefined) return badRequest("MESSAGE_ID_INVALID");
  const target = state.chats.lookup(params.chat_id);
  if (!target.ok) return target;
  const messageId = integerParam(params, "message_id");
  if (messageId === undefined) return badRequest("message identifier is not specified");
  const stored = state.chats.find(target.chat.id, messageId);
  if (!stored) return badRequest("message to edit not found");
  if (!stored.fromBot) return badRequest("message can't be edited");
  return { ok: true, stored };
}

/** Deep equality of JSON values, whatever the key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${stableJson(field)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}
