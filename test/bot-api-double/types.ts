import type { BotCommand, BotCommandScope, CallbackQuery, Message } from "grammy/types";

/** A Telegram user as a test plays them; their private chat has the same id. */
export interface DoubleUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** A user, or the id of a chat that already wrote to the bot. */
export type UserOrChat = DoubleUser | number;

/** Parameters of a Bot API call, whichever way they were sent. */
export type Params = Record<string, unknown>;

/** A file that came in a multipart/form-data request. */
export interface UploadedFile {
  kind: "upload";
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

/** Telegram's answer to a successful call. */
export interface ApiSuccess {
  ok: true;
  result: unknown;
  description?: string;
}

/** Telegram's answer to a failed call; the HTTP status equals `error_code`. */
export interface ApiFailure {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

/** What the double answers, exactly as Telegram shapes it. */
export type ApiResponse = ApiSuccess | ApiFailure;

/** One request the bot made to the double. */
export interface ApiCall {
  /** Index in `double.calls`, handy for `waitFor(…, { since })`. */
  index: number;
  method: string;
  params: Params;
  /** When the request arrived, in milliseconds (the double's clock). */
  time: number;
  /** Set once answered (a long poll is answered when it ends). */
  response?: ApiResponse;
  /** The bot message this call sent, copied or edited, as it was right after. */
  message?: Message;
}

/**
 * An error the next calls of a method answer with instead of working.
 * `times` defaults to 1; `retryAfter` (for 429) defaults to 1 second; the
 * description defaults to Telegram's for the status (403: the bot was blocked).
 */
export interface Fault {
  status: number;
  retryAfter?: number;
  description?: string;
  times?: number;
}

/** An answerCallbackQuery call, with the query it answered. */
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  query: CallbackQuery;
  time: number;
}

/** The parameters of a setMyCommands call. */
export interface CommandsSetting {
  commands: BotCommand[];
  scope?: BotCommandScope;
  language_code?: string;
}
