// What went unanswered: clusters of similar questions to add as examples to
// an intent's draft, call a new topic or ignore (and undo), and operators'
// suggestions to accept or reject. Everything goes in with textContent.
import { createApi, signedInMember, toast } from "/static/api.js";

const $ = (id) => document.getElementById(id);
let me;
const api = createApi(() => me?.csrfToken);
let intents = [];

const REASONS = { escalated: "передано оператору", clarified: "переспросил", unhelpful: "👎" };
const KINDS = { added: "добавлено в тему", new_topic: "новая тема", ignored: "не учитывать" };
const STATES = { pending: "ждёт решения", accepted: "принято", rejected: "отклонено" };
const moscow = (ms) =>
  new Date(ms).toLocaleString("ru-RU", {
    timeZone: "Europe/Moscow",
    dateStyle: "short",
    timeStyle: "short",
  });

/** Says `text` in `field` (a problem of one cluster). */
function say(field, text) {
  field.textContent = text;
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A select of every intent, `chosen` first selected. */
function intentSelect(id, chosen) {
  const select = element("select", undefined, { id });
  select.append(element("option", "— выберите тему —", { value: "" }));
  for (const intent of intents) {
    const option = element("option", `${intent.title} (${intent.id})`, { value: intent.id });
    if (intent.id === chosen) option.selected = true;
    select.append(option);
  }
  return select;
}

/** What a refusal says, with the problems at their fields. */
function refusal(answer) {
  const issues = (answer.issues ?? []).map((i) => `${i.field}: ${i.message}`).join("; ");
  const said = {
    changed: "Черновик темы только что изменил другой редактор: обновите страницу.",
    no_words: "В выбранных вопросах нет слов для примера.",
    no_questions: "Эти вопросы уже кто-то разобрал: обновите страницу.",
    unknown_intent: "Такой темы нет.",
    new_topic: "Оператор отметил новую тему: выберите тему для примера.",
    decided_meanwhile: "Предложение уже решено другим редактором.",
    invalid: `Не сохранено: ${issues}`,
  };
  return said[answer.error] ?? `Не получилось (${answer.error}).`;
}

function clusterItem(cluster, index) {
  const item = element("li");
  const heading = `Группа ${index + 1}: вопросов ${cluster.count}`;
  const reasons = Object.entries(cluster.reasons)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${REASONS[reason]}: ${n}`)
    .join(", ");
  item.append(element("h3", `${heading} — ${reasons}`));
  item.append(
    element(
      "p",
      cluster.noWords
        ? "Без слов: эмодзи, знаки или одни служебные слова."
        : cluster.nearest
          ? `Ближайшая тема: ${cluster.nearest.title ?? cluster.nearest.intent} (${cluster.nearest.intent}), лучший кандидат для ${Math.round(cluster.nearest.share * 100)}% вопросов.`
          : "Ни одна тема не близка: возможно, новая тема.",
    ),
  );
  item.append(
    element(
      "p",
      `Впервые ${moscow(cluster.firstSeen)}, последний ${moscow(cluster.lastSeen)} (мск).`,
    ),
  );
  const box = element("fieldset");
  box.append(element("legend", "Формулировки"));
  cluster.wordings.forEach((wording, w) => {
    const id = `c${index}-w${w}`;
    const check = element("input", undefined, { type: "checkbox", id });
    check.checked = !cluster.noWords;
    check.dataset.index = String(w);
    const label = element(
      "label",
      ` «${wording.text}»${wording.count > 1 ? ` ×${wording.count}` : ""}${wording.language === "en" ? " (англ.)" : ""}`,
      { for: id },
    );
    label.prepend(check);
    box.append(label);
  });
  if (cluster.moreWordings > 0) {
    box.append(element("p", `И ещё ${cluster.moreWordings} формулировок того же смысла.`));
  }
  item.append(box);
  const error = element("p", "", { class: "field-error", role: "alert", id: `c${index}-error` });
  const select = intentSelect(`c${index}-intent`, cluster.nearest?.intent);
  select.setAttribute("aria-describedby", error.id);
  item.append(element("label", "Добавить примерами в тему", { for: select.id }), select);
  const chosen = () =>
    [...box.querySelectorAll("input:checked")].map(
      (c) => cluster.wordings[Number(c.dataset.index)],
    );
  const add = element("button", "Добавить примерами", { type: "button" });
  add.addEventListener("click", async () => {
    const wordings = chosen();
    if (!select.value) return say(error, "Выберите тему.");
    if (wordings.length === 0) return say(error, "Отметьте хотя бы одну формулировку.");
    const answer = await api("/api/content/unanswered/decisions", {
      kind: "added",
      days: Number($("days").value),
      intent: select.value,
      wordings: wordings.map((w) => w.id),
    });
    if (!answer.ok) return say(error, refusal(answer));
    const warnings = answer.warnings.map((w) => `${w.field}: ${w.message}`).join("; ");
    toast(
      `Добавлено в черновик темы ${select.value}: ${answer.added.length} пример(ов).${warnings ? ` Предупреждения: ${warnings}` : ""}`,
    );
    await load();
  });
  const decide = (kind, label) => {
    const button = element("button", label, { type: "button" });
    button.addEventListener("click", async () => {
      // The cluster is named by one of its questions; the server takes all of them.
      const answer = await api("/api/content/unanswered/decisions", {
        kind,
        days: Number($("days").value),
        cluster: cluster.wordings[0].id,
      });
      if (!answer.ok) return say(error, refusal(answer));
      toast(`Группа ${index + 1}: ${KINDS[kind]}.`);
      await load();
    });
    return button;
  };
  item.append(add, decide("new_topic", "Новая тема"), decide("ignored", "Не учитывать"), error);
  return item;
}

function decisionItem(decision) {
  const item = element("li");
  const what =
    decision.kind === "added"
      ? `${KINDS.added} ${decision.title ?? decision.intent}: ${decision.examples.length} пример(ов)`
      : KINDS[decision.kind];
  item.append(
    `${what}; вопросов: ${decision.questions}; ${decision.by ?? "?"}, ${moscow(decision.at)}`,
  );
  if (decision.undoneAt) {
    item.append(`; отменено: ${decision.undoneBy ?? "?"}, ${moscow(decision.undoneAt)}`);
    return item;
  }
  const undo = element("button", "Отменить", { type: "button", class: "quiet" });
  undo.addEventListener("click", async () => {
    const answer = await api(`/api/content/unanswered/decisions/${decision.id}/undo`, {});
    if (!answer.ok) return toast(refusal(answer));
    toast(
      answer.removed ? `Отменено; примеров убрано из черновика: ${answer.removed}.` : "Отменено.",
    );
    await load();
  });
  item.append(" ", undo);
  return item;
}

function suggestionRow(s) {
  const row = element("tr");
  row.append(element("td", moscow(s.at)));
  row.append(element("td", s.question ?? "(удалён по сроку хранения)"));
  row.append(element("td", s.operator ?? "?"));
  const cell = element("td");
  const decisionCell = element("td");
  if (s.state !== "pending") {
    cell.textContent = s.intent ? `${s.title ?? s.intent} (${s.intent})` : "новая тема";
    decisionCell.textContent = `${STATES[s.state]}${s.decidedAt ? `, ${moscow(s.decidedAt)}` : ""}`;
    row.append(cell, decisionCell);
    return row;
  }
  const select = intentSelect(`s${s.id}-intent`, s.intent);
  select.setAttribute("aria-label", `Тема для вопроса предложения ${s.id}`);
  cell.append(select);
  if (!s.intent) cell.append(element("p", "Оператор: новая тема"));
  const accept = element("button", "Принять", { type: "button" });
  accept.addEventListener("click", async () => {
    if (!select.value) return toast("Выберите тему.");
    const answer = await api(`/api/content/suggestions/${s.id}/accept`, { intent: select.value });
    if (!answer.ok) return toast(refusal(answer));
    toast(`Принято: пример добавлен в черновик темы ${select.value}.`);
    await loadSuggestions();
  });
  const reject = element("button", "Отклонить", { type: "button", class: "quiet" });
  reject.addEventListener("click", async () => {
    const answer = await api(`/api/content/suggestions/${s.id}/reject`, {});
    if (!answer.ok) return toast(refusal(answer));
    toast("Отклонено.");
    await loadSuggestions();
  });
  decisionCell.append(accept, " ", reject);
  row.append(cell, decisionCell);
  return row;
}

function emptyRow(text) {
  const row = element("tr");
  row.append(element("td", text, { colspan: "5" }));
  return row;
}

async function load() {
  const answer = await api(`/api/content/unanswered?days=${$("days").value}`);
  if (!answer.ok) return;
  const notes = [
    answer.erased ? `${answer.erased} удалены по сроку хранения` : "",
    answer.unmatchedFeedback ? `${answer.unmatchedFeedback} 👎 без вопроса` : "",
  ].filter(Boolean);
  $("unanswered-summary").textContent =
    answer.clusters.length === 0
      ? "Неразобранных вопросов нет."
      : `Неразобранных вопросов: ${answer.questions}, групп: ${answer.clusters.length}${notes.length ? ` (${notes.join(", ")})` : ""}.`;
  $("clusters").replaceChildren(...answer.clusters.map(clusterItem));
  $("decisions").replaceChildren(
    ...(answer.decisions.length
      ? answer.decisions.map(decisionItem)
      : [element("li", "Пока нет.")]),
  );
}

async function loadSuggestions() {
  const all = $("all-suggestions").checked ? "1" : "0";
  const answer = await api(`/api/content/suggestions?all=${all}`);
  if (!answer.ok) return;
  $("suggestions").replaceChildren(
    ...(answer.suggestions.length
      ? answer.suggestions.map(suggestionRow)
      : [emptyRow("Предложений нет.")]),
  );
}

async function start() {
  me = await signedInMember(api);
  if (!me) return;
  const list = await api("/api/content/intents");
  intents = list.ok ? list.intents : [];
  $("days").addEventListener("change", load);
  $("all-suggestions").addEventListener("change", loadSuggestions);
  await Promise.all([load(), loadSuggestions()]);
}

start();
