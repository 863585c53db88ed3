import { createConcurrentSink, createRunner, createSource } from "@grammyjs/runner";
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

/** Long polling as it runs; see `startPolling`. */
export interface Polling {
  /** Updates fetched and not yet handled (queued or being handled). */
  inHand(): number;
  /**
   * Stops taking updates (the pending getUpdates is cancelled), then resolves
   * once every update already fetched is handled. Bound it from outside: an
   * update waiting on a hung call finishes only when that call does.
   */
  stop(): Promise<void>;
}

/**
 * Long polling that loses no update. Telegram treats a batch as delivered
 * when the bot asks for the next one, and the runner asks before the batch is
 * handled; so each batch is saved to the inbox first, and at start-up the
 * updates saved but not handled before a crash are handled before polling
 * resumes. Different chats go in parallel, one chat's updates in order (the
 * bot's sequentialize); an update handled twice is skipped by the bot.
 *
 * @example const polling = await startPolling(bot, store, log, { allowedUpdates: ["message"] }); await polling.stop();
 */
export async function startPolling(
  bot: Bot<BotContext>,
  store: Store,
  log: Logger,
  options: PollingOptions,
): Promise<Polling> {
  const { allowedUpdates, maxReplays = 3 } = options;
  const left = (await store.takeUnhandledUpdates(maxReplays)) as Update[];
  if (left.length > 0) log.warn({ updates: left.length }, "handling updates a crash left");
  for (const update of left) {
    await bot
      .handleUpdate(update)
      .catch((error: BotError<BotContext>) => bot.errorHandler(error))
      .catch((cause) => log.error({ error: cause }, "update failed"));
  }

  // The runner's stop() returns once no more updates are fetched, not once
  // those fetched are handled: count them here, from fetch to handled.
  let inHand = 0;
  let whenIdle: (() => void) | undefined;
  const done = () => {
    inHand--;
    if (inHand === 0) whenIdle?.();
  };

  // Confirmed to Telegram only once saved; handled anyway when saving fails.
  const inbox = createInboxSupply({
    fetchFrom: updatesFrom(bot.api, { allowedUpdates, log }),
    store,
  });
  const source = createSource({
    supply: async (batchSize, signal) => {
      // The runner types its signal as abort-controller's shim; on Node it is Node's own.
      const updates = await inbox.supply(batchSize, signal as unknown as AbortSignal);
      inHand += updates.length;
      return updates;
    },
  });
  const sink = createConcurrentSink(
    {
      consume: (update: Update) =>
        bot.handleUpdate(update).finally(() => {
          inbox.finished(update.update_id);
          done();
        }),
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
  return {
    inHand: () => inHand,
    async stop() {
      await runner.stop();
      if (inHand === 0) return;
      await new Promise<void>((resolve) => {
        whenIdle = resolve;
      });
    },
  };
}
