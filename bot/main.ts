// The bot's entry point (npm start): the only place that reads the
// environment, opens files and starts the network.
import { createServer } from "node:http";
import { run } from "@grammyjs/runner";
import { webhookCallback } from "grammy";
import { createStore } from "../handoff/index.ts";
import {
  createMatcher,
  DEFAULT_KNOWLEDGE_FOLDER,
  formatIssue,
  loadKnowledgeBase,
} from "../knowledge/index.ts";
import { createBot } from "./bot.ts";
import { createConfig } from "./config.ts";
import { createLogger } from "./log.ts";
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

  const loaded = loadKnowledgeBase(config.knowledgeDir ?? DEFAULT_KNOWLEDGE_FOLDER);
  if (!loaded.ok) {
    log.fatal({ issues: loaded.issues.map(formatIssue) }, "the knowledge base has errors");
    return 1;
  }
  const knowledge = { kb: loaded.kb, matcher: createMatcher(loaded.kb) };
  const store = createStore(config.databasePath);
  const bot = createBot(
    {
      knowledge: () => knowledge,
      store,
      log,
      rateLimitPerMinute: config.rateLimitPerMinute,
    },
    { token: config.botToken, apiRoot: config.telegramApiRoot },
  );
  await bot.init();
  await bot.api.setMyCommands(TEXTS.ru.commands);
  await bot.api.setMyCommands(TEXTS.en.commands, { language_code: "en" });

  let stop: () => Promise<void>;
  if (config.webhook) {
    const { url, secret, port } = config.webhook;
    const handle = webhookCallback(bot, "http", { secretToken: secret });
    const server = createServer((req, res) => {
      if (req.method === "POST" && new URL(req.url ?? "/", "http://x").pathname === "/telegram") {
        handle(req, res).catch((error) => log.error({ error }, "webhook request failed"));
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
    const runner = run(bot, {
      runner: { fetch: { allowed_updates: ["message", "callback_query"] } },
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
  await stop();
  store.close();
  log.info("stopped");
  return 0;
}

process.exitCode = await main();
