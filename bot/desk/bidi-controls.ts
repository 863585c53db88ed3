import type { OutboxMessage, SendOptions } from "../../handoff/index.ts";
import { withoutBidiControls } from "../../knowledge/index.ts";

type Keyboard = { inline_keyboard: Record<string, unknown>[][] };

const isKeyboard = (markup: unknown): markup is Keyboard =>
  typeof markup === "object" &&
  markup !== null &&
  Array.isArray((markup as { inline_keyboard?: unknown }).inline_keyboard);

/** Button labels without bidi controls; everything else in the options as it was. */
function cleanOptions(options: SendOptions): SendOptions {
  const markup = options.reply_markup;
  if (!isKeyboard(markup)) return options;
  const inline_keyboard = markup.inline_keyboard.map((row) =>
    row.map((button) =>
      typeof button.text === "string"
        ? { ...button, text: withoutBidiControls(button.text) }
        : button,
    ),
  );
  return { ...options, reply_markup: { ...markup, inline_keyboard } };
}

/**
 * A message the Telegram channel queues with the bidi controls (U+202E and
 * its kin) taken out of everything it shows: its text, its caption and its
 * buttons' labels. The desk's messages carry what one person wrote to another
 * (a citizen's text, question and caption to an operator; an operator's name
 * and text to a citizen), and the desk's own texts have none, so one pass
 * over the whole message neutralises every value from a person in it.
 */
export function withoutBidiControlsIn(message: OutboxMessage): OutboxMessage {
  const options = message.options ? { options: cleanOptions(message.options) } : {};
  switch (message.kind) {
    case "text":
    case "edit":
      return { ...message, text: withoutBidiControls(message.text), ...options };
    case "photo":
    case "document":
      return {
        ...message,
        ...(message.caption !== undefined ? { caption: withoutBidiControls(message.caption) } : {}),
        ...options,
      };
    case "copy":
      return { ...message, ...options };
  }
}
