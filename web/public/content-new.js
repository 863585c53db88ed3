// The studio's "new intent" form: id, topic, titles, answers (references
// offered as you type), examples one a line (how many are still needed said
// at each list), links, follow-ups; checked first (the lint's warnings
// shown before saving), then kept as a new file's draft.
import {
  el,
  field,
  followUpsEditor,
  linksEditor,
  offerReferences,
  showIssues,
  warningText,
} from "/static/content-forms.js";

const $ = (id) => document.getElementById(id);
const NEEDED = { ru: 25, en: 8 };

/** The lines of a textarea that are examples (not blank). */
const linesOf = (textarea) =>
  textarea.value
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/** Shows the new intent form, empty; `studio` is what the page shares. */
export async function showNewIntent(studio) {
  const directory = await studio.api("/api/content/directory");
  const references = directory.ok ? directory.references : [];
  const form = $("new-intent-form");
  const parts = {
    id: field("new-id", "Идентификатор новой темы", {
      hint: "группа.имя латиницей, как имя файла: например contacts.fax",
    }),
    topic: field("new-topic", "Раздел меню новой темы", {
      kind: "select",
      choices: studio.topics().map((t) => [t, t]),
    }),
    about: field("new-about", "О чём тема (комментарий в начале файла)"),
    titleRu: field("new-title-ru", "Название новой темы по-русски"),
    titleEn: field("new-title-en", "Название новой темы по-английски"),
    answerRu: field("new-answer-ru", "Ответ новой темы по-русски", { kind: "textarea", rows: 6 }),
    answerEn: field("new-answer-en", "Ответ новой темы по-английски", {
      kind: "textarea",
      rows: 6,
    }),
    examplesRu: examplesField("ru", "Примеры вопросов по-русски, по одному в строке"),
    examplesEn: examplesField("en", "Примеры вопросов по-английски, по одному в строке"),
  };
  const area = el("div", "", { id: "new-references-area", class: "references", hidden: "" });
  const list = el("ul", "", { id: "new-references", class: "kb-answers" });
  area.append(el("span", "Справочник (↓ — к списку, Esc — скрыть):"), list);
  for (const answer of [parts.answerRu.input, parts.answerEn.input]) {
    offerReferences(answer, area, list, () => references);
  }
  const links = linksEditor("new", []);
  const followUps = followUpsEditor("new", [], studio.intents());
  $("new-fields").replaceChildren(
    parts.id.wrap,
    parts.topic.wrap,
    parts.about.wrap,
    parts.titleRu.wrap,
    parts.titleEn.wrap,
    parts.answerRu.wrap,
    parts.answerEn.wrap,
    area,
    parts.examplesRu.wrap,
    parts.examplesEn.wrap,
    links.element,
    followUps.element,
  );
  const body = () => ({
    id: parts.id.input.value.trim(),
    topic: parts.topic.input.value,
    about: parts.about.input.value,
    title: { ru: parts.titleRu.input.value, en: parts.titleEn.input.value },
    answer: { ru: parts.answerRu.input.value, en: parts.answerEn.input.value },
    examples: { ru: linesOf(parts.examplesRu.input), en: linesOf(parts.examplesEn.input) },
    links: links.get(),
    follow_up: followUps.get(),
  });
  /** Sends the form (only checking it, or saving it); says what is wrong at its field. */
  const send = async (check) => {
    const answer = await studio.api("/api/content/intents", { ...body(), check });
    if (answer.error === "invalid") {
      showIssues(form, "new", answer.issues, $("new-other-error"));
      studio.toast("Черновик не сохранён: исправьте отмеченное.");
      return undefined;
    }
    if (answer.error === "changed") {
      studio.toast("Эту тему только что создал другой редактор: выберите её в списке.");
      return undefined;
    }
    if (!answer.ok) return studio.toast("Не удалось сохранить.");
    showIssues(form, "new", [], $("new-other-error"));
    if (answer.warnings.length) $("new-other-error").textContent = warningText(answer.warnings);
    return answer;
  };
  $("new-intent-check").onclick = async () => {
    const checked = await send(true);
    if (checked && !checked.warnings.length) studio.toast("Ошибок нет: можно создавать.");
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    const created = await send(false);
    if (!created) return;
    await studio.loadIntents();
    await studio.openIntent(created.id);
    studio.toast(`Тема ${created.id} создана (черновик).`);
  };
  parts.id.input.focus();
}

/** A textarea of examples one a line, with how many more the schema asks for said beside it. */
function examplesField(language, label) {
  const part = field(`new-examples-${language}`, label, {
    kind: "textarea",
    rows: 8,
    hint: " ",
  });
  const hint = part.wrap.querySelector(".hint");
  hint.setAttribute("aria-live", "polite");
  const count = () => {
    const have = linesOf(part.input).length;
    const more = NEEDED[language] - have;
    hint.textContent =
      more > 0
        ? `${have} из ${NEEDED[language]}: нужно ещё ${more}.`
        : `${have}: достаточно (нужно не меньше ${NEEDED[language]}).`;
  };
  part.input.addEventListener("input", count);
  count();
  return part;
}
