import type { Update, UserFromGetMe } from "grammy/types";
import { pino } from "pino";
import { createBot } from "../../bot/bot.ts";
import { createTelegramChannel } from "../../bot/desk/index.ts";
import type { ReloadResult } from "../../bot/knowledge-source.ts";
import type { Metrics } from "../../bot/metrics.ts";
import { createTelegramSender } from "../../bot/telegram-send.ts";
import { createDeliveryWorker, type Incident, openHandoff } from "../../handoff/index.ts";
import { openSqlite, type SqliteDatabase } from "../../handoff/sqlite/index.ts";
import type { KnowledgeBase, Matcher } from "../../knowledge/index.ts";
import { realKnowledgeBase, realMatcher } from "../knowledge-fixture.ts";

/** One call the bot made to the Bot API. */
export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

const BOT_INFO: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: "Госуслуги Помощь",
  username: "GosUslugiHelpBot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

/**
 * The real bot with its API calls answered in memory, for fast flows driven
 * by `handleUpdate` with literal updates (end-to-end tests use the Bot API
 * double instead).
 */
export function createHarness(
  options: {
    rateLimitPerMinute?: number;
    db?: SqliteDatabase;
    reloadKnowledge?: () => ReloadResult;
    metrics?: Metrics;
    /** The knowledge base and matcher. Defaults to the real base and its matcher (`realMatcher`, shared by the tests). */
    knowledge?: { kb: KnowledgeBase; matcher: Matcher };
    /** The active incidents the bot answers with. Defaults to none. */
    incidents?: () => readonly Incident[];
  } = {},
) {
  const knowledge = options.knowledge ?? { kb: realKnowledgeBase(), matcher: realMatcher() };
  const now = () => new Date("2026-11-25T12:00:00+03:00").getTime();
  const handoff = openHandoff(options.db ?? openSqlite(":memory:"), {
    knowledge: () => knowledge,
    channel: createTelegramChannel({ knowledge: () => knowledge }),
    now,
  });
  const { store } = handoff;
  const calls: ApiCall[] = [];
  const failures = new Map<string, { error_code: number; description: string }>();
  let messageId = 1000;
  // Answers the Bot API in memory, like Telegram would for these methods.
  async function fakeFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
    const method = String(url).split("/").pop() ?? "";
    const p = JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown>;
    calls.push({ method, payload: p });
    const failure = failures.get(method);
    if (failure) return Response.json({ ok: false, ...failure }, { status: failure.error_code });
    if (method === "sendMessage") {
      return Response.json({
        ok: true,
        result: {
          message_id: ++messageId,
          date: 0,
          chat: { id: p.chat_id, type: "private", first_name: "Ivan" },
          text: p.text,
          reply_markup: p.reply_markup,
        },
      });
    }
    return Response.json({ ok: true, result: true });
  }
  const bot = createBot(
    {
      knowledge: () => knowledge,
      handoff,
      log: pino({ level: "silent" }),
      rateLimitPerMinute: options.rateLimitPerMinute ?? 1000,
      now,
      ...(options.reloadKnowledge ? { reloadKnowledge: options.reloadKnowledge } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.incidents ? { incidents: options.incidents } : {}),
    },
    { token: "123456:TEST-TOKEN-0123456789abcdef", botInfo: BOT_INFO, fetch: fakeFetch },
  );
  let updateId = 1;
  const user = { id: 777, is_bot: false, first_name: "Иван", language_code: "ru" };
  const chat = { id: 777, type: "private" as const, first_name: "Иван" };
  const worker = createDeliveryWorker({
    outbox: handoff.outbox,
    send: createTelegramSender(bot.api, handoff.outbox),
    now,
  });

  return {
    bot,
    store,
    handoff,
    /** Sends what the desk queued in the outbox, until nothing is due. */
    async deliver() {
      while ((await worker.deliverOnce()) !== "idle");
    },
    calls,
    failures,
    /** Texts the bot sent, in order. */
    sent: () => calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text)),
    async handle(update: Omit<Update, "update_id"> & { update_id?: number }) {
      await bot.handleUpdate({ update_id: update.update_id ?? updateId++, ...update } as Update);
    },
    /** A message in the sender's private chat (`from.id` picks another person). */
    message(fields: Record<string, unknown>, from: Record<string, unknown> = {}) {
      return {
        message: {
          message_id: updateId * 10,
          date: 1_780_000_000,
          chat: { ...chat, id: from.id ?? chat.id },
          from: { ...user, ...from },
          ...fields,
        },
      } as unknown as Omit<Update, "update_id">;
    },
    text(text: string, from: Record<string, unknown> = {}) {
      const entities = text.startsWith("/")
        ? [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length ?? 0 }]
        : undefined;
      return this.message({ text, ...(entities ? { entities } : {}) }, from);
    },
    press(data: string, message: Record<string, unknown> = {}, from: Record<string, unknown> = {}) {
      return {
        callback_query: {
          id: `cb${updateId}`,
          from: { ...user, ...from },
          chat_instance: "1",
          data,
          message: {
            message_id: 5,
            date: 0,
            chat: { ...chat, id: from.id ?? chat.id },
            text: "…",
            ...message,
          },
        },
      } as unknown as Omit<Update, "update_id">;
    },
  };
}
