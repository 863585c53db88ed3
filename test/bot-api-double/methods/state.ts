import type { Chat, Message, User, UserFromGetMe } from "grammy/types";
import type { CallbackBook } from "../callbacks.ts";
import type { ChatBook } from "../chats.ts";
import type { CommandBook } from "../commands.ts";
import type { FileStore } from "../files.ts";
import type { ApiResponse, Params } from "../types.ts";
import type { UpdateQueue } from "../update-queue.ts";
import type { WebhookSender } from "../webhook.ts";

/** Everything the methods read and change. */
export interface DoubleState {
  bot: UserFromGetMe;
  chats: ChatBook;
  files: FileStore;
  queue: UpdateQueue;
  webhook: WebhookSender;
  callbacks: CallbackBook;
  commands: CommandBook;
  /** The double's clock, in milliseconds. */
  now(): number;
}

/** One Bot API method: parameters in, Telegram's answer out. */
export type MethodHandler = (
  params: Params,
  state: DoubleState,
  signal: AbortSignal,
) => ApiResponse | Promise<ApiResponse>;

/** The bot as the `from` of its own messages. */
export function botSender(bot: UserFromGetMe): User {
  return { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
}

/** A new message from the bot in `chat`, with the next message id; not yet saved. */
export function newBotMessage(
  state: DoubleState,
  chat: Chat,
  content: Record<string, unknown>,
): Message {
  return {
    message_id: state.chats.nextMessageId(chat.id),
    from: botSender(state.bot),
    chat,
    date: Math.floor(state.now() / 1000),
    ...content,
  } as Message;
}

/** `{ key: value }` when value is set, `{}` otherwise (for exactOptionalPropertyTypes). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
