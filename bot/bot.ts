import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, GrammyError, type Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { UpdateAlreadyHandled } from "../handoff/index.ts";
import { oneReplyPerAlbum } from "./album-replies.ts";
import { type BotContext, languageFromCode } from "./context.ts";
import type { BotDeps } from "./deps.ts";
import { createAdminFeature } from "./features/admin.ts";
import { createCitizenFeature } from "./features/citizen.ts";
import { createHandoffFeature } from "./features/handoff.ts";
import { createUnsupportedFeature } from "./features/unsupported.ts";
import { createRateLimiter, type RateLimiter } from "./rate-limit.ts";
import { readOr } from "./read-or.ts";
import { TEXTS } from "./texts.ts";

export interface BotOptions {
  token: string;
  /** Telegram's Bot API root. Defaults to https://api.telegram.org. */
  apiRoot?: string;
  /** Skips getMe at start (tests). */
  botInfo?: UserFromGetMe;
  /** The fetch the API client uses. Defaults to the global fetch; tests answer in memory. */
  fetch?: typeof fetch;
  /**
   * A Bot API call not answered in this many seconds fails (a hung Telegram
   * must not hold an update forever). Above the long poll's 30 s. Defaults to 60.
   */
  timeoutSeconds?: number;
  /** Aborts every Bot API call in flight or to come, retries' waits too (shutdown). */
  signal?: AbortSignal;
}

/**
 * Builds the bot: retries on 429 and 5xx, skips updates it already handled,
 * picks the language, limits floods of messages and presses (not operators';
 * in a ticket messages are never dropped), one reply per album, then the features
 * (admin commands, the operator handoff, citizen questions, then everything
 * else) behind one
 * error boundary.
 *
 * @example const bot = createBot(deps, { token }); await bot.start();
 */
export function createBot(deps: BotDeps, options: BotOptions): Bot<BotContext> {
  const {
    token,
    apiRoot = "https://api.telegram.org",
    botInfo,
    fetch,
    timeoutSeconds = 60,
    signal,
  } = options;
  const { log, now = Date.now, metrics } = deps;
  const { store } = deps.handoff;
  const bot = new Bot<BotContext>(token, {
    client: { apiRoot, timeoutSeconds, ...(fetch ? { fetch } : {}) },
    ...(botInfo ? { botInfo } : {}),
  });

  // Innermost, so each attempt auto-retry makes is counted.
  if (metrics) bot.api.config.use(metrics.telegramTransformer("bot"));
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 120 }));
  // A citizen who blocked the bot answers 403 to everything: mark, do not retry.
  bot.api.config.use(async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (!result.ok && result.error_code === 403 && payload && "chat_id" in payload) {
      const chatId = Number(payload.chat_id);
      if (Number.isFinite(chatId)) {
        await store.markBlocked(chatId);
        log.info({ chat: chatId, method }, "the citizen blocked the bot");
      }
    }
    return result;
  });
  // Outermost, so that auto-retry's waits end with the call too.
  if (signal) bot.api.config.use(abortWith(signal));

  // Counted on arrival (redeliveries too); the latency includes waiting for
  // the chat's earlier updates, as the citizen waits for them.
  if (metrics) {
    bot.use(async (ctx, next) => {
      const done = metrics.updateStarted(ctx.update);
      try {
        await next();
      } finally {
        done();
      }
    });
  }

  // One chat's updates in order, different chats in parallel (runner).
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));

  bot.use(async (ctx, next) => {
    const id = ctx.update.update_id;
    if (await store.wasHandled(id)) {
      log.info({ update: id }, "update delivered again: skipped");
      return;
    }
    try {
      await next();
    } catch (error) {
      // A read before the features failed (their own faults end in the error
      // boundary below): the citizen still hears why nothing else came.
      if (!deps.handoff.storage.observe(error)) throw error;
      if (ctx.chat) await ctx.reply(TEXTS[ctx.language].storageFailure).catch(() => undefined);
    }
    await store.markHandled(id);
  });

  bot.use(async (ctx, next) => {
    const chatId = ctx.chat?.id;
    ctx.language =
      (chatId !== undefined ? await store.languageOf(chatId) : undefined) ??
      languageFromCode(ctx.from?.language_code);
    if (chatId !== undefined && ctx.message) await store.markActive(chatId);
    await next();
  });

  // Operators talk to many citizens at once: no flood limit for them.
  // Unreadable roles (the database is down): limited as a citizen.
  const isOperator = async (ctx: BotContext) => {
    const userId = ctx.from?.id;
    if (userId === undefined) return false;
    return readOr(deps.handoff.storage, () => deps.handoff.desk.isOperator(userId), false);
  };
  const limiter = deps.floodLimits?.messages ?? createRateLimiter(deps.rateLimitPerMinute, now);
  // A count that cannot be kept (the database is failing) lets the message through.
  const counted = async (limits: RateLimiter, chatId: number) => {
    try {
      return await limits.hit(chatId);
    } catch (error) {
      if (!deps.handoff.storage.observe(error)) throw error;
      return { allowed: true } as const;
    }
  };
  bot.on("message", async (ctx, next) => {
    if (await isOperator(ctx)) return next();
    const verdict = await counted(limiter, ctx.chat.id);
    if (verdict.allowed) return next();
    // In a ticket nothing is dropped: every message goes to the operator; the
    // outbox sends a chat's messages one at a time, as fast as Telegram takes them.
    if (await deps.handoff.tickets.openTicketOf(ctx.chat.id)) return next();
    if (!verdict.notify) return;
    log.warn({ chat: ctx.chat.id }, "rate limited: messages dropped for a minute");
    await ctx.reply(TEXTS[ctx.language].rateLimited);
  });
  // Presses too: each may send a message or record a rating.
  const pressLimiter = deps.floodLimits?.presses ?? createRateLimiter(deps.rateLimitPerMinute, now);
  bot.on("callback_query", async (ctx, next) => {
    // A forged update may lack both (Telegram always sends `from`).
    const presser = ctx.chat?.id ?? (ctx.from as { id: number } | undefined)?.id;
    if (presser === undefined || (await isOperator(ctx))) return next();
    const verdict = await counted(pressLimiter, presser);
    if (verdict.allowed) return next();
    if (verdict.notify) log.warn({ chat: presser }, "rate limited: presses ignored for a minute");
    // Answered all the same, or the button spins.
    await ctx.answerCallbackQuery(verdict.notify ? { text: TEXTS[ctx.language].rateLimited } : {});
  });
  bot.use(oneReplyPerAlbum());

  // A failed handler still leaves the citizen with a reply, unless the
  // failure was Telegram refusing to deliver.
  // A database fault (disk full, read-only, deleted, damaged) is logged once
  // by the storage monitor, and the citizen is told plainly what did not happen.
  const features = bot.errorBoundary(async (error) => {
    // Abandoned at shutdown: left unhandled, so it is done again after the restart.
    if (signal?.aborted) throw error.error;
    // Telegram delivered it again (to this process or another) while the first
    // handler worked; that one did it all, this one changed nothing.
    if (error.error instanceof UpdateAlreadyHandled) {
      log.info({ update: error.ctx.update.update_id }, "update delivered again: skipped");
      return;
    }
    const storageFault = deps.handoff.storage.observe(error.error);
    if (!storageFault) {
      log.error({ error: error.error, update: error.ctx.update.update_id }, "handler failed");
    }
    const undeliverable = error.error instanceof GrammyError && error.error.error_code === 403;
    if (error.ctx.chat && !undeliverable) {
      const texts = TEXTS[error.ctx.language];
      const text = storageFault ? texts.storageFailure : texts.failure;
      await error.ctx.reply(text).catch(() => undefined);
    }
  });
  features.use(createAdminFeature(deps));
  features.use(createHandoffFeature(deps));
  features.use(createCitizenFeature(deps));
  features.use(createUnsupportedFeature(deps));

  bot.catch((error) => {
    const cause = error.error;
    if (signal?.aborted) {
      log.warn(
        { update: error.ctx.update.update_id },
        "update abandoned at shutdown: handled again after the restart",
      );
      return;
    }
    log.error(
      {
        error: cause,
        update: error.ctx.update.update_id,
        code: cause instanceof GrammyError ? cause.error_code : undefined,
      },
      "update failed",
    );
  });
  return bot;
}

/**
 * An API transformer that makes each call also end when `signal` aborts.
 *
 * @example api.config.use(abortWith(shutdown.signal))
 */
export function abortWith(signal: AbortSignal): Transformer {
  return (prev, method, payload, own) => {
    if (!own) return prev(method, payload, signal as never);
    // Not AbortSignal.any: the runner's signals are a polyfill's, which it cannot follow.
    const both = new AbortController();
    const abort = () => both.abort();
    if (own.aborted || signal.aborted) abort();
    own.addEventListener("abort", abort);
    signal.addEventListener("abort", abort);
    return prev(method, payload, both.signal as never).finally(() => {
      own.removeEventListener("abort", abort);
      signal.removeEventListener("abort", abort);
    });
  };
}
