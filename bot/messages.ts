import { InlineKeyboard } from "grammy";
import { cutBefore } from "../handoff/index.ts";
import type { KnowledgeBase, Language, RenderedAnswer, Topic } from "../knowledge/index.ts";
import { encodeAction } from "./callback-data.ts";
import { TEXTS } from "./texts.ts";

/** A message to send: Telegram HTML and its inline keyboard. */
export interface OutgoingMessage {
  html: string;
  keyboard: InlineKeyboard | undefined;
}

/** Telegram's limit on a message's text. */
export const MAX_MESSAGE_LENGTH = 4096;

/**
 * Splits HTML text into parts Telegram accepts, at line breaks (our answers'
 * tags never span lines). A single line longer than the limit is cut.
 */
export function splitMessage(html: string, limit = MAX_MESSAGE_LENGTH): string[] {
  const parts: string[] = [];
  let current = "";
  for (const line of html.split("\n")) {
    const candidate = current === "" ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    if (current !== "") parts.push(current);
    let rest = line;
    while (rest.length > limit) {
      const cut = cutBefore(rest, limit);
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  if (current !== "") parts.push(current);
  return parts;
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
