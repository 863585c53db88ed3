// One chat's screen in the terminal: what the desk says to this chat (its
// effects in plain text, queued by the terminal channel, chat-channel.ts),
// printed and numbered the way Telegram would show it, and the numbered list
// that a bare number picks from.
import type { ChatButton } from "../bot/desk/index.ts";
import type { DeskAction, Handoff, OutboxItem } from "../handoff/index.ts";
import type { KnowledgeBase, Matcher } from "../knowledge/index.ts";
import { choicesOf } from "./chat-channel.ts";

/** Picks item `n` of a numbered list; false when there is no such item. */
export type Pick = (n: number) => Promise<boolean>;

/** What a terminal chat needs: the handoff on the chat database, the knowledge base, a printer. */
export interface SessionDeps {
  handoff: Handoff;
  kb: KnowledgeBase;
  matcher: Matcher;
  say: (text: string) => void;
}

/** One side of the conversation in a terminal: the citizen or an operator. */
export interface Session {
  hello: string;
  /** Handles one typed line; false ends the chat. */
  handle(line: string): Promise<boolean>;
  /** Prints what is due for this chat in the outbox; returns how many rows. */
  drain(): Promise<number>;
}

export interface ChatScreen {
  /**
   * Prints a message that did not come through the outbox (an FAQ answer).
   * Like any new message, it replaces the numbered list with its own, if any.
   */
  message(text: string, pick?: Pick): void;
  /** Prints a remark that is not a message (a button's notice): the numbered list stays. */
  notice(text: string): void;
  /** Prints the outbox rows due for this chat, marking each sent under a local message id. */
  drain(): Promise<number>;
  /** A bare number: item `n` of the latest message's list (a desk button press); false if none. */
  pick(n: number): Promise<boolean>;
  /** Whether `#id` is a message this chat was shown (in this run or an earlier one). */
  shown(id: number): boolean;
}

export interface ChatScreenDeps {
  /** The chat database's outbox: local message ids continue after this chat's last one. */
  outbox: Handoff["outbox"];
  chatId: number;
  say: (text: string) => void;
  /** Presses a desk choice of this chat (`desk.press` with this chat's person); returns its notice, if any. */
  press: (action: DeskAction) => Promise<string | undefined>;
}

/**
 * The terminal's stand-in for a Telegram chat. Each outbox row printed gets
 * the next local message id (shown as `#7`) and is marked sent under it, so
 * an operator's `>7 text` routes to that message's ticket as a Telegram reply
 * would. A message's callback buttons are listed as `[1] title`; a bare
 * number presses one, but only while that message is the latest one printed,
 * as a later message (or an edit removing the keyboard) takes its place.
 */
export async function createChatScreen(deps: ChatScreenDeps): Promise<ChatScreen> {
  const { outbox, chatId, say, press } = deps;
  let lastId = await outbox.lastMessageId(chatId);
  /** The latest message printed and its numbered list. */
  let latest: { id?: number; pick?: Pick } = {};

  const notice = (text: string) => say(`(${text})`);

  const pickerOf = (buttons: ChatButton[]): Pick | undefined => {
    const actions = buttons.flatMap((b) => ("action" in b ? [b.action] : []));
    if (actions.length === 0) return undefined;
    return async (n) => {
      const pressed = actions[n - 1];
      if (pressed === undefined) return false;
      const toast = await press(pressed);
      if (toast) notice(toast);
      return true;
    };
  };

  /** Prints text and its choices; returns what a bare number would press. */
  const printWithButtons = (head: string, choices: ChatButton[][]) => {
    const buttons = choices.flat();
    say(head);
    let number = 0;
    for (const button of buttons) {
      if ("action" in button) say(`  [${++number}] ${button.text}`);
      else say(`  🔗 ${button.text}: ${button.url}`);
    }
    return pickerOf(buttons);
  };

  /** Prints one row; returns the local message id it was shown as. */
  const show = async (item: OutboxItem): Promise<number | undefined> => {
    const { message } = item;
    if (message.kind === "edit") {
      // As in Telegram: an edit of a message never shown has nothing to edit.
      const target = (await outbox.get(message.outboxId))?.messageId;
      if (target == null) return undefined;
      const pick = printWithButtons(
        `(сообщение #${target} изменено) ${message.text}`,
        choicesOf(message),
      );
      // Editing the text drops the keyboard unless the edit brings one.
      if (latest.id === target) latest = { id: target, ...(pick ? { pick } : {}) };
      return target;
    }
    const id = ++lastId;
    const body =
      message.kind === "text"
        ? message.text
        : message.kind === "copy"
          ? `[копия сообщения ${message.messageId} из чата ${message.fromChatId}]`
          : `[${message.kind === "photo" ? "фото" : "документ"} ${message.fileId}]` +
            (message.caption ? ` ${message.caption}` : "");
    const pick = printWithButtons(`#${id} ${body}`, choicesOf(message));
    latest = { id, ...(pick ? { pick } : {}) };
    return id;
  };

  return {
    message: (text, pick) => {
      say(text);
      latest = pick ? { pick } : {};
    },
    notice,
    drain: async () => {
      let count = 0;
      let item = await outbox.claimNext(Date.now(), chatId);
      while (item) {
        await outbox.markSent(item.id, await show(item));
        count++;
        item = await outbox.claimNext(Date.now(), chatId);
      }
      return count;
    },
    pick: async (n) => (await latest.pick?.(n)) ?? false,
    shown: (id) => Number.isSafeInteger(id) && id >= 1 && id <= lastId,
  };
}
