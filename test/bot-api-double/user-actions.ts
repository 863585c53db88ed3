import type { CallbackQuery, Chat, Message, MessageEntity, Update, User } from "grammy/types";
import { callbackButtons } from "./keyboard.ts";
import { type DoubleState, photoSizes } from "./methods/index.ts";
import type { DoubleUser, UserOrChat } from "./types.ts";

/**
 * The message a user replies to: one of their private chat with the bot (sent
 * by either side), or its message_id there. The update carries it as it is
 * now (after edits), without its own reply_to_message, as Telegram does.
 */
export type ReplyTo = Message | number;

/** A hand-made update; update_id is optional (the next one is used). */
export type RawUpdate = Omit<Update, "update_id"> & { update_id?: number };

/**
 * The test as a Telegram user: each action queues the update Telegram would
 * send the bot and returns it. A number stands for a user who already wrote.
 */
export interface UserActions {
  /**
   * A text message; `/commands` get their bot_command entities. With `replyTo`
   * (a message of the user's chat, or its id) it replies to that message.
   */
  sendText(user: UserOrChat, text: string, options?: { replyTo?: ReplyTo }): Update;
  /** A photo (its file_id is the last size's), optionally captioned or a reply. */
  sendPhoto(
    user: UserOrChat,
    photo: { fileSize: number; caption?: string; replyTo?: ReplyTo },
  ): Update;
  /** A document, optionally captioned or a reply. */
  sendDocument(
    user: UserOrChat,
    document: {
      fileName: string;
      mimeType: string;
      fileSize: number;
      caption?: string;
      replyTo?: ReplyTo;
    },
  ): Update;
  /** Defaults: emoji "👍". */
  sendSticker(user: UserOrChat, sticker?: { emoji?: string }): Update;
  /** Defaults: 3 seconds, 8000 bytes. */
  sendVoice(user: UserOrChat, voice?: { duration?: number; fileSize?: number }): Update;
  /** Defaults: Moscow, 55.7558, 37.6173. */
  sendLocation(user: UserOrChat, location?: { latitude?: number; longitude?: number }): Update;
  /** Defaults: the user's own contact, phone "+79990000000". */
  sendContact(user: UserOrChat, contact?: { phoneNumber?: string; firstName?: string }): Update;
  /** Defaults: question "Как вам бот?", options "Хорошо" and "Плохо". */
  sendPoll(user: UserOrChat, poll?: { question?: string; options?: string[] }): Update;
  /**
   * Presses a callback button of a bot message, as it is now (after edits).
   * Throws when the message has no button with this callback_data: a user
   * cannot press what is not there (forge one with sendUpdate).
   */
  pressButton(user: UserOrChat, message: Message, callbackData: string): Update;
  /** Any update, as given; its chats become known and its callback query answerable. */
  sendUpdate(update: RawUpdate): Update;
}

const BOT_COMMAND = /(?<=^|\s)\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])/g;

/** @example const user = createUserActions(state); user.sendText({ id: 1, first_name: "Ann" }, "/start") */
export function createUserActions(state: DoubleState): UserActions {
  const { chats, files, queue, callbacks, now } = state;
  const users = new Map<number, DoubleUser>();
  let lastUpdateId = 0;
  let polls = 0;

  function userOf(who: UserOrChat): DoubleUser {
    if (typeof who !== "number") {
      users.set(who.id, who);
      return who;
    }
    const known = users.get(who);
    if (!known)
      throw new Error(
        `No user ${who} has written yet: pass a user object ({ id, first_name }) the first time.`,
      );
    return known;
  }

  function push(update: RawUpdate): Update {
    const update_id = update.update_id ?? lastUpdateId + 1;
    lastUpdateId = Math.max(lastUpdateId, update_id);
    const full = { ...update, update_id } as Update;
    queue.push(full);
    return full;
  }

  function send(
    who: UserOrChat,
    content: Record<string, unknown>,
    replyTo?: ReplyTo,
    action = "send",
  ): Update {
    const user = userOf(who);
    const chat = privateChat(user);
    chats.remember(chat);
    const reply = replyTo === undefined ? undefined : repliedMessage(chat.id, replyTo, action);
    const message = {
      message_id: chats.nextMessageId(chat.id),
      from: telegramUser(user),
      chat,
      date: Math.floor(now() / 1000),
      ...content,
      ...(reply ? { reply_to_message: reply } : {}),
    } as Message & Update.NonChannel;
    chats.save(message, false);
    return push({ message });
  }

  function repliedMessage(chatId: number, replyTo: ReplyTo, action: string): Message {
    const messageId = typeof replyTo === "number" ? replyTo : replyTo.message_id;
    if (typeof replyTo !== "number" && replyTo.chat.id !== chatId)
      throw new Error(
        `${action}: replyTo is message ${messageId} of chat ${replyTo.chat.id}, not of the user's chat ${chatId}.`,
      );
    const stored = chats.find(chatId, messageId);
    if (!stored)
      throw new Error(`${action}: there is no message ${messageId} in chat ${chatId} to reply to.`);
    return withoutReply(stored.message);
  }

  function captioned(caption: string | undefined): Record<string, unknown> {
    return caption === undefined ? {} : { caption };
  }

  return {
    sendText(who, text, options = {}) {
      const entities: MessageEntity[] = [...text.matchAll(BOT_COMMAND)].map((match) => ({
        type: "bot_command",
        offset: match.index ?? 0,
        length: match[0].length,
      }));
      return send(
        who,
        { text, ...(entities.length > 0 ? { entities } : {}) },
        options.replyTo,
        "sendText",
      );
    },
    sendPhoto(who, { fileSize, caption, replyTo }) {
      const file = files.add("photo", { size: fileSize });
      return send(
        who,
        { photo: photoSizes(state, file), ...captioned(caption) },
        replyTo,
        "sendPhoto",
      );
    },
    sendDocument(who, { fileName, mimeType, fileSize, caption, replyTo }) {
      const file = files.add("document", { size: fileSize, fileName, mimeType });
      const { file_id, file_unique_id } = file;
      return send(
        who,
        {
          document: {
            file_id,
            file_unique_id,
            file_name: fileName,
            mime_type: mimeType,
            file_size: fileSize,
          },
          ...captioned(caption),
        },
        replyTo,
        "sendDocument",
      );
    },
    sendSticker(who, { emoji = "👍" } = {}) {
      const { file_id, file_unique_id, file_size } = files.add("sticker", { size: 24_000 });
      return send(who, {
        sticker: {
          file_id,
          file_unique_id,
          file_size,
          type: "regular",
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
          emoji,
        },
      });
    },
    sendVoice(who, { duration = 3, fileSize = 8000 } = {}) {
      const { file_id, file_unique_id, file_size } = files.add("voice", { size: fileSize });
      return send(who, {
        voice: { file_id, file_unique_id, file_size, duration, mime_type: "audio/ogg" },
      });
    },
    sendLocation(who, { latitude = 55.7558, longitude = 37.6173 } = {}) {
      return send(who, { location: { latitude, longitude } });
    },
    sendContact(who, contact = {}) {
      const user = userOf(who);
      const { phoneNumber = "+79990000000", firstName = user.first_name } = contact;
      return send(user, {
        contact: { phone_number: phoneNumber, first_name: firstName, user_id: user.id },
      });
    },
    sendPoll(who, { question = "Как вам бот?", options = ["Хорошо", "Плохо"] } = {}) {
      return send(who, {
        poll: {
          id: String(5_000_000_000 + ++polls),
          question,
          options: options.map((text) => ({ text, voter_count: 0 })),
          total_voter_count: 0,
          is_closed: false,
          is_anonymous: true,
          type: "regular",
          allows_multiple_answers: false,
        },
      });
    },
    pressButton(who, message, callbackData) {
      const user = userOf(who);
      const stored = chats.find(message.chat.id, message.message_id);
      if (!stored?.fromBot)
        throw new Error(
          `pressButton: the bot sent no message ${message.message_id} in chat ${message.chat.id}.`,
        );
      const buttons = callbackButtons(stored.message.reply_markup);
      if (!buttons.some((button) => button.data === callbackData)) {
        const listed = buttons.map((button) => `"${button.text}" → "${button.data}"`).join(", ");
        throw new Error(
          `pressButton: message ${message.message_id} has no button with callback_data "${callbackData}"; ` +
            `its buttons now: ${listed || "none"}. To send data no button carries, use sendUpdate.`,
        );
      }
      const query: CallbackQuery = {
        id: callbacks.nextId(),
        from: telegramUser(user),
        message: stored.message as CallbackQuery["message"] & {},
        chat_instance: String(8_000_000_000 + message.chat.id),
        data: callbackData,
      };
      callbacks.open(query);
      return push({ callback_query: query });
    },
    sendUpdate(update) {
      for (const chat of chatsIn(update)) chats.remember(chat);
      const message = update.message;
      if (message && !chats.find(message.chat.id, message.message_id)) chats.save(message, false);
      if (update.callback_query) callbacks.open(update.callback_query);
      return push(update);
    },
  };
}

function telegramUser(user: DoubleUser): User {
  return { is_bot: false, ...user };
}

function privateChat(user: DoubleUser): Chat {
  const { id, first_name, last_name, username } = user;
  return {
    id,
    type: "private",
    first_name,
    ...(last_name === undefined ? {} : { last_name }),
    ...(username === undefined ? {} : { username }),
  };
}

function withoutReply(message: Message): Message {
  const { reply_to_message: _nested, ...rest } = message;
  return rest as Message;
}

/** Every chat a raw update mentions, so the bot may write to them. */
function chatsIn(update: RawUpdate): Chat[] {
  const found: Chat[] = [];
  for (const value of Object.values(update)) {
    if (typeof value !== "object" || value === null) continue;
    const record = value as { chat?: Chat; message?: { chat?: Chat } };
    if (record.chat && typeof record.chat.id === "number") found.push(record.chat);
    if (record.message?.chat && typeof record.message.chat.id === "number")
      found.push(record.message.chat);
  }
  return found;
}
