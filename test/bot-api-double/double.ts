import type { Message, Update, UserFromGetMe, WebhookInfo } from "grammy/types";
import { createCallLog, type WaitOptions } from "./call-log.ts";
import { createCallbackBook } from "./callbacks.ts";
import { createChatBook } from "./chats.ts";
import { createCommandBook } from "./commands.ts";
import { createDispatcher } from "./dispatch.ts";
import { createFaults } from "./faults.ts";
import { createFileStore } from "./files.ts";
import { createHoldBook, type Hold, type HoldPredicate } from "./holds.ts";
import { type DoubleState, METHODS } from "./methods/index.ts";
import { readParams } from "./params.ts";
import { NOT_FOUND, UNAUTHORIZED } from "./responses.ts";
import { createApiServer } from "./server.ts";
import type { ApiCall, CallbackAnswer, CommandsSetting, Fault, UserOrChat } from "./types.ts";
import { createUpdateQueue } from "./update-queue.ts";
import { createUserActions, type UserActions } from "./user-actions.ts";
import { createWebhookSender } from "./webhook.ts";

/** Options of `createBotApiDouble`. */
export interface BotApiDoubleOptions {
  /** The one token accepted; the bot's id is its number part. Defaults to "123456:TEST". */
  token?: string;
  /** The bot's first_name. Defaults to "Test Bot". */
  botName?: string;
  /** The bot's username. Defaults to "TestBot". */
  botUsername?: string;
  /** Pause before a failed webhook delivery is retried. Defaults to 100 ms. */
  webhookRetryMs?: number;
  /** The clock for message dates and call times. Defaults to Date.now. */
  now?: () => number;
}

/**
 * A local Telegram Bot API server for end-to-end tests: the bot talks to it
 * over HTTP exactly as to api.telegram.org (grammY: `client: { apiRoot }`),
 * the test plays the users and watches what the bot does.
 */
export interface BotApiDouble extends UserActions {
  /** Like `http://127.0.0.1:PORT`; throws before `start()`. */
  readonly apiRoot: string;
  readonly token: string;
  /** What getMe answers; pass as grammY's `botInfo` to skip the call. */
  readonly botInfo: UserFromGetMe;
  /** Listens on 127.0.0.1, on a free port. */
  start(): Promise<void>;
  /**
   * Ends long polls, webhook deliveries and pending waitFor calls, drops held
   * requests (never executed), then closes.
   */
  stop(): Promise<void>;

  /**
   * Every request, in arrival order (wrong tokens and unknown methods too). A
   * held request is not here until a release executes it (then with the time
   * of its release); one dropped or abandoned by its client never is.
   */
  readonly calls: readonly ApiCall[];
  /** The bot's messages in a chat, oldest first, as they are now (after edits). */
  sentTo(chat: UserOrChat): Message[];
  /**
   * The first call from `since` that matches, already made or still to come;
   * rejects after `timeoutMs` listing the calls received. Calls are offered on
   * arrival and again when answered (when `response` and `message` are set).
   *
   * @example await double.waitFor((call) => call.method === "answerCallbackQuery")
   */
  waitFor(predicate: (call: ApiCall) => boolean, options?: WaitOptions): Promise<ApiCall>;
  /**
   * Like waitFor, over the bot messages calls sent or edited (as they were then).
   *
   * @example await double.waitForMessage((message) => message.text === "Hello")
   */
  waitForMessage(predicate: (message: Message) => boolean, options?: WaitOptions): Promise<Message>;
  /** The parameters of the last setMyCommands call. */
  readonly commands: CommandsSetting | undefined;
  /** Every successful answerCallbackQuery, in order. */
  readonly callbackAnswers: readonly CallbackAnswer[];
  /** Updates not yet confirmed by getUpdates' offset or a webhook. */
  readonly pendingUpdates: readonly Update[];
  /** What getWebhookInfo would answer now. */
  readonly webhookInfo: WebhookInfo;

  /**
   * The next call(s) of `method` fail with this status (throws for a method
   * the double does not implement: a typo would never fail anything).
   *
   * @example double.failNext("sendMessage", { status: 429, retryAfter: 2 })
   */
  failNext(method: string, fault: Fault): void;
  /** The user blocks the bot: every send to the chat answers 403 until unblockBy. */
  blockBy(chat: UserOrChat): void;
  unblockBy(chat: UserOrChat): void;
  /**
   * Holds the bot's matching requests from now on: neither executed nor
   * answered until `release()` (executes them in arrival order and answers)
   * or `drop()` (never executed, connections closed unanswered). A held
   * request whose client goes away (the bot process is killed) is never
   * executed: as if it never reached Telegram. A string matches a method name
   * (any case; throws for a method the double does not implement), a function
   * gets the method as the double spells it and the parameters as sent (JSON
   * keeps numbers, a form or query string sends strings). Only requests
   * with the right token and readable parameters are held, never a webhook's
   * reply; a request several holds match goes to the oldest. See `Hold`.
   *
   * @example
   * const hold = double.hold((method, params) => method === "sendMessage" && params.chat_id === 42);
   * await hold.waitForHeld();
   * await bot.stop("SIGKILL"); // the held request is abandoned, never sent
   */
  hold(match: string | HoldPredicate): Hold;
}

/**
 * @example
 * const double = createBotApiDouble();
 * await double.start();
 * const bot = new Bot(double.token, { client: { apiRoot: double.apiRoot } });
 */
export function createBotApiDouble(options: BotApiDoubleOptions = {}): BotApiDouble {
  const {
    token = "123456:TEST",
    botName = "Test Bot",
    botUsername = "TestBot",
    webhookRetryMs = 100,
    now = Date.now,
  } = options;
  const botId = Number(token.split(":")[0]);
  if (!/^\d+:[\w-]+$/.test(token) || !Number.isSafeInteger(botId))
    throw new Error(`Bot API double: token "${token}" is not like Telegram's "123456:ABC-def".`);

  const queue = createUpdateQueue();
  const state: DoubleState = {
    bot: {
      id: botId,
      is_bot: true,
      first_name: botName,
      username: botUsername,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
    } as UserFromGetMe,
    chats: createChatBook(),
    files: createFileStore(),
    queue,
    webhook: createWebhookSender(
      {
        queue,
        // Webhook replies run only once updates flow, long after `dispatcher` exists.
        execute: (method, params) => dispatcher.execute(method, params),
        now,
      },
      { retryMs: webhookRetryMs },
    ),
    callbacks: createCallbackBook(),
    commands: createCommandBook(),
    now,
  };
  const faults = createFaults();
  const log = createCallLog();
  const holds = createHoldBook(now);
  const dispatcher = createDispatcher({ token, state, faults, log, holds });

  const server = createApiServer({
    async api(given, method, request, query, signal) {
      return dispatcher.request(given, method, await readParams(request, query), signal);
    },
    file(given, path) {
      if (given !== token) return { ok: false, response: UNAUTHORIZED };
      const file = state.files.byPath(path);
      return file
        ? { ok: true, bytes: state.files.contents(file) }
        : { ok: false, response: NOT_FOUND };
    },
  });
  let root: string | undefined;
  const chatIdOf = (chat: UserOrChat) => (typeof chat === "number" ? chat : chat.id);

  return {
    ...createUserActions(state),
    get apiRoot() {
      if (root === undefined)
        throw new Error("The Bot API double is not listening: call `await double.start()` first.");
      return root;
    },
    token,
    botInfo: state.bot,
    async start() {
      if (root !== undefined) throw new Error("The Bot API double is already started.");
      root = await server.start();
    },
    async stop() {
      holds.close();
      queue.interrupt("closed");
      state.webhook.stop();
      log.close();
      await server.stop();
    },
    calls: log.calls,
    sentTo: (chat) => state.chats.botMessages(chatIdOf(chat)),
    waitFor: (predicate, waitOptions) => log.waitFor(predicate, waitOptions),
    async waitForMessage(predicate, waitOptions) {
      const call = await log.waitFor(
        (candidate) => candidate.message !== undefined && predicate(candidate.message),
        waitOptions,
      );
      return call.message as Message;
    },
    get commands() {
      return state.commands.last;
    },
    callbackAnswers: state.callbacks.answers,
    get pendingUpdates() {
      return queue.pending;
    },
    get webhookInfo() {
      return state.webhook.info();
    },
    failNext(method, fault) {
      faults.failNext(knownMethod("failNext", method), fault);
    },
    blockBy: (chat) => faults.block(chatIdOf(chat)),
    unblockBy: (chat) => faults.unblock(chatIdOf(chat)),
    hold(match) {
      if (typeof match === "function") return holds.hold(match, "matching requests");
      const name = knownMethod("hold", match);
      return holds.hold((method) => method === name, name);
    },
  };
}

/** The method as the double spells it; throws for one it does not implement (a typo). */
function knownMethod(caller: string, method: string): string {
  const entry = METHODS.get(method.toLowerCase());
  if (!entry)
    throw new Error(
      `${caller}: the double does not implement "${method}"; it knows ${[...METHODS.values()].map((m) => m.name).join(", ")}.`,
    );
  return entry.name;
}
