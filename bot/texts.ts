import type { Language, Topic } from "../knowledge/index.ts";

/** Every text the bot says itself (answers come from the knowledge base), in both languages. */
export interface Texts {
  greeting: string;
  help: string;
  menuTitle: string;
  topics: Record<Exclude<Topic, "smalltalk">, string>;
  topicTitle: (topic: string) => string;
  back: string;
  chooseLanguage: string;
  languageSet: string;
  helpful: string;
  yes: string;
  no: string;
  thanksForFeedback: string;
  sorryOfferOperator: string;
  clarify: string;
  somethingElse: string;
  operator: string;
  escalate: string;
  escalateEmpty: string;
  onlyText: string;
  fileNeedsQuestion: string;
  fileRefused: (reason: "type" | "size") => string;
  rateLimited: string;
  staleButton: string;
  failure: string;
  /** A handler failed because the database takes no writes: nothing the citizen sent was passed on. */
  storageFailure: string;
  commands: { command: string; description: string }[];
  /** A command the bot does not know: the command list. */
  unknownCommand: string;
  /** Under an incident's notice: since when (Moscow time, as `formatMoscow` says it). */
  incidentSince: (time: string) => string;
  /** Under an incident's notice: when a fix is expected, as staff wrote it. */
  incidentFix: (fix: string) => string;
  /** After the notices, in place of an escalation or "did you mean": a person is still a button away. */
  incidentInstead: string;
}

/** The citizens' commands (the Telegram menu), and the list said for an unknown one. */
const COMMANDS = {
  ru: [
    { command: "start", description: "Начать" },
    { command: "menu", description: "Темы вопросов" },
    { command: "help", description: "Что умеет бот" },
    { command: "lang", description: "Язык / Language" },
    { command: "cancel", description: "Выйти из очереди к оператору" },
  ],
  en: [
    { command: "start", description: "Start" },
    { command: "menu", description: "Question topics" },
    { command: "help", description: "What the bot can do" },
    { command: "lang", description: "Language / Язык" },
    { command: "cancel", description: "Leave the operator queue" },
  ],
};
const commandList = (intro: string, commands: { command: string; description: string }[]) =>
  [intro, ...commands.map((c) => `/${c.command} — ${c.description}`)].join("\n");

export const TEXTS: Record<Language, Texts> = {
  ru: {
    greeting:
      "Здравствуйте! Я бот поддержки портала Госуслуг. Напишите вопрос своими словами или выберите тему ниже.",
    help: "Я отвечаю на вопросы о Госуслугах: вход и регистрация, заявления, документы, контакты и часы работы поддержки.\n\nНапишите вопрос своими словами, например: «не приходит смс при регистрации».\n/menu — темы, /lang — язык, /help — эта справка.",
    menuTitle: "Выберите тему:",
    topics: {
      account: "🔐 Вход и регистрация",
      applications: "📄 Заявления и услуги",
      documents: "📎 Документы и скриншоты",
      contacts: "☎️ Контакты и часы работы",
      departments: "🏛 Пенсия, соцстрах, налоги",
      operator: "👤 Связаться с оператором",
    },
    topicTitle: (topic) => `${topic}: выберите вопрос`,
    back: "⬅️ Все темы",
    chooseLanguage: "Выберите язык / Choose a language:",
    languageSet: "Буду отвечать по-русски.",
    helpful: "Ответ помог?",
    yes: "👍 Да",
    no: "👎 Нет",
    thanksForFeedback: "Спасибо за оценку!",
    sorryOfferOperator: "Жаль, что ответ не помог.",
    clarify: "Уточните, пожалуйста, что вы имели в виду:",
    somethingElse: "Другое",
    operator: "👤 Оператор",
    escalate: "Я не нашёл точного ответа на этот вопрос.",
    escalateEmpty: "Напишите, пожалуйста, вопрос текстом — я постараюсь помочь.",
    onlyText:
      "Я понимаю только текстовые вопросы. Напишите, что случилось, или выберите тему в меню.",
    fileNeedsQuestion:
      "Файлы я передаю оператору вместе с обращением. Сначала напишите, что случилось; если я не помогу, позову оператора, и тогда пришлите файл.",
    fileRefused: (reason) =>
      reason === "type"
        ? "Этот файл не подойдёт: принимаются только JPEG, PNG и PDF."
        : "Этот файл слишком большой: принимаются файлы до 5 МБ. Сожмите его или сделайте скриншот.",
    rateLimited:
      "Вы пишете очень часто: следующие сообщения в течение минуты я пропущу. Подождите минуту и отправьте вопрос ещё раз.",
    staleButton: "Эта кнопка устарела. Откройте /menu.",
    failure: "Что-то пошло не так с ответом. Попробуйте ещё раз или откройте /menu.",
    storageFailure:
      "Сейчас у нас технический сбой: не получается сохранить сообщение, поэтому передать его оператору (или открыть обращение) я не могу. На частые вопросы я по-прежнему отвечаю — напишите вопрос или откройте /menu. Оператору попробуйте написать чуть позже.",
    commands: COMMANDS.ru,
    unknownCommand: commandList(
      "Такой команды нет. Напишите вопрос своими словами или выберите команду:",
      COMMANDS.ru,
    ),
    incidentSince: (time) => `Сбой с ${time} по московскому времени.`,
    incidentFix: (fix) => `Ожидаем исправления: ${fix}.`,
    incidentInstead:
      "Похоже, ваш вопрос об этом сбое: пока его не устранят, повторите попытку позже. Если дело не ждёт, позовите оператора.",
  },
  en: {
    greeting:
      "Hello! I am the Gosuslugi portal support bot. Type your question in your own words or pick a topic below.",
    help: 'I answer questions about Gosuslugi: signing in and registration, applications, documents, support contacts and hours.\n\nType your question, for example: "the SMS code does not arrive".\n/menu — topics, /lang — language, /help — this help.',
    menuTitle: "Choose a topic:",
    topics: {
      account: "🔐 Sign-in and registration",
      applications: "📄 Applications and services",
      documents: "📎 Documents and screenshots",
      contacts: "☎️ Contacts and hours",
      departments: "🏛 Pension, social insurance, tax",
      operator: "👤 Talk to an operator",
    },
    topicTitle: (topic) => `${topic}: choose a question`,
    back: "⬅️ All topics",
    chooseLanguage: "Выберите язык / Choose a language:",
    languageSet: "I will answer in English.",
    helpful: "Did this help?",
    yes: "👍 Yes",
    no: "👎 No",
    thanksForFeedback: "Thank you for the feedback!",
    sorryOfferOperator: "Sorry that did not help.",
    clarify: "Which of these did you mean?",
    somethingElse: "Something else",
    operator: "👤 Operator",
    escalate: "I could not find a reliable answer to this.",
    escalateEmpty: "Please type your question, and I will try to help.",
    onlyText:
      "I understand text questions only. Tell me what happened, or pick a topic in the menu.",
    fileNeedsQuestion:
      "I pass files to an operator with a request. First tell me what happened; if I cannot help, I will call an operator, and then send the file.",
    fileRefused: (reason) =>
      reason === "type"
        ? "This file will not do: only JPEG, PNG and PDF are accepted."
        : "This file is too large: files up to 5 MB are accepted. Compress it or take a screenshot.",
    rateLimited:
      "You are writing very often: I will skip your messages for a minute. Please wait and send your question again.",
    staleButton: "This button is out of date. Open /menu.",
    failure: "Something went wrong with the answer. Please try again or open /menu.",
    storageFailure:
      "We have a technical fault right now: I cannot save messages, so I cannot pass this one to an operator (or open a request). I still answer common questions: type your question or open /menu. Please try the operator again a little later.",
    commands: COMMANDS.en,
    unknownCommand: commandList(
      "There is no such command. Type your question in your own words or pick a command:",
      COMMANDS.en,
    ),
    incidentSince: (time) => `Since ${time} Moscow time.`,
    incidentFix: (fix) => `Expected fix: ${fix}.`,
    incidentInstead:
      "Your question seems to be about this fault: until it is fixed, please try again later. If it cannot wait, call an operator.",
  },
};
