import { Composer } from "grammy";
import type { Message } from "grammy/types";
import {
  defaultOperatorName,
  type Incoming,
  type Person,
  type TicketFile,
} from "../../handoff/index.ts";
import type { BotContext } from "../context.ts";
import type { BotDeps } from "../deps.ts";
import { OPERATOR_TEXTS, telegramDesk } from "../desk/index.ts";
import { readOr } from "../read-or.ts";
import { TEXTS } from "../texts.ts";
import { checkFile } from "./unsupported.ts";

const COMMAND = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i;

/**
 * The operator handoff in Telegram: operators' private chats are their
 * console; a citizen with an open ticket writes to it instead of the FAQ;
 * the desk's buttons. Everything goes through the desk, which answers
 * through the outbox.
 */
export function createHandoffFeature(deps: BotDeps): Composer<BotContext> {
  const { handoff, log } = deps;
  const desk = telegramDesk(handoff.desk);
  const composer = new Composer<BotContext>();
  const privateChats = composer.chatType("private");
  const personOf = (ctx: BotContext & { chat: { id: number }; from: { id: number } }): Person => ({
    chatId: ctx.chat.id,
    userId: ctx.from.id,
    language: ctx.language,
  });

  // When the database cannot be read (PostgreSQL unreachable, damaged pages),
  // who is an operator and who has a ticket are unknown: the sender hears
  // that nothing can be passed on now, and the knowledge base, which needs
  // no database, still answers the message.
  const unlessUnreadable = <T>(read: () => Promise<T>, otherwise: T) =>
    readOr(handoff.storage, read, otherwise);
  // Operators: every message in their private chat is the console.
  const console = privateChats.filter(async (ctx) => {
    const role = await unlessUnreadable(
      async () => ((await desk.isOperator(ctx.from.id)) ? "operator" : "citizen"),
      "unknown" as const,
    );
    if (role === "unknown" && ctx.message) {
      await ctx.reply(TEXTS[ctx.language].storageFailure).catch(() => undefined);
    }
    return role === "operator";
  });
  console.on("message", async (ctx) => {
    const message = ctx.message;
    const person = personOf(ctx);
    await learnName(ctx.from);
    const command = message.text !== undefined ? COMMAND.exec(message.text) : null;
    if (command) {
      const name = (command[1] ?? "").toLowerCase();
      await desk.operatorCommand(person, { name, args: command[2] ?? "" }, ctx.update.update_id);
      return;
    }
    // Operators are staff: their files are not held to the citizens' file rules.
    const file = fileOf(message, false);
    if (file === undefined && message.text === undefined) {
      await ctx.reply(OPERATOR_TEXTS.unsupported);
      return;
    }
    await desk.operatorMessage(person, {
      ...incoming(message, file),
      updateId: ctx.update.update_id,
      ...(message.reply_to_message
        ? { replyToMessageId: message.reply_to_message.message_id }
        : {}),
    });
  });

  /** An operator added by id alone gets their Telegram first name, which citizens see. */
  const learnName = async (from: { id: number; first_name: string }) => {
    const member = await handoff.staff.byTelegram(from.id);
    const name = from.first_name.trim();
    if (member?.removedAt === null && member.name === defaultOperatorName(from.id) && name) {
      await handoff.staff.rename(member.id, name);
    }
  };

  privateChats.command("cancel", (ctx) => desk.cancel(personOf(ctx), ctx.update.update_id));

  // A citizen with an open ticket: text, photos and documents go to it.
  // Commands (/menu, /help…) still work; other kinds fall through to "text only".
  privateChats.on("message", async (ctx, next) => {
    const message = ctx.message;
    // A command (Telegram marks it) still works; other text starting with "/" goes to the ticket.
    const first = message.entities?.[0];
    if (first?.type === "bot_command" && first.offset === 0) return next();
    const file = fileOf(message, true);
    if (file === undefined && message.text === undefined) return next();
    if (file && "refused" in file) {
      if (!(await handoff.tickets.openTicketOf(ctx.chat.id))) return next();
      await ctx.reply(TEXTS[ctx.language].fileRefused(file.refused));
      // The file was refused, not the words: the caption goes on, marked.
      if (message.caption) {
        await desk.citizenMessage(personOf(ctx), {
          text: message.caption,
          refusedFile: file.refused,
          messageId: message.message_id,
          updateId: ctx.update.update_id,
        });
      }
      return;
    }
    const relayed = await unlessUnreadable(
      () =>
        desk.citizenMessage(personOf(ctx), {
          ...incoming(message, file),
          updateId: ctx.update.update_id,
        }),
      false,
    );
    if (!relayed) return next();
  });

  composer.on("callback_query:data", async (ctx, next) => {
    if (ctx.chat?.type !== "private") return next();
    const person = { chatId: ctx.chat.id, userId: ctx.from.id, language: ctx.language };
    const answer = await desk.press(person, ctx.callbackQuery.data, ctx.update.update_id);
    if (!answer) return next();
    if (answer.toast) log.info({ user: ctx.from.id, toast: answer.toast }, "desk button refused");
    await ctx.answerCallbackQuery(answer.toast ? { text: answer.toast } : {});
    // Used or stale: the buttons go (the desk's state refuses them anyway).
    if (answer.spent) {
      await ctx
        .editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } })
        .catch((error) => log.info({ error, user: ctx.from.id }, "spent buttons not removed"));
    }
  });

  return composer;
}

type CheckedFile = TicketFile | { refused: "type" | "size" };

/** The photo or document a message carries, checked against the portal's file rules if asked. */
function fileOf(message: Message, checked: boolean): CheckedFile | undefined {
  if (message.photo) {
    const largest = message.photo.at(-1);
    const check = checkFile("image/jpeg", largest?.file_size);
    if (checked && !check.ok) return { refused: check.reason };
    return largest && { id: largest.file_id, kind: "photo" };
  }
  if (message.document) {
    const { mime_type, file_size, file_id } = message.document;
    const check = checkFile(mime_type, file_size);
    if (checked && !check.ok) return { refused: check.reason };
    return { id: file_id, kind: "document" };
  }
  return undefined;
}

function incoming(message: Message, file: CheckedFile | undefined): Incoming {
  const text = message.text ?? message.caption;
  return {
    ...(text !== undefined ? { text } : {}),
    ...(file && !("refused" in file) ? { file } : {}),
    messageId: message.message_id,
  };
}
