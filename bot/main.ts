// The bot's entry point (npm start): the only place that reads the
// environment, opens files and starts the network.
import { createServer } from "node:http";
import { webhookCallback } from "grammy";
import {
  createTicketCounts,
  type DeliveryWorker,
  defaultOperatorName,
  type Operators,
  openHandoff,
  purgeExpired,
} from "../handoff/index.ts";
import { DEFAULT_KNOWLEDGE_FOLDER, formatIssue } from "../knowledge/index.ts";
import { createBot } from "./bot.ts";
import { createConfig } from "./config.ts";
import { createHealthServer, type HealthServer } from "./health.ts";
import { describeReload, openKnowledgeSource, type ReloadResult } from "./knowledge-source.ts";
import { createLogger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { startPolling } from "./polling.ts";
import { createTelegramDelivery } from "./telegram-send.ts";
import { TEXTS } from "./texts.ts";

const NO_TOKEN = `BOT_TOKEN is not set.

To run the bot on Telegram:
  1. Open @BotFather in Telegram, send /newbot and follow the steps.
  2. Start the bot with the token it gives you:  BOT_TOKEN=123456:ABC... npm start

To try the bot without Telegram, in this terminal:  npm run chat
`;

async function main(): Promise<number> {
  const configured = createConfig(process.env);
  if (!configured.ok) {
    process.stderr.write(`Configuration error:\n  ${configured.errors.join("\n  ")}\n`);
    return 1;
  }
  const { config } = configured;
  if (!config.botToken) {
    process.stderr.write(NO_TOKEN);
    return 1;
  }
  const log = createLogger(config.logLevel);

  const opened = openKnowledgeSource(config.knowledgeDir ?? DEFAULT_KNOWLEDGE_FOLDER, log);
  if (!opened.ok) {
    log.fatal({ issues: opened.issues.map(formatIssue) }, "the knowledge base has errors");
    return 1;
  }
  const knowledge = opened.source;
  let worker: DeliveryWorker | undefined;
  const handoff = openHandoff(config.databasePath, {
    knowledge: knowledge.current,
    log,
    onEnqueued: () => worker?.wake(),
    waitLimitMs: config.waitReminderMinutes * 60_000,
  });
  seedOperators(handoff.operators, config.operatorIds, config.supervisorIds);
  // Metrics are kept only to be served, with /healthz, on HEALTH_PORT.
  const metrics = config.health
    ? createMetrics({
        ticketCounts: createTicketCounts(handoff.db),
        outboxLagMs: () => handoff.outbox.lag(),
      })
    : undefined;
  const bot = createBot(
    {
      knowledge: knowledge.current,
      handoff,
      log,
      rateLimitPerMinute: config.rateLimitPerMinute,
      reloadKnowledge: knowledge.reload,
      ...(metrics ? { metrics } : {}),
    },
    { token: config.botToken, apiRoot: config.telegramApiRoot },
  );
  await bot.init();
  await bot.api.setMyCommands(TEXTS.ru.commands);
  await bot.api.setMyCommands(TEXTS.en.commands, { language_code: "en" });

  // Relayed messages leave through the outbox and its delivery worker.
  worker = createTelegramDelivery({
    token: config.botToken,
    apiRoot: config.telegramApiRoot,
    outbox: handoff.outbox,
    onFailed: (item, error) => handoff.desk.undeliverable(item, error),
    log,
    storage: handoff.storage,
    ...(metrics
      ? { configureApi: (api) => api.config.use(metrics.telegramTransformer("delivery")) }
      : {}),
  });
  // Rows a crash left half-sent go again (at least once, never lost).
  const recovered = handoff.outbox.recoverStale(0);
  if (recovered > 0) log.warn({ recovered }, "outbox rows left by a crash will be sent again");
  worker.start();
  const reminders = setInterval(() => {
    try {
      handoff.desk.remindOverdue();
    } catch (error) {
      if (!handoff.storage.observe(error)) log.error({ error }, "wait reminders failed");
    }
  }, 60_000);
  // Retention: personal data older than RETENTION_DAYS goes now and once a day.
  const purge = () => {
    try {
      const erased = purgeExpired(handoff.db, { olderThanMs: config.retentionDays * 86_400_000 });
      log.info({ erased, retentionDays: config.retentionDays }, "retention purge done");
    } catch (error) {
      handoff.storage.observe(error);
      log.error({ error }, "retention purge failed");
    }
  };
  purge();
  const retention = setInterval(purge, 86_400_000);

  let health: HealthServer | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  if (config.health && metrics) {
    health = createHealthServer(
      { db: handoff.db, storage: handoff.storage, outbox: handoff.outbox, metrics },
      config.health,
    );
    await health.listen();
    log.info(config.health, "serving /healthz and /metrics");
    // With a webhook nothing calls Telegram while citizens are quiet: a getMe
    // a minute keeps "last successful Telegram call" meaningful.
    if (config.webhook) {
      heartbeat = setInterval(() => {
        bot.api.getMe().catch((error) => log.warn({ error }, "Telegram heartbeat failed"));
      }, 60_000);
    }
  }

  // Live reload: an edited knowledge file, SIGHUP or an admin's /reload swap
  // the knowledge base in if it is valid; the supervisors hear either way.
  const tellSupervisors = (result: ReloadResult) => {
    const text = describeReload(result);
    for (const admin of handoff.operators.list().filter((o) => o.role === "supervisor")) {
      handoff.outbox.enqueue({
        chatId: admin.userId,
        message: { kind: "text", text, options: { parse_mode: "HTML" } },
      });
    }
    worker?.wake();
  };
  knowledge.watch(tellSupervisors);
  const onHangUp = () => tellSupervisors(knowledge.reload());
  process.on("SIGHUP", onHangUp);

  let stop: () => Promise<void>;
  if (config.webhook) {
    const { url, secret, port } = config.webhook;
    const handle = webhookCallback(bot, "http", { secretToken: secret });
    const server = createServer((req, res) => {
      if (req.method === "POST" && new URL(req.url ?? "/", "http://x").pathname === "/telegram") {
        handle(req, res).catch((error) => {
          log.error({ error }, "webhook request failed");
          // Not handled: a 5xx makes Telegram deliver the update again.
          if (!res.headersSent) res.writeHead(500).end();
        });
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(port, resolve));
    await bot.api.setWebhook(`${url.replace(/\/+$/, "")}/telegram`, { secret_token: secret });
    log.info({ port, url }, "webhook mode");
    stop = () => new Promise((resolve) => server.close(() => resolve()));
  } else {
    await bot.api.deleteWebhook();
    const runner = await startPolling(bot, handoff.store, log, {
      allowedUpdates: ["message", "callback_query"],
    });
    log.info({ bot: bot.botInfo.username }, "long polling");
    stop = () => runner.stop();
  }

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, "stopping: finishing updates in hand");
      resolve();
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
  });
  clearInterval(reminders);
  clearInterval(retention);
  clearInterval(heartbeat);
  await health?.close();
  knowledge.close();
  process.off("SIGHUP", onHangUp);
  await stop();
  await worker.stop();
  handoff.close();
  log.info("stopped");
  return 0;
}

/** Makes the configured ids operators (or supervisors), keeping names set with `npm run admin`. */
function seedOperators(
  operators: Operators,
  operatorIds: readonly number[],
  supervisorIds: readonly number[],
) {
  const wanted = new Map<number, "operator" | "supervisor">();
  for (const id of operatorIds) wanted.set(id, "operator");
  for (const id of supervisorIds) wanted.set(id, "supervisor");
  for (const [userId, role] of wanted) {
    const current = operators.get(userId);
    if (current && current.removedAt === null && current.role === role) continue;
    operators.add({ userId, name: current?.name ?? defaultOperatorName(userId), role });
  }
}

process.exitCode = await main();
