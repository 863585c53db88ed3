import type { DeskChannel } from "./effects.ts";
import type { Repositories } from "./ports.ts";
import type { SqlClient } from "./sql/client.ts";

/** How a composition root builds a step's channel on its repositories. */
export type ChannelFactory = (repositories: Repositories) => DeskChannel;

/** The signal that effects wait to be rendered (a web console said something). */
export const EFFECTS_SIGNAL = "desk_effects";

/**
 * A channel that records every effect in the step's transaction besides
 * delivering it through `inner`: the bot's own channel (the effect is then
 * recorded as rendered, for the consoles' live feed), or none (a web
 * console's steps: a bot process renders them to Telegram later, in order,
 * with `createEffectsRenderer`).
 *
 * @example openHandoff(db, { knowledge, channel: recordingChannel(createTelegramChannel({ knowledge })) })
 */
export function recordingChannel(inner?: ChannelFactory): ChannelFactory {
  return (repositories) => {
    const { effects } = repositories;
    const own = inner?.(repositories);
    return {
      deliver: async (effect) => {
        await effects.record(effect, { rendered: own !== undefined });
        await own?.deliver(effect);
      },
      wasShown: async (ticketId, shown) =>
        (await effects.wasShown(ticketId, shown)) ||
        (own !== undefined && (await own.wasShown(ticketId, shown))),
    };
  };
}

export interface EffectsRendererDeps {
  db: SqlClient;
  repositories: (sql: SqlClient) => Repositories;
  /** The channel that renders them (the bot's Telegram channel). */
  channel: ChannelFactory;
  /** Told after a batch queued messages (wake the delivery worker). */
  onEnqueued?: () => void;
}

/**
 * Renders the effects that other processes recorded unrendered (a web
 * console's), oldest first, each batch in one transaction with the rows it
 * queues: a crash renders none of the batch, and it is rendered again.
 * Processes rendering together take turns (the batch's rows are locked), so
 * a chat's messages keep their order.
 *
 * @example const renderer = createEffectsRenderer({ db, repositories, channel }); await renderer.renderPending();
 */
export function createEffectsRenderer(deps: EffectsRendererDeps) {
  const { db, repositories, channel, onEnqueued } = deps;
  const BATCH = 100;
  /** One batch; returns how many it rendered. */
  const renderBatch = () =>
    db.transaction(async (tx) => {
      const repos = repositories(tx);
      const pending = await repos.effects.claimUnrendered(BATCH);
      const step = channel(repos);
      for (const { effect } of pending) await step.deliver(effect);
      await repos.effects.markRendered(pending.map((recorded) => recorded.id));
      return pending.length;
    });
  return {
    /** Renders every effect waiting; returns how many. */
    renderPending: async (): Promise<number> => {
      if (!(await repositories(db).effects.anyUnrendered())) return 0;
      let total = 0;
      for (;;) {
        const rendered = await renderBatch();
        total += rendered;
        if (rendered < BATCH) break;
      }
      if (total > 0) onEnqueued?.();
      return total;
    },
  };
}
