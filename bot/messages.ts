import { InlineKeyboard } from "grammy";
import {
  htmlToText,
  type KnowledgeBase,
  type Language,
  type RenderedAnswer,
  type Topic,
} from "../knowledge/index.ts";
import { encodeAction } from "./callback-data.ts";
import { splitHtml, TEXT_LIMIT } from "./desk/index.ts";
import { TEXTS } from "./texts.ts";

/** A message to send: Telegram HTML and its inline keyboard. */
export interface OutgoingMessage {
  html: string;
  keyboard: InlineKeyboard | undefined;
}

/** Telegram's limit on a message's text, in characters shown. */
export const MAX_MESSAGE_LENGTH = TEXT_LIMIT;

/**
 * Splits HTML text into parts Telegram accepts, as the desk's messages are
 * (`splitHtml`: counted as Telegram shows it, cut at a line break where there
 * is one, never inside a tag, an entity or an emoji). Parts that would show
 * only whitespace are left out.
 */
export function splitMessage(html: string, limit = MAX_MESSAGE_LENGTH): string[] {
  return splitHtml(html, limit).filter((part) => htmlToText(part).trim() !== "");
}

/** The main menu: one button per topic. */
export function menuMessage(language: Language): OutgoingMessage {
  const t = TEXTS[language];
  const keyboard = new InlineKeyboard();
  for (const [topic, title] of Object.entries(t.topics)) {
    const action =
      topic === "operator"
        ? encodeAction({ kind: "operator" })
        : encodeAction({ kind: "topic", topic: topic as Exclude<Topic, "smalltalk"> });
    keyboard.text(title, action).row();
  }
  return { html: t.menuTitle, keyboard };
}

/** A topic's questions as buttons. */
export function topicMessage(
  kb: KnowledgeBase,
  topic: Exclude<Topic, "smalltalk">,
  language: Language,
): OutgoingMessage {
  const t = TEXTS[language];
  const keyboard = new InlineKeyboard();
  for (const intent of kb.intents.filter((i) => i.topic === topic)) {
    keyboard
      .text(intent.title[language], encodeAction({ kind: "answer", intent: intent.id }))
      .row();
  }
  keyboard.text(t.back, encodeAction({ kind: "menu" }));
  return { html: t.topicTitle(t.topics[topic]), keyboard };
}

/**
 * An answer with its link buttons, follow-up buttons and, for real
 * questions (not small talk), "Did this help?".
 */
export function answerMessage(
  kb: KnowledgeBase,
  answer: RenderedAnswer,
  withFeedback = true,
): OutgoingMessage {
  const t = TEXTS[answer.language];
  const keyboard = new InlineKeyboard();
  for (const link of answer.links) keyboard.url(link.title, link.url).row();
  for (const followUp of answer.followUps) {
    keyboard.text(followUp.title, encodeAction({ kind: "answer", intent: followUp.intent })).row();
  }
  const smalltalk = kb.byId.get(answer.intent)?.topic === "smalltalk";
  const askFeedback = withFeedback && !smalltalk && !answer.escalate;
  if (askFeedback) {
    keyboard
      .text(t.yes, encodeAction({ kind: "feedback", intent: answer.intent, helpful: true }))
      .text(t.no, encodeAction({ kind: "feedback", intent: answer.intent, helpful: false }));
  }
  const html = askFeedback ? `${answer.html}\n\n<i>${t.helpful}</i>` : answer.html;
  return { html, keyboard };
}

/** "Did you mean…": the close intents as buttons, and "Something else". */
export function clarifyMessage(
  options: readonly { intent: string; title: string }[],
  language: Language,
): OutgoingMessage {
  const t = TEXTS[language];
  const keyboard = new InlineKeyboard();
  for (const option of options) {
    keyboard.text(option.title, encodeAction({ kind: "answer", intent: option.intent })).row();
  }
  keyboard.text(t.somethingElse, encodeAction({ kind: "operator" }));
  return { html: t.clarify, keyboard };
}

/** The two language buttons. */
export function languageMessage(): OutgoingMessage {
  const keyboard = new InlineKeyboard()
    .text("Русский", encodeAction({ kind: "language", language: "ru" }))
    .text("English", encodeAction({ kind: "language", language: "en" }));
  return { html: TEXTS.ru.chooseLanguage, keyboard };
}
