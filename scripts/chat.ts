// Talk to the bot in a terminal: the same matcher and answers as in Telegram.
import { createInterface } from "node:readline";
import {
  createMatcher,
  htmlToText,
  type Language,
  type RenderedAnswer,
  renderAnswer,
  replyTo,
} from "../knowledge/index.ts";
import { loadKnowledgeOrExit } from "./knowledge-folder.ts";

const TEXTS = {
  ru: {
    hello:
      "Здравствуйте! Я бот поддержки Госуслуг. Задайте вопрос; /lang en — English, /quit — выход.",
    choose: "Уточните, пожалуйста, что вы имели в виду (введите номер):",
    other: "Другое — передать вопрос оператору",
    more: "Ещё по теме (введите номер):",
    escalateEmpty: "Напишите вопрос текстом, и я постараюсь помочь.",
    escalate:
      "Я не нашёл точного ответа на этот вопрос, поэтому передам его оператору. (Очередь операторов появится в следующей версии; пока свяжитесь с поддержкой напрямую.)",
    language: "Язык: русский.",
  },
  en: {
    hello:
      "Hello! I am the Gosuslugi support bot. Ask a question; /lang ru — русский, /quit — exit.",
    choose: "Which of these did you mean (type the number)?",
    other: "Something else — pass my question to an operator",
    more: "Related (type the number):",
    escalateEmpty: "Please type your question, and I will try to help.",
    escalate:
      "I could not find a reliable answer to this, so I will pass it to an operator. (The operator queue comes in the next version; meanwhile please contact support directly.)",
    language: "Language: English.",
  },
} as const;

const kb = loadKnowledgeOrExit();
const matcher = createMatcher(kb);
let language: Language = "ru";
// Numbered choices from the last reply: clarification options or follow-ups.
let choices: string[] = [];

const say = (text: string) => process.stdout.write(`${text}\n`);

function printAnswer(answer: RenderedAnswer) {
  say(htmlToText(answer.html));
  for (const link of answer.links) say(`🔗 ${link.title}: ${link.url}`);
  choices = answer.followUps.map((f) => f.intent);
  if (answer.followUps.length > 0) {
    say(TEXTS[answer.language].more);
    for (const [i, f] of answer.followUps.entries()) say(`  ${i + 1}. ${f.title}`);
  }
  if (answer.escalate) escalate(answer.language);
}

function escalate(lang: Language) {
  say(TEXTS[lang].escalate);
  const channels = renderAnswer(kb, "contacts.all_channels", lang, new Date());
  if (channels) say(htmlToText(channels.html));
  choices = [];
}

function handle(line: string) {
  const text = line.trim();
  if (text === "/quit" || text === "/exit") return false;
  if (text === "/lang ru" || text === "/lang en") {
    language = text.endsWith("en") ? "en" : "ru";
    say(TEXTS[language].language);
    return true;
  }
  const picked = /^\d+$/.test(text) ? Number(text) : undefined;
  if (picked !== undefined && choices.length > 0) {
    if (picked === 0) {
      escalate(language);
      return true;
    }
    const intent = choices[picked - 1];
    const answer = intent && renderAnswer(kb, intent, language, new Date());
    if (answer) {
      printAnswer(answer);
      return true;
    }
  }
  const reply = replyTo(kb, matcher, text, { fallbackLanguage: language });
  language = reply.language;
  if (reply.kind === "answer") printAnswer(reply.answer);
  else if (reply.kind === "clarify") {
    say(TEXTS[language].choose);
    for (const [i, o] of reply.options.entries()) say(`  ${i + 1}. ${o.title}`);
    say(`  0. ${TEXTS[language].other}`);
    choices = reply.options.map((o) => o.intent);
  } else if (reply.reason === "empty") {
    say(TEXTS[language].escalateEmpty);
  } else {
    escalate(language);
  }
  return true;
}

const interactive = process.stdin.isTTY === true;
say(TEXTS.ru.hello);
const rl = createInterface({ input: process.stdin, terminal: interactive });
if (interactive) rl.setPrompt("> ");
if (interactive) rl.prompt();
for await (const line of rl) {
  if (!interactive) say(`> ${line}`);
  if (!handle(line)) break;
  say("");
  if (interactive) rl.prompt();
}
rl.close();
