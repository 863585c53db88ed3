import type { DeskChannel, Incident, OutboxMessage, Repositories } from "../../handoff/index.ts";
import type { KnowledgeBase } from "../../knowledge/index.ts";
import { withoutBidiControlsIn } from "./bidi-controls.ts";
import { encodeDeskAction, MAX_CALLBACK_DATA } from "./callback-data.ts";
import { HTML, HTML_FORMAT } from "./formats.ts";
import {
  CAPTION_LIMIT,
  fitMessage,
  shownLength,
  splitPlainText,
  TEXT_LIMIT,
} from "./message-limits.ts";
import { createOutboxChannel } from "./outbox-channel.ts";
import { type ChatButton, type ChatMessage, createRenderer } from "./render.ts";

type TelegramButton = { text: string; callback_data: string } | { text: string; url: string };

export interface TelegramChannelOptions {
  /** The knowledge base now (intent titles in the supervisors' figures). */
  knowledge: () => { kb: KnowledgeBase };
  /** The active incidents, said on each new ticket's card. Defaults to none. */
  incidents?: () => readonly Incident[];
}

/**
 * The desk's effects as Telegram messages: rendered in Telegram HTML with
 * inline keyboards, made to fit Telegram's limits, and queued in the step's
 * outbox (so they commit with the change they report). A staff member is
 * reached in their private chat with the bot (their Telegram user id). What
 * may change later is tagged on its row, and an update edits those rows.
 *
 * @example openHandoff(db, { knowledge, channel: createTelegramChannel({ knowledge }) })
 */
export function createTelegramChannel(
  options: TelegramChannelOptions,
): (repositories: Repositories) => DeskChannel {
  return createOutboxChannel({
    renderer: createRenderer(HTML_FORMAT, {
      knowledge: options.knowledge,
      ...(options.incidents ? { incidents: options.incidents } : {}),
    }),
    messagesOf: telegramMessages,
    editOptions: HTML,
    // What a person wrote loses its bidi controls; the message is made to fit.
    partsOf: (message) => fitMessage(withoutBidiControlsIn(message)),
  });
}

/** One rendered message as Telegram messages (a long relay becomes a file and texts). */
function telegramMessages(message: ChatMessage): OutboxMessage[] {
  switch (message.kind) {
    case "text": {
      const rows = keyboardOf(message.buttons ?? []);
      return [
        {
          kind: "text",
          text: message.text,
          options: {
            ...HTML,
            ...(rows.length > 0 ? { reply_markup: { inline_keyboard: rows } } : {}),
          },
        },
      ];
    }
    case "file":
      return [fileMessage(message.file, message.caption)];
    case "relay": {
      const out: OutboxMessage[] = [];
      if (message.file) {
        const caption = message.text
          ? `${message.label}: ${HTML_FORMAT.text(message.text)}`
          : message.label;
        // A caption too long for Telegram: the file goes labelled, the text after it.
        const fits = shownLength(caption) <= CAPTION_LIMIT;
        out.push(fileMessage(message.file, fits ? caption : message.label));
        if (fits) return out;
      }
      const room = TEXT_LIMIT - shownLength(message.wrap(""));
      for (const piece of splitPlainText(message.text, room)) {
        out.push({ kind: "text", text: message.wrap(HTML_FORMAT.text(piece)), options: HTML });
      }
      return out;
    }
  }
}

/**
 * Inline keyboard rows; a row with a choice whose callback data would pass
 * Telegram's 64 bytes (a very long intent id) is left out rather than make
 * Telegram refuse the whole message.
 */
function keyboardOf(rows: readonly ChatButton[][]): TelegramButton[][] {
  return rows
    .map((row) =>
      row.map(
        (button): TelegramButton =>
          "url" in button
            ? { text: button.text, url: button.url }
            : { text: button.text, callback_data: encodeDeskAction(button.action) },
      ),
    )
    .filter((row) =>
      row.every(
        (b) => !("callback_data" in b) || Buffer.byteLength(b.callback_data) <= MAX_CALLBACK_DATA,
      ),
    );
}

function fileMessage(
  file: { id: string; kind: "photo" | "document" },
  caption: string,
): OutboxMessage {
  return { kind: file.kind, fileId: file.id, caption, options: { parse_mode: "HTML" } };
}
