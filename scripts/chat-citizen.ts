// The citizen's side of `npm run chat`: FAQ answers as in Telegram, and the
// operator handoff through the desk (offer, ticket messages, /cancel, rating).
import { toastText } from "../bot/desk/index.ts";
import { type Person, questionRecord } from "../handoff/index.ts";
import {
  htmlToText,
  type Language,
  type RenderedAnswer,
  renderAnswer,
  replyTo,
} from "../knowledge/index.ts";
import { createChatScreen, type Session, type SessionDeps } from "./chat-console.ts";

/** The local citizen: their private chat id and Telegram user id, as one number. */
export const CITIZEN_ID = 1;

const TEXTS = {
  ru: {
    hello:
      "Здравствуйте! Я бот поддержки Госуслуг. Задайте вопрос; число — выбрать пункт или нажать кнопку [N]; /cancel — закрыть обращение; /lang en — English; /quit — выход.",
    choose: "Уточните, пожалуйста, что вы имели в виду (введите номер):",
    other: "Другое — передать вопрос оператору",
    more: "Ещё по теме (введите номер):",
    escalateEmpty: "Напишите вопрос текстом, и я постараюсь помочь.",
    escalate: "Я не нашёл точного ответа на этот вопрос.",
    language: "Язык: русский.",
  },
  en: {
    hello:
      "Hello! I am the Gosuslugi support bot. Ask a question; a number picks an item or presses button [N]; /cancel closes your request; /lang ru — русский; /quit — exit.",
    choose: "Which of these did you mean (type the number)?",
    other: "Something else — pass my question to an operator",
    more: "Related (type the number):",
    escalateEmpty: "Please type your question, and I will try to help.",
    escalate: "I could not find a reliable answer to this.",
    language: "Language: English.",
  },
} as const;

/**
 * The citizen's terminal chat. A bare number picks from the latest message's
 * numbered list (an FAQ clarification or follow-ups, or a desk message's
 * buttons); while the citizen has an open ticket, every other line goes to it.
 */
export async function createCitizenSession({
  handoff,
  kb,
  matcher,
  say,
}: SessionDeps): Promise<Session> {
  const { desk, store, tickets } = handoff;
  let language: Language = "ru";
  const person = (): Person => ({ chatId: CITIZEN_ID, userId: CITIZEN_ID, language });
  const screen = await createChatScreen({
    outbox: handoff.outbox,
    chatId: CITIZEN_ID,
    say,
    press: async (action) => {
      const { toast } = await desk.press(person(), action);
      return toast && toastText(toast, language);
    },
  });
  /** Asks the citizen to confirm an operator; the desk's offer comes through the outbox. */
  const offerOperator = (intro?: string) => desk.offer(person(), intro);

  const showIntent = async (intent: string | undefined): Promise<boolean> => {
    const answer =
      intent === undefined ? undefined : renderAnswer(kb, intent, language, new Date());
    if (!answer) return false;
    await printAnswer(answer);
    return true;
  };

  const printAnswer = async (answer: RenderedAnswer) => {
    const lines = [htmlToText(answer.html)];
    for (const link of answer.links) lines.push(`🔗 ${link.title}: ${link.url}`);
    const followUps = answer.followUps;
    if (followUps.length > 0) {
      lines.push(TEXTS[answer.language].more);
      for (const [i, f] of followUps.entries()) lines.push(`  ${i + 1}. ${f.title}`);
    }
    const pick =
      followUps.length > 0 ? (n: number) => showIntent(followUps[n - 1]?.intent) : undefined;
    screen.message(lines.join("\n"), pick);
    if (answer.escalate) await offerOperator();
  };

  /** A question for the FAQ, recorded (masked) so that a ticket opened next carries it. */
  const ask = async (text: string) => {
    if (text === "") return screen.message(TEXTS[language].escalateEmpty);
    const reply = replyTo(kb, matcher, text, { fallbackLanguage: language });
    await store.recordQuestion(questionRecord(CITIZEN_ID, text, reply));
    language = reply.language;
    if (reply.kind === "answer") return printAnswer(reply.answer);
    if (reply.kind === "clarify") {
      const { options } = reply;
      const lines: string[] = [TEXTS[language].choose];
      for (const [i, o] of options.entries()) lines.push(`  ${i + 1}. ${o.title}`);
      lines.push(`  0. ${TEXTS[language].other}`);
      return screen.message(lines.join("\n"), async (n) => {
        if (n !== 0) return showIntent(options[n - 1]?.intent);
        await offerOperator();
        return true;
      });
    }
    if (reply.reason === "empty") return screen.message(TEXTS[language].escalateEmpty);
    await offerOperator(TEXTS[language].escalate);
  };

  return {
    hello: TEXTS.ru.hello,
    drain: screen.drain,
    handle: async (line) => {
      const text = line.trim();
      if (text === "/quit" || text === "/exit") return false;
      if (text === "/lang ru" || text === "/lang en") {
        language = text.endsWith("en") ? "en" : "ru";
        screen.message(TEXTS[language].language);
      } else if (text === "/cancel") {
        await desk.cancel(person());
      } else if (/^\d+$/.test(text) && (await screen.pick(Number(text)))) {
        // A numbered item or a desk button of the latest message.
      } else if (await tickets.openTicketOf(CITIZEN_ID)) {
        if (text !== "") await desk.citizenMessage(person(), { text });
      } else {
        await ask(text);
      }
      return true;
    },
  };
}
