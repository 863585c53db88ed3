import { Composer } from "grammy";
import type { Message } from "grammy/types";
import {
  incidentsOfAnswer,
  incidentsOfReply,
  isOperatorCommand,
  questionRecord,
} from "../../handoff/index.ts";
import {
  escapeHtml,
  type KnowledgeBase,
  type RenderedAnswer,
  renderAnswer,
  replyTo,
} from "../../knowledge/index.ts";
import { decodeAction } from "../callback-data.ts";
import type { BotContext } from "../context.ts";
import type { BotDeps } from "../deps.ts";
import { type Command, telegramDesk } from "../desk/index.ts";
import { incidentReply, withNotices } from "../incident-notice.ts";
import {
  answerMessage,
  clarifyMessage,
  languageMessage,
  menuMessage,
  topicMessage,
} from "../messages.ts";
import { readOr } from "../read-or.ts";
import { sendMessage } from "../send.ts";
import { TEXTS } from "../texts.ts";

/**
 * What citizens do in a private chat: commands, questions in free text, and
 * the buttons of the bot's own messages.
 */
export function createCitizenFeature(deps: BotDeps): Composer<BotContext> {
  const { log, now = Date.now } = deps;
  const { store } = deps.handoff;
  const desk = telegramDesk(deps.handoff.desk);
  const composer = new Composer<BotContext>();
  const privateChats = composer.chatType("private");
  /** Asks the citizen to confirm an operator (the desk answers through the outbox). */
  const offerOperator = async (ctx: BotContext, intro?: string) => {
    if (!ctx.chat || !ctx.from) return;
    const person = { chatId: ctx.chat.id, userId: ctx.from.id, language: ctx.language };
    await desk.offer(person, intro, ctx.update.update_id);
  };

  const activeIncidents = () => deps.incidents?.() ?? [];
  /**
   * An answer with the notices of the incidents it concerns first (every
   * active one for the greeting: it is where a citizen starts).
   */
  const answerWithNotices = (kb: KnowledgeBase, answer: RenderedAnswer) => {
    const notices = incidentsOfAnswer(activeIncidents(), answer.intent);
    return withNotices(answerMessage(kb, answer), notices, answer.language, now());
  };

  // A removed operator's first message since: they are told, once.
  privateChats.on("message", async (ctx, next) => {
    const person = { chatId: ctx.chat.id, userId: ctx.from.id, language: ctx.language };
    // Unreadable (the database is down): answered as the citizen they are now.
    const told = await readOr(
      deps.handoff.storage,
      () => desk.formerOperator(person, ctx.update.update_id),
      false,
    );
    if (!told) await next();
  });

  privateChats.command("start", async (ctx) => {
    const greeting = TEXTS[ctx.language].greeting;
    const active = activeIncidents();
    if (active.length === 0) await ctx.reply(greeting);
    else {
      const message = { html: escapeHtml(greeting), keyboard: undefined };
      await sendMessage(ctx, withNotices(message, active, ctx.language, now()));
    }
    await sendMessage(ctx, menuMessage(ctx.language));
  });
  privateChats.command("menu", (ctx) => sendMessage(ctx, menuMessage(ctx.language)));
  privateChats.command("help", (ctx) => ctx.reply(TEXTS[ctx.language].help));
  privateChats.command("lang", (ctx) => sendMessage(ctx, languageMessage()));
  // A citizen's /close ends their ticket, like /cancel (or says they have none).
  privateChats.command("close", (ctx) =>
    desk.cancel(
      { chatId: ctx.chat.id, userId: ctx.from.id, language: ctx.language },
      ctx.update.update_id,
    ),
  );
  // Any other command is never read as a question: an operator's is refused
  // (and audited) by the desk, the rest get the command list.
  privateChats.on("message:text", async (ctx, next) => {
    const command = commandOf(ctx.message);
    if (!command) return next();
    if (isOperatorCommand(command.name)) {
      const person = { chatId: ctx.chat.id, userId: ctx.from.id, language: ctx.language };
      await desk.operatorCommand(person, command, ctx.update.update_id);
      return;
    }
    await ctx.reply(TEXTS[ctx.language].unknownCommand);
  });

  privateChats.on("message:text", async (ctx) => {
    const text = ctx.message.text;
    const { kb, matcher } = deps.knowledge();
    if (text.trim() === "") {
      await ctx.reply(TEXTS[ctx.language].escalateEmpty);
      return;
    }
    const reply = replyTo(kb, matcher, text, {
      fallbackLanguage: ctx.language,
      at: new Date(now()),
    });
    const { match } = reply;
    deps.metrics?.decision(reply.kind);
    await store.recordQuestion(questionRecord(ctx.chat.id, text, reply));
    log.info(
      { chat: ctx.chat.id, decision: match.decision, confidence: match.confidence, text },
      "question",
    );
    ctx.language = reply.language;
    // A question about a part of the portal known to be broken gets the
    // notice, not a place in the operators' queue; a person is a press away.
    const effect = incidentsOfReply(
      activeIncidents(),
      reply,
      matcher.calibration.clarifyFloor ?? 0,
    );
    if (effect?.how === "instead") {
      log.info(
        { chat: ctx.chat.id, incidents: effect.incidents.map((i) => i.id) },
        "incident notice instead",
      );
      await sendMessage(ctx, incidentReply(effect.incidents, reply.language, now()));
    } else if (reply.kind === "answer") {
      await sendMessage(ctx, answerWithNotices(kb, reply.answer));
      if (reply.answer.escalate) await offerOperator(ctx);
    } else if (reply.kind === "clarify") {
      await sendMessage(ctx, clarifyMessage(reply.options, reply.language));
    } else if (reply.reason === "empty") {
      await ctx.reply(TEXTS[reply.language].escalateEmpty);
    } else {
      await offerOperator(ctx, TEXTS[reply.language].escalate);
    }
  });

  composer.on("callback_query:data", async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    const { kb } = deps.knowledge();
    const language = ctx.language;
    const stale = () => {
      log.warn({ chat: ctx.chat?.id, data: ctx.callbackQuery.data }, "unusable button data");
      return ctx.answerCallbackQuery({ text: TEXTS[language].staleButton });
    };
    if (!action || !ctx.chat || ctx.chat.type !== "private") return stale();
    switch (action.kind) {
      case "menu":
        await ctx.answerCallbackQuery();
        return sendMessage(ctx, menuMessage(language));
      case "topic":
        await ctx.answerCallbackQuery();
        return sendMessage(ctx, topicMessage(kb, action.topic, language));
      case "answer": {
        const answer = renderAnswer(kb, action.intent, language, new Date(now()));
        if (!answer) return stale();
        await ctx.answerCallbackQuery();
        await sendMessage(ctx, answerWithNotices(kb, answer));
        if (answer.escalate) await offerOperator(ctx);
        return;
      }
      case "feedback": {
        // One feedback per answer (the message the buttons are on), the latest.
        const answerMessage = ctx.callbackQuery.message?.message_id;
        if (!kb.byId.has(action.intent) || answerMessage === undefined) return stale();
        const outcome = await store.recordFeedback(
          ctx.chat.id,
          action.intent,
          action.helpful,
          answerMessage,
        );
        await ctx.answerCallbackQuery({ text: TEXTS[language].thanksForFeedback });
        // The feedback buttons go, so one answer is rated once.
        const markup = ctx.callbackQuery.message?.reply_markup;
        if (markup) {
          const rows = markup.inline_keyboard
            .map((row) =>
              row.filter((b) => !("callback_data" in b && b.callback_data?.startsWith("f:"))),
            )
            .filter((row) => row.length > 0);
          await ctx
            .editMessageReplyMarkup({ reply_markup: { inline_keyboard: rows } })
            .catch((error) => log.debug({ error }, "feedback buttons not removed"));
        }
        // A repeated 👎 (a double tap, or buttons that could not be removed) offers once.
        if (!action.helpful && outcome !== "unchanged") {
          await offerOperator(ctx, TEXTS[language].sorryOfferOperator);
        }
        return;
      }
      case "operator":
        await ctx.answerCallbackQuery();
        return offerOperator(ctx);
      case "language":
        await store.setLanguage(ctx.chat.id, action.language);
        ctx.language = action.language;
        await ctx.answerCallbackQuery();
        await ctx.reply(TEXTS[action.language].languageSet);
        return sendMessage(ctx, menuMessage(action.language));
    }
  });

  return composer;
}

/** The command a message starts with (Telegram marks it), lowercase, without "@bot". */
function commandOf(message: Message): Command | undefined {
  const first = message.entities?.[0];
  const text = message.text;
  if (first?.type !== "bot_command" || first.offset !== 0 || text === undefined) return undefined;
  const name = text.slice(1, first.length).split("@")[0]?.toLowerCase() ?? "";
  return { name, args: text.slice(first.length).trim() };
}
