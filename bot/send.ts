import type { BotContext } from "./context.ts";
import { type OutgoingMessage, splitMessage } from "./messages.ts";

/**
 * Sends a message as HTML, split at Telegram's length limit; the keyboard
 * goes under the last part. Link previews are off: answers carry their links
 * as buttons.
 */
export async function sendMessage(ctx: BotContext, message: OutgoingMessage): Promise<void> {
  const parts = splitMessage(message.html);
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    await ctx.reply(part, {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(last && message.keyboard ? { reply_markup: message.keyboard } : {}),
    });
  }
}
