import type { Chat, Message } from "grammy/types";
import { badRequest } from "./responses.ts";
import type { ApiFailure } from "./types.ts";

/** A message kept by the double, and whether the bot sent it. */
export interface StoredMessage {
  message: Message;
  fromBot: boolean;
}

/**
 * The chats that wrote to the bot and every message in them. Message ids
 * count up per chat and are shared by both sides, as in Telegram's private
 * chats. Edits replace the stored Message, so earlier snapshots stay as they were.
 */
export interface ChatBook {
  remember(chat: Chat): void;
  /** The chat `chat_id` names, or Telegram's error: empty, or not found. */
  lookup(chatId: unknown): { ok: true; chat: Chat } | ApiFailure;
  nextMessageId(chatId: number): number;
  save(message: Message, fromBot: boolean): void;
  find(chatId: number, messageId: number): StoredMessage | undefined;
  botMessages(chatId: number): Message[];
}

/** @example const chats = createChatBook(); chats.remember({ id: 1, type: "private", first_name: "Ann" }) */
export function createChatBook(): ChatBook {
  const chats = new Map<number, Chat>();
  const messages = new Map<number, Map<number, StoredMessage>>();
  const lastIds = new Map<number, number>();
  return {
    remember(chat) {
      chats.set(chat.id, { ...chats.get(chat.id), ...chat } as Chat);
    },
    lookup(chatId) {
      if (chatId === undefined || chatId === null || chatId === "")
        return badRequest("chat_id is empty");
      const id = typeof chatId === "string" && /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
      const chat = typeof id === "number" ? chats.get(id) : undefined;
      return chat ? { ok: true, chat } : badRequest("chat not found");
    },
    nextMessageId(chatId) {
      const id = (lastIds.get(chatId) ?? 0) + 1;
      lastIds.set(chatId, id);
      return id;
    },
    save(message, fromBot) {
      const chatId = message.chat.id;
      let chatMessages = messages.get(chatId);
      if (!chatMessages) {
        chatMessages = new Map();
        messages.set(chatId, chatMessages);
      }
      chatMessages.set(message.message_id, { message, fromBot });
      lastIds.set(chatId, Math.max(lastIds.get(chatId) ?? 0, message.message_id));
    },
    find(chatId, messageId) {
      return messages.get(chatId)?.get(messageId);
    },
    botMessages(chatId) {
      return [...(messages.get(chatId)?.values() ?? [])]
        .filter((stored) => stored.fromBot)
        .map((stored) => stored.message)
        .sort((a, b) => a.message_id - b.message_id);
    },
  };
}
