import type { Language } from "../../handoff/index.ts";

// What the handoff desk says. Citizens read their language; operators, who
// are the portal's Russian-speaking staff, read Russian. The texts are
// written once for every medium: `Format` marks emphasis and escapes every
// value that comes from a person (Telegram HTML for the bot, plain text for
// the terminal chat).

/** How a medium shows emphasis and a person's words. */
export interface Format {
  /** Emphasis (bold in Telegram). */
  b(text: string): string;
  /** Words that came from a person (a name, a question, a message), made safe to show. */
  text(raw: string): string;
  /** Telegram-style HTML made elsewhere (a knowledge-base answer, the report), shown in this medium. */
  html(markup: string): string;
}

/** Citizen-facing texts. */
export interface CitizenTexts {
  offer: (openState: string) => string;
  /** Said instead of the schedule while operators are on shift. */
  onShiftNow: string;
  confirm: string;
  decline: string;
  declined: string;
  opened: (ticketId: number, position: number, waitMinutes: number | undefined) => string;
  offHours: (openState: string) => string;
  whileWaiting: string;
  alreadyOpen: (ticketId: number) => string;
  added: (ticketId: number, position: number | undefined) => string;
  operatorJoined: (ticketId: number, name: string) => string;
  /** An operator's words, already formatted (escaped) by the renderer. */
  fromOperator: (formatted: string) => string;
  operatorLabel: string;
  transferred: (ticketId: number) => string;
  backInQueue: (ticketId: number, position: number) => string;
  closed: (ticketId: number) => string;
  askSolved: string;
  solvedYes: string;
  solvedNo: string;
  askRating: string;
  thanks: string;
  cancelled: (ticketId: number) => string;
  nothingToCancel: string;
  alreadyRated: string;
  /** A confirm/decline pressed after a ticket opened since the offer. */
  offerStale: string;
  /** "Solved?" pressed again: the rating keyboard was sent already. */
  ratingAsked: string;
  /** An operator command from a citizen. */
  operatorsOnly: string;
  /** A removed operator's next message. */
  noLongerOperator: string;
}

/** The citizens' texts in a medium's format. */
export function citizenTexts(f: Format): Record<Language, CitizenTexts> {
  return {
    ru: {
      offer: (open) => `Передать ваш вопрос оператору? ${open}`,
      onShiftNow: "Сейчас операторы на связи.",
      confirm: "👤 Да, позвать оператора",
      decline: "Нет, спасибо",
      declined: "Хорошо. Задайте вопрос по-другому или выберите тему в /menu.",
      opened: (id, position, wait) =>
        `Обращение ${f.b(`№${id}`)} передано операторам. Вы ${position}-й в очереди` +
        (wait === undefined ? "." : `, ожидание около ${wait} мин.`),
      offHours: (open) => `${open} Обращение останется в очереди.`,
      whileWaiting:
        "Пока ждёте, опишите подробности или пришлите скриншот (JPEG, PNG или PDF до 5 МБ) — оператор увидит всё. /cancel — выйти из очереди.",
      alreadyOpen: (id) =>
        `У вас уже открыто обращение ${f.b(`№${id}`)}. Пишите здесь — сообщения увидит оператор. /cancel — закрыть его.`,
      added: (id, position) =>
        `Добавлено к обращению №${id}.` +
        (position === undefined ? "" : ` Вы ${position}-й в очереди.`),
      operatorJoined: (id, name) =>
        `👤 Обращение №${id} взято в работу, на связи оператор ${f.text(name)}. Пишите здесь — ответ придёт в этот чат.`,
      fromOperator: (text) => `👤 ${f.b(`Оператор:`)} ${text}`,
      operatorLabel: "👤 Оператор",
      transferred: (id) => `Обращение №${id} передано другому оператору. Ответ придёт в этот чат.`,
      backInQueue: (id, position) =>
        `Обращение №${id} вернулось в очередь: вы ${position}-й. Скоро подключится другой оператор.`,
      closed: (id) => `Обращение №${id} закрыто оператором.`,
      askSolved: "Удалось решить ваш вопрос?",
      solvedYes: "✅ Да",
      solvedNo: "❌ Нет",
      askRating: "Оцените, пожалуйста, помощь оператора от 1 до 5:",
      thanks: "Спасибо за оценку! Если появится новый вопрос — просто напишите.",
      cancelled: (id) =>
        `Обращение №${id} закрыто. Если понадобится помощь — просто напишите свой вопрос.`,
      nothingToCancel: "У вас нет открытых обращений.",
      alreadyRated: "Оценка уже сохранена.",
      offerStale: "Эта кнопка уже неактуальна. Если нужен оператор, напишите вопрос ещё раз.",
      ratingAsked: "Вы уже ответили. Оцените помощь в сообщении ниже.",
      operatorsOnly:
        "Эта команда только для операторов. Для вас: /menu — темы, /help — справка, /cancel — закрыть обращение.",
      noLongerOperator:
        "Вы больше не оператор поддержки: обращения вам не приходят. Дальше я отвечаю вам как гражданину; если это ошибка, обратитесь к супервизору.",
    },
    en: {
      offer: (open) => `Shall I pass your question to an operator? ${open}`,
      onShiftNow: "Operators are available now.",
      confirm: "👤 Yes, call an operator",
      decline: "No, thanks",
      declined: "All right. Try asking in other words or pick a topic in /menu.",
      opened: (id, position, wait) =>
        `Request ${f.b(`#${id}`)} is with the operators. You are number ${position} in the queue` +
        (wait === undefined ? "." : `; the wait is about ${wait} min.`),
      offHours: (open) => `${open} Your request stays in the queue.`,
      whileWaiting:
        "While you wait, add details or send a screenshot (JPEG, PNG or PDF up to 5 MB): the operator will see everything. /cancel leaves the queue.",
      alreadyOpen: (id) =>
        `You already have request ${f.b(`#${id}`)} open. Write here and the operator will see it. /cancel closes it.`,
      added: (id, position) =>
        `Added to request #${id}.` +
        (position === undefined ? "" : ` You are number ${position} in the queue.`),
      operatorJoined: (id, name) =>
        `👤 Operator ${f.text(name)} has taken request #${id}. Write here; they will answer in this chat.`,
      fromOperator: (text) => `👤 ${f.b(`Operator:`)} ${text}`,
      operatorLabel: "👤 Operator",
      transferred: (id) => `Request #${id} has passed to another operator, who will answer soon.`,
      backInQueue: (id, position) =>
        `Request #${id} is back in the queue: you are number ${position}. Another operator will join soon.`,
      closed: (id) => `The operator has closed request #${id}.`,
      askSolved: "Was your problem solved?",
      solvedYes: "✅ Yes",
      solvedNo: "❌ No",
      askRating: "Please rate the operator's help from 1 to 5:",
      thanks: "Thank you for the rating! If you have another question, just write.",
      cancelled: (id) =>
        `Request #${id} is closed. If you need help again, just type your question.`,
      nothingToCancel: "You have no open requests.",
      alreadyRated: "Your rating is already saved.",
      offerStale: "This button is out of date. If you need an operator, type your question again.",
      ratingAsked: "You have answered already. Please rate the help in the message below.",
      operatorsOnly:
        "This command is for operators only. For you: /menu for topics, /help for help, /cancel to close your request.",
      noLongerOperator:
        "You are no longer a support operator: no requests come to you. From now on I answer you as a citizen; if this is a mistake, ask a supervisor.",
    },
  };
}

/** The operator console's texts (Russian) in a medium's format. */
export function operatorTexts(f: Format) {
  return {
    card: (id: number, language: Language, question: string, tried: string) =>
      `🆕 ${f.b(`Обращение №${id}`)} · ${language}\n${f.b(`Вопрос:`)} ${f.text(question)}` +
      (tried ? `\n${f.b(`Варианты бота:`)} ${tried}` : ""),
    cardIncident: (broken: string, concerns: boolean) =>
      `⚠️ ${f.b("Сбой на портале:")} ${f.text(broken)}${concerns ? " (касается этого обращения)" : ""}`,
    take: (id: number) => `Взять №${id}`,
    takeNext: "Взять следующее",
    cardTaken: (id: number, name: string) => `✅ Обращение №${id} взял(а) ${f.text(name)}.`,
    cardCancelled: (id: number) => `Обращение №${id} закрыто гражданином, пока ждало в очереди.`,
    reminder: (id: number, minutes: number) =>
      `⏰ Обращение №${id} ждёт в очереди уже ${minutes} мин.`,
    reminderDigest: (limitMinutes: number, lines: readonly string[]) =>
      `⏰ Ждут в очереди дольше ${limitMinutes} мин: ${lines.length}.\n${lines.join("\n")}`,
    reminderLine: (id: number, minutes: number) => `№${id} — ${minutes} мин`,
    taken: (id: number, language: Language) =>
      `Вы взяли обращение ${f.b(`№${id}`)} (язык гражданина: ${language}). Ваши сообщения в этом чате уйдут гражданину; ответ на пересланное сообщение — в его обращение.\n/note — заметка, /kb — ответ из базы, /transfer — передать, /close — закрыть.`,
    transcriptHeader: (id: number) => `${f.b(`История обращения №${id}`)}`,
    question: "Вопрос",
    tried: "Варианты бота",
    citizen: "Гражданин",
    operator: "Оператор",
    note: "Заметка",
    file: (kind: "photo" | "document") => (kind === "photo" ? "[фото]" : "[документ]"),
    fromCitizen: (id: number, text: string) => `💬 ${f.b(`№${id}:`)} ${text}`,
    fileFromCitizen: (id: number) => `💬 №${id}`,
    alreadyTaken: (id: number, name: string) => `Обращение №${id} уже взял(а) ${f.text(name)}.`,
    ticketClosed: (id: number) => `Обращение №${id} уже закрыто.`,
    notFound: "Такого обращения нет.",
    notOperator: "Это доступно только операторам.",
    notSupervisor: "Это доступно только супервизорам.",
    offShift: "Чтобы брать обращения, начните смену: /shift on",
    queueEmpty: "Очередь пуста.",
    notYours: (id: number) => `Обращение №${id} ведёт другой оператор.`,
    noCurrent:
      "Сейчас у вас нет обращения. /take — взять следующее из очереди, /tickets — ваши обращения.",
    citizenCancelled: (id: number) => `Обращение №${id} закрыто гражданином.`,
    citizenBlocked: (id: number) =>
      `⚠️ Сообщение по обращению №${id} не доставлено: бот заблокирован гражданином.`,
    undelivered: (id: number) => `⚠️ Сообщение по обращению №${id} не удалось доставить гражданину.`,
    undeliveredToYou: (id: number | undefined, error: string) =>
      `⚠️ Сообщение бота вам${id === undefined ? "" : ` по обращению №${id}`} не доставлено (ошибка Telegram: ${f.text(error)}). Сообщите администратору.`,
    fileRefused: (reason: "type" | "size") =>
      reason === "type" ? "[файл не принят: не тот формат]" : "[файл не принят: слишком большой]",
    closedByYou: (id: number) => `Обращение №${id} закрыто. Гражданину предложено оценить помощь.`,
    noteSaved: (id: number) => `📝 Заметка сохранена в №${id}; гражданин её не видит.`,
    noteUsage: "Напишите заметку после команды: /note текст",
    kbUsage: "Напишите слова после команды: /kb не приходит смс",
    kbChoose: (id: number) => `Какой ответ из базы отправить по №${id}?`,
    kbNothing: "В базе нет подходящего ответа. Попробуйте другие слова.",
    kbSent: (id: number, title: string) => `Отправлен ответ «${f.text(title)}» по №${id}.`,
    transferUsage:
      "Кому передать: /transfer id-оператора, или /transfer queue — вернуть в очередь. На смене:",
    transferredTo: (id: number, name: string) => `Обращение №${id} передано: ${f.text(name)}.`,
    transferredToQueue: (id: number) => `Обращение №${id} возвращено в очередь.`,
    transferredToYou: (id: number, from: string) =>
      `${f.text(from)} передал(а) вам обращение №${id}.`,
    targetNotOperator: "Такого оператора нет.",
    targetOffShift: "Этот оператор не на смене.",
    sameOperator: "Это обращение уже у вас.",
    tickets: "Ваши обращения (текущее отмечено ▶️):",
    noTickets: "У вас нет обращений. /take — взять следующее из очереди.",
    switched: (id: number) => `Текущее обращение: №${id}. Сообщения уйдут этому гражданину.`,
    shiftOn: (waiting: number) => `Смена начата. В очереди: ${waiting}.`,
    shiftOff: (open: number) =>
      open > 0
        ? `Смена закончена. У вас остаются обращения (${open}): закройте или передайте их.`
        : "Смена закончена.",
    shiftState: (on: boolean) =>
      on ? "Вы на смене. /shift off — закончить." : "Вы не на смене. /shift on — начать.",
    queue: (waiting: number, oldestMinutes: number | undefined, onShift: string) =>
      `В очереди: ${waiting}` +
      (oldestMinutes === undefined ? "" : `, дольше всех ждёт ${oldestMinutes} мин`) +
      `.\nНа смене: ${onShift || "никого"}.`,
    help: "Команды оператора:\n/shift on|off — смена\n/take — взять следующее обращение\n/tickets — ваши обращения, переключение\n/note текст — заметка\n/kb слова — ответ из базы знаний\n/transfer id|queue — передать\n/close — закрыть текущее\n/topic id|new — тема последнего закрытого\nСупервизорам: /queue, /stats",
    unsupported: "Гражданину можно отправить текст, фото или документ.",
    topicAsk: (question: string) =>
      `${f.b(`Вопрос:`)} ${f.text(question)}\nК какой теме относится этот вопрос? Ваш ответ поможет научить бота.`,
    topicNew: "🆕 Новая тема",
    topicSkip: "Пропустить",
    topicNewTitle: "новая тема",
    topicChosen: (title: string) => `Тема: ${f.text(title)}.`,
    topicSaved: (title: string) => `Спасибо! Тема сохранена: ${f.text(title)}.`,
    topicSkipped: "Хорошо, без темы.",
    topicAlready: (title: string) => `Тема этого обращения уже отмечена: ${f.text(title)}.`,
    topicNotYours: (id: number) => `Тему обращения №${id} отмечает закрывший его оператор.`,
    topicNotClosed: (id: number) => `Обращение №${id} ещё не закрыто.`,
    topicNoQuestion: (id: number) => `В обращении №${id} нет вопроса: отмечать нечего.`,
    topicUnknown: (intent: string) =>
      `Темы «${f.text(intent)}» нет в базе знаний. Нужен id темы, например contacts.hotline, или new.`,
    topicUsage: (id: number | undefined) =>
      id === undefined
        ? "Вы ещё не закрывали обращений: /topic отмечает тему последнего закрытого."
        : `Тема обращения №${id}: /topic id-темы (например contacts.hotline) или /topic new — новая тема.`,
  } as const;
}
