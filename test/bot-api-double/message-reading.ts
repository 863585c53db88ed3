import type { Message } from "grammy/types";

/** A message's text, or a photo's or document's caption; "" for neither. */
export function textOf(message: Message): string {
  return "text" in message && message.text !== undefined ? message.text : (message.caption ?? "");
}

/** The callback data of a message's inline buttons, in order (undefined for link buttons). */
export function callbackDataOf(message: Message): (string | undefined)[] {
  return (message.reply_markup?.inline_keyboard ?? [])
    .flat()
    .map((button) => ("callback_data" in button ? button.callback_data : undefined));
}
