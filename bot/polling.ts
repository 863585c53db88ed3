import {
  createConcurrentSink,
  createRunner,
  createSource,
  type RunnerHandle,
} from "@grammyjs/runner";
import type { Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import type { Store } from "../handoff/index.ts";
import type { BotContext } from "./context.ts";
import { createInboxSupply, updatesFrom } from "./inbox-supply.ts";

export interface PollingOptions {
  allowedUpdates: readonly string[];
  /** An update replayed this many times after crashes is given up (logged). Defaults to 3. */
  maxReplays?: number;
}

/**
 * Long polling that loses no update. Telegram treats a batch as delivered
 * when the bot asks for the next one, and the runner asks before the batch is
 * handled; so each batch is saved to the inbox first, and at start-up the
 * updates saved but not handled before a crash are handled before polling
 * resumes. Different chats go in parallel, one chat's updates in order (the
 * bot's sequentialize); an update handled twice is skipped by the bot.
 *
 * @example const runner = await startPolling(bot, store, log, { allowedUpdates: ["message"] });
 */
export async function startPolling(
  bot: Bot<BotContext>,
  store: Store,
  log: Logger,
  options: PollingOptions,
): Promise<RunnerHandle> {
  const { allowedUpdates, maxReplays = 3 } = options;
  const left = store.takeUnhandledUpdates(maxReplays) as Update[];
  if (left.length > 0) log.warn({ updates: left.length }, "handling updates a crash left");
  for (const update of left) {
    await bot
      .handleUpdate(update)
      .catch((error: BotError<BotContext>) => bot.errorHandler(error))
      .catch((cause) => log.error({ error: cause }, "update failed"));
  }

  // Confirmed to Telegram only once saved; handled anyway when saving fails.
  const inbox = createInboxSupply({
    fetchFrom: updatesFrom(bot.api, { allowedUpdates, log }),
    store,
  });
  const source = createSource({
    // The runner types its signal as abort-controller's shim; on Node it is Node's own.
    supply: (batchSize, signal) => inbox.supply(batchSize, signal as unknown as AbortSignal),
  });
  const sink = createConcurrentSink(
    {
      consume: (update: Update) =>
        bot.handleUpdate(update).finally(() => inbox.finished(update.update_id)),
    },
    async (error) => {
      try {
        await bot.errorHandler(error as BotError<BotContext>);
      } catch (cause) {
        log.error({ error: cause }, "update failed");
      }
    },
  );
  const runner = createRunner(source, sink);
  runner.start();
  return runner;
}
