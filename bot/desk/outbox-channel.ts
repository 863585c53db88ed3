import {
  type DeskChannel,
  type DeskEffect,
  deliveryTag,
  type OutboxMessage,
  type Repositories,
  type SendOptions,
} from "../../handoff/index.ts";
import type { ChatMessage, Renderer } from "./render.ts";

export interface OutboxChannelOptions {
  /** Renders the desk's notices in the channel's format. */
  renderer: Renderer;
  /** One rendered message as the rows to queue. */
  messagesOf: (message: ChatMessage) => OutboxMessage[];
  /** The options of an edit that replaces a shown message's text. */
  editOptions?: SendOptions;
  /** A row as the parts that fit the channel (split, cut); defaults to the row as it is. */
  partsOf?: (message: OutboxMessage) => OutboxMessage[];
}

/**
 * A desk channel that renders each effect and queues it in the step's
 * outbox, so it commits with the change it reports: a tell becomes rows to
 * the person's chat (a staff member's is their private chat with the bot,
 * by their Telegram user id; one without a Telegram account is not reached
 * here), the last one tagged with what was shown (a staff member's ticket
 * message: with its deliveryTag); an update edits every row tagged with that.
 *
 * @example createOutboxChannel({ renderer: createRenderer(PLAIN_FORMAT), messagesOf })
 */
export function createOutboxChannel(
  options: OutboxChannelOptions,
): (repositories: Repositories) => DeskChannel {
  const { renderer, messagesOf, editOptions, partsOf = (message) => [message] } = options;
  return ({ outbox, staff }) => {
    /** Queues one row; a row split in parts goes in order, the tag on the last part. */
    const send = async (
      chatId: number,
      message: OutboxMessage,
      ticketId?: number,
      tag?: string,
    ) => {
      const parts = partsOf(message);
      for (const [index, part] of parts.entries()) {
        await outbox.enqueue({
          chatId,
          message: part,
          ...(ticketId !== undefined ? { ticketId } : {}),
          ...(tag && index === parts.length - 1 ? { tag } : {}),
        });
      }
    };

    const deliver = async (effect: DeskEffect) => {
      if (effect.kind === "update") {
        const [message] = renderer.staff(effect.notice);
        if (message?.kind !== "text") return;
        for (const row of await outbox.tagged(effect.ticketId, effect.shown)) {
          const edit: OutboxMessage = {
            kind: "edit",
            outboxId: row.id,
            text: message.text,
            ...(editOptions ? { options: editOptions } : {}),
          };
          await send(row.chatId, edit, effect.ticketId);
        }
        return;
      }
      const chatId =
        effect.kind === "citizen"
          ? effect.chatId
          : (await staff.get(effect.staffId))?.telegramUserId;
      if (chatId === undefined || chatId === null) return;
      const rendered =
        effect.kind === "citizen"
          ? renderer.citizen(effect.notice, effect.language)
          : renderer.staff(effect.notice);
      const rows = rendered.flatMap(messagesOf);
      // A staff member's message to the citizen is tagged for its delivery.
      const notice = effect.notice;
      const tag =
        "messageId" in notice && notice.messageId !== undefined
          ? deliveryTag(notice.messageId)
          : effect.shown;
      for (const [index, row] of rows.entries()) {
        const last = index === rows.length - 1;
        await send(chatId, row, effect.ticketId, last ? tag : undefined);
      }
    };

    return {
      deliver,
      wasShown: async (ticketId, shown) => (await outbox.tagged(ticketId, shown)).length > 0,
    };
  };
}
