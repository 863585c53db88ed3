// The test pane: a question as the bot reads it, the intents it scored, the
// decision and why, and the reply the citizen would get, on the published
// knowledge base. Everything goes in with textContent; the answer's Telegram
// HTML is rebuilt from its few allowed tags, never parsed into the page.
import { createApi, signedInMember } from "/static/api.js";
import { telegramHtml } from "/static/telegram-html.js";

const $ = (id) => document.getElementById(id);
let me;
const api = createApi(() => me?.csrfToken);

const LAYOUTS = {
  qwerty_to_cyrillic: "набрано в английской раскладке — прочитано по-русски",
  cyrillic_to_qwerty: "набрано в русской раскладке — прочитано по-английски",
};
const percent = (share) => `${Math.round(share * 100)}%`;
const score = (value) => value.toFixed(2);

function reading(answer) {
  const parts = [
    `Язык: ${answer.language === "ru" ? "русский" : "английский"}${answer.languageDetected ? "" : " (по умолчанию: в вопросе нет букв)"}`,
  ];
  if (answer.layout !== "none") parts.push(`раскладка: ${LAYOUTS[answer.layout]}`);
  if (answer.transliterated.length)
    parts.push(`латиницей по-русски: ${answer.transliterated.join(", ")}`);
  parts.push(`незнакомых слов: ${percent(answer.unknownShare)}`);
  parts.push(`похожесть на вопросы не по теме: ${score(answer.outOfScope)}`);
  return `${parts.join("; ")}.`;
}

function word(token) {
  const item = document.createElement("li");
  const fixed = token.corrected !== token.word ? ` → ${token.corrected}` : "";
  const notes = [
    token.known ? "" : "незнакомое",
    token.courtesy ? "вежливость" : "",
    `основа «${token.stem}»`,
  ].filter(Boolean);
  item.textContent = `${token.word}${fixed} (${notes.join(", ")})`;
  item.className = token.known ? "known" : "unknown";
  return item;
}

function candidate(c) {
  const row = document.createElement("tr");
  for (const text of [
    score(c.score),
    c.title ? `${c.title} (${c.intent})` : "не по теме",
    c.words.join(", ") || "—",
    c.example || "—",
  ]) {
    const cell = document.createElement("td");
    cell.textContent = text;
    row.append(cell);
  }
  return row;
}

function decision(answer) {
  const { decision: d, confidence, thresholds, lead } = answer;
  const sure = `уверенность ${score(confidence)}`;
  if (d.kind === "answer")
    return `Ответить: ${sure} не ниже ${score(thresholds.answerAt)}, отрыв от второй темы ${score(lead)}.`;
  if (d.kind === "clarify")
    return `Переспросить («Вы имели в виду…»): ${sure} — ниже ${score(thresholds.answerAt)} для ответа, но не ниже ${score(thresholds.clarifyAt)}.`;
  if (d.reason === "empty") return "Передать оператору: в вопросе не осталось значимых слов.";
  return `Предложить оператора: ${sure} ниже ${score(thresholds.clarifyAt)} или вопрос ближе к вопросам не по теме.`;
}

function button(text, url) {
  const item = document.createElement("li");
  if (url) {
    const link = document.createElement("a");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = `🔗 ${text}`;
    item.append(link);
  } else item.textContent = text;
  return item;
}

function reply(shown) {
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  const buttons = document.createElement("ul");
  buttons.className = "buttons";
  buttons.setAttribute("aria-label", "Кнопки под сообщением");
  if (shown.kind === "answer") {
    bubble.append(telegramHtml(shown.html));
    for (const b of shown.buttons) buttons.append(button(b.title, b.kind === "link" ? b.url : ""));
    if (shown.asksFeedback) buttons.append(button("Помог ли ответ? 👍 Да / 👎 Нет"));
    if (shown.offersOperator) buttons.append(button("Затем бот предлагает оператора"));
  } else if (shown.kind === "clarify") {
    bubble.textContent = "Уточните, пожалуйста, что вы имели в виду:";
    for (const b of shown.buttons) buttons.append(button(b.title));
    buttons.append(button("Другое — позвать оператора"));
  } else {
    bubble.textContent =
      shown.reason === "empty"
        ? "Бот просит написать вопрос словами."
        : "Бот не нашёл ответа и предлагает оператора.";
  }
  return [bubble, buttons];
}

/**
 * The active incidents' notices where the bot says them: first in the
 * answer, or in place of the reply below (with the operator button).
 */
function incidentNotices(incidents) {
  if (!incidents) return [];
  const box = document.createElement("div");
  box.className = "incident-banner";
  const said = document.createElement("p");
  said.textContent =
    incidents.how === "first"
      ? "Сейчас идёт сбой: бот начнёт ответ с уведомления о нём."
      : "Сейчас идёт сбой: вместо ответа ниже бот пришлёт уведомление о нём и кнопку «Позвать оператора».";
  const list = document.createElement("ul");
  for (const incident of incidents.notices) {
    const item = document.createElement("li");
    const notice = document.createElement("span");
    notice.className = "notice";
    notice.textContent = incident.notice;
    item.append(
      notice,
      ` (${incident.broken}${incident.expectedFix ? `; исправят ${incident.expectedFix}` : ""})`,
    );
    list.append(item);
  }
  box.append(said, list);
  return [box];
}

/** One side's result: a section with its own heading, built from the answer. */
function side(title, answer) {
  const section = document.createElement("section");
  section.className = "result";
  const element = (tag, text, className) => {
    const made = document.createElement(tag);
    if (text !== undefined) made.textContent = text;
    if (className) made.className = className;
    return made;
  };
  section.append(element("h2", title));
  if (!answer.ok) {
    section.append(
      element(
        "p",
        answer.error === "drafts_invalid"
          ? "Черновики сейчас не проходят проверку: исправьте их в редакторе."
          : "Не удалось проверить вопрос.",
        "field-error",
      ),
    );
    return section;
  }
  section.append(element("h3", "Как бот понял вопрос"), element("p", reading(answer), "reading"));
  const words = element("ul", undefined, "words");
  words.setAttribute("aria-label", "Слова");
  words.append(...answer.words.map(word));
  const table = element("table");
  const caption = element("caption", "Ближайшие темы");
  const head = element("thead");
  const headRow = element("tr");
  for (const name of ["Оценка", "Тема", "Совпавшие слова", "Ближайший пример"]) {
    const cell = element("th", name);
    cell.scope = "col";
    headRow.append(cell);
  }
  head.append(headRow);
  const body = element("tbody", undefined, "candidates");
  body.append(...answer.candidates.map(candidate));
  table.append(caption, head, body);
  const shown = element("div", undefined, "reply");
  shown.append(...incidentNotices(answer.incidents), ...reply(answer.reply));
  section.append(
    element("h3", "Слова"),
    words,
    table,
    element("h3", "Решение"),
    element("p", decision(answer), "decision"),
    element("h3", "Что увидит гражданин"),
    shown,
  );
  return section;
}

/** Content staff see the drafts' knowledge base beside the published one. */
let withDrafts = false;

async function ask(event) {
  event.preventDefault();
  const text = $("question").value;
  if (!text.trim()) return;
  const [published, drafted] = await Promise.all([
    api("/api/try", { text }),
    withDrafts ? api("/api/content/try", { text }) : undefined,
  ]);
  $("results").classList.toggle("side-by-side", withDrafts);
  $("results").replaceChildren(
    side(withDrafts ? "Опубликовано" : "Результат", published),
    ...(drafted ? [side("Черновик", drafted)] : []),
  );
}

async function start() {
  me = await signedInMember(api);
  if (!me) return;
  withDrafts = me.role !== "operator" && me.role !== "supervisor";
  $("try-form").addEventListener("submit", ask);
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) ask(event);
  });
  $("question").focus();
}

start();
