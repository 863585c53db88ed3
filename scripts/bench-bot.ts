// The bot's throughput: citizens' messages through the whole pipeline
// (grammY with the runner, the matcher, SQLite writes) against the local Bot
// API double, as fast as the bot answers. Part of `npm run bench`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "@grammyjs/runner";
import { pino } from "pino";
import { createBot } from "../bot/bot.ts";
import { createTelegramChannel } from "../bot/desk/index.ts";
import { createTelegramDelivery } from "../bot/telegram-send.ts";
import { type DeliveryWorker, openHandoff } from "../handoff/index.ts";
import { openSqlite } from "../handoff/sqlite/index.ts";
import { createMatcher, type KnowledgeBase } from "../knowledge/index.ts";
import { createBotApiDouble } from "../test/bot-api-double/index.ts";

const TOKEN = "123456:AAE-bench-token-0123456789abcdef";

/**
 * Sends `messages` questions from as many citizens and waits for every
 * reply; returns updates per second and the reply latency.
 */
export async function benchBot(kb: KnowledgeBase, questions: readonly string[], messages = 600) {
  const double = createBotApiDouble({ token: TOKEN });
  await double.start();
  const dir = mkdtempSync(join(tmpdir(), "bench-bot-"));
  const knowledge = { kb, matcher: createMatcher(kb) };
  let worker: DeliveryWorker | undefined;
  const handoff = openHandoff(openSqlite(join(dir, "bot.sqlite")), {
    knowledge: () => knowledge,
    channel: createTelegramChannel({ knowledge: () => knowledge }),
    onEnqueued: () => worker?.wake(),
  });
  const bot = createBot(
    {
      knowledge: () => knowledge,
      handoff,
      log: pino({ level: "silent" }),
      rateLimitPerMinute: 1000,
    },
    { token: TOKEN, apiRoot: double.apiRoot },
  );
  await bot.init();
  // Offers of an operator leave through the outbox, as in main.
  worker = createTelegramDelivery({
    token: TOKEN,
    apiRoot: double.apiRoot,
    outbox: handoff.outbox,
  });
  worker.start();
  const runner = run(bot, {
    runner: { fetch: { allowed_updates: ["message", "callback_query"] } },
  });

  const sentAt = new Map<number, number>();
  const start = performance.now();
  for (let i = 0; i < messages; i++) {
    const user = { id: 10_000 + i, first_name: `Citizen ${i}`, language_code: "ru" };
    sentAt.set(user.id, Date.now());
    double.sendText(user, questions[i % questions.length] ?? "телефон");
  }
  const firstReply = new Map<number, number>();
  while (firstReply.size < messages) {
    for (const call of double.calls) {
      if (call.method !== "sendMessage") continue;
      const chat = Number(call.params.chat_id);
      if (!firstReply.has(chat) && sentAt.has(chat)) firstReply.set(chat, call.time);
    }
    if (performance.now() - start > 120_000) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const elapsed = performance.now() - start;
  const queued = [...firstReply]
    .map(([chat, at]) => at - (sentAt.get(chat) ?? at))
    .sort((a, b) => a - b);

  // One message at a time: the latency a citizen sees on a quiet bot.
  const single: number[] = [];
  const citizen = { id: 99_999, first_name: "Single", language_code: "ru" };
  for (let i = 0; i < 50; i++) {
    const since = double.calls.length;
    const sent = Date.now();
    double.sendText(citizen, questions[i % questions.length] ?? "телефон");
    const reply = await double.waitFor(
      (call) =>
        call.index >= since &&
        call.method === "sendMessage" &&
        Number(call.params.chat_id) === citizen.id,
    );
    single.push(reply.time - sent);
  }
  single.sort((a, b) => a - b);
  await runner.stop();
  await worker.stop();
  await handoff.close();
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    messages,
    answered: firstReply.size,
    perSecond: (firstReply.size / elapsed) * 1000,
    queuedMedian: queued[Math.floor(queued.length / 2)] ?? 0,
    singleMedian: single[Math.floor(single.length / 2)] ?? 0,
    singleP99: single[Math.floor(single.length * 0.99)] ?? 0,
  };
}
