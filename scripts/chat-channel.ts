// The terminal chat's channel for the desk: the same effects the bot sends to
// Telegram, rendered in plain text with their choices kept as the desk's
// actions, queued in the chat database's outbox for the terminal to print.
import {
  type ChatButton,
  type ChatMessage,
  createOutboxChannel,
  createRenderer,
  PLAIN_FORMAT,
} from "../bot/desk/index.ts";
import type { DeskChannel, OutboxMessage, Repositories } from "../handoff/index.ts";
import type { KnowledgeBase } from "../knowledge/index.ts";

/** What a terminal row carries besides its text: the choices under it. */
export interface TerminalOptions {
  choices?: ChatButton[][];
}

/**
 * The desk's effects for the terminal chat: plain text, choices as actions.
 *
 * @example openHandoff(db, { knowledge, channel: createTerminalChannel({ knowledge }) })
 */
export function createTerminalChannel(options: {
  knowledge: () => { kb: KnowledgeBase };
}): (repositories: Repositories) => DeskChannel {
  return createOutboxChannel({
    renderer: createRenderer(PLAIN_FORMAT, { knowledge: options.knowledge }),
    messagesOf: terminalMessages,
  });
}

/** The choices of a row the terminal channel queued. */
export function choicesOf(message: OutboxMessage): ChatButton[][] {
  return (message.options as TerminalOptions | undefined)?.choices ?? [];
}

function terminalMessages(message: ChatMessage): OutboxMessage[] {
  switch (message.kind) {
    case "text": {
      const choices: TerminalOptions = message.buttons ? { choices: message.buttons } : {};
      return [{ kind: "text", text: message.text, options: { ...choices } }];
    }
    case "file":
      return [{ kind: message.file.kind, fileId: message.file.id, caption: message.caption }];
    case "relay": {
      const words = PLAIN_FORMAT.text(message.text);
      if (message.file) {
        const caption = words ? `${message.label}: ${words}` : message.label;
        return [{ kind: message.file.kind, fileId: message.file.id, caption }];
      }
      return [{ kind: "text", text: message.wrap(words) }];
    }
  }
}
