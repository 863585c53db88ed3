// The incidents page: what is broken now and what was, and (for supervisors
// and publishers) posting, updating and ending an incident. Staff's words
// go in with textContent, never as markup.
import { createApi, signedInMember, toast } from "/static/api.js";

const $ = (id) => document.getElementById(id);
let me;
const api = createApi(() => me?.csrfToken);
let intents = [];
let editing; // the incident being updated, or undefined for a new one
let mayChange = false;

const MOSCOW_MS = 3 * 3_600_000;
const moscow = (at) =>
  new Date(at).toLocaleString("ru-RU", {
    timeZone: "Europe/Moscow",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  });
/** A datetime-local value read as Moscow time (the console says every time in it). */
const fromMoscowInput = (value) => (value ? Date.parse(`${value}:00+03:00`) : undefined);
const toMoscowInput = (at) => new Date(at + MOSCOW_MS).toISOString().slice(0, 16);

const FIELDS = {
  noticeRu: "notice-ru",
  noticeEn: "notice-en",
  broken: "broken",
  since: "since",
  expectedFix: "expected-fix",
  intents: "intents",
};
const REFUSALS = {
  not_your_role: "Объявлять сбои могут супервизоры и публикаторы.",
  ended: "Этот сбой уже завершён.",
  not_found: "Такого сбоя нет.",
  csrf: "Запрос отклонён: обновите страницу.",
};

function line(className, text) {
  const element = document.createElement("p");
  element.className = className;
  element.textContent = text;
  return element;
}

function incidentItem(incident) {
  const item = document.createElement("li");
  item.className = incident.endedAt === null ? "active" : "ended";
  item.dataset.id = String(incident.id);
  const when = [
    `с ${moscow(incident.since)}`,
    incident.expectedFix ? `исправим: ${incident.expectedFix}` : "",
    incident.endedAt === null
      ? ""
      : `завершён ${moscow(incident.endedAt)} (${incident.endedByName})`,
  ].filter(Boolean);
  item.append(
    line("notice", incident.noticeRu),
    ...(incident.noticeEn ? [line("incident-meta", `По-английски: ${incident.noticeEn}`)] : []),
    line("incident-meta", `Сломано: ${incident.broken}; ${when.join("; ")}.`),
    line("incident-meta", `Темы: ${incident.intents.map((i) => i.title).join(", ")}.`),
    line(
      "incident-meta",
      `Объявил(а) ${incident.postedByName}, ${moscow(incident.postedAt)}${
        incident.updatedAt !== incident.postedAt
          ? `; изменил(а) ${incident.updatedByName}, ${moscow(incident.updatedAt)}`
          : ""
      }.`,
    ),
  );
  if (mayChange && incident.endedAt === null) {
    const edit = document.createElement("button");
    edit.type = "button";
    edit.textContent = "Изменить";
    edit.setAttribute("aria-label", `Изменить сбой: ${incident.broken}`);
    edit.addEventListener("click", () => startEditing(incident));
    const end = document.createElement("button");
    end.type = "button";
    end.textContent = "Завершить";
    end.setAttribute("aria-label", `Завершить сбой: ${incident.broken}`);
    end.addEventListener("click", () => endIncident(incident));
    item.append(edit, " ", end);
  }
  return item;
}

function renderChoices(chosen = new Set()) {
  const filter = $("intent-filter").value.trim().toLowerCase();
  const checked = new Set([
    ...chosen,
    ...[...document.querySelectorAll("#intent-choices input:checked")].map((i) => i.value),
  ]);
  $("intent-choices").replaceChildren(
    ...intents.map((intent) => {
      const item = document.createElement("li");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `intent-${intent.id}`;
      box.value = intent.id;
      box.checked = checked.has(intent.id);
      const label = document.createElement("label");
      label.htmlFor = box.id;
      label.textContent = `${intent.title} (${intent.id})`;
      item.hidden = filter !== "" && !`${intent.title} ${intent.id}`.toLowerCase().includes(filter);
      item.append(box, label);
      return item;
    }),
  );
}

async function load(background = false) {
  const answer = await api("/api/incidents", undefined, background);
  if (!answer.ok) return;
  mayChange = answer.mayChange;
  $("active").replaceChildren(...answer.active.map(incidentItem));
  $("active-none").hidden = answer.active.length > 0;
  $("ended").replaceChildren(...answer.ended.map(incidentItem));
  $("ended-none").hidden = answer.ended.length > 0;
  $("form-area").hidden = !mayChange;
  if (intents.length === 0) {
    intents = answer.intents;
    renderChoices();
  }
}

function showIssues(issues) {
  const at = Object.fromEntries(Object.values(FIELDS).map((id) => [id, ""]));
  const other = [];
  for (const issue of issues) {
    const id = FIELDS[issue.field];
    if (id) at[id] += `${issue.message}. `;
    else other.push(issue.message);
  }
  for (const [id, text] of Object.entries(at)) {
    $(`${id}-error`).textContent = text;
    if (id !== "intents") $(id).setAttribute("aria-invalid", String(text !== ""));
  }
  $("other-error").textContent = other.join("; ");
}

function resetForm() {
  editing = undefined;
  $("incident-form").reset();
  $("form-title").textContent = "Объявить сбой";
  $("submit").textContent = "Объявить";
  $("cancel-edit").hidden = true;
  showIssues([]);
  renderChoices();
}

function startEditing(incident) {
  editing = incident;
  $("form-title").textContent = `Изменить сбой: ${incident.broken}`;
  $("submit").textContent = "Сохранить";
  $("cancel-edit").hidden = false;
  $("broken").value = incident.broken;
  $("notice-ru").value = incident.noticeRu;
  $("notice-en").value = incident.noticeEn ?? "";
  $("since").value = toMoscowInput(incident.since);
  $("expected-fix").value = incident.expectedFix ?? "";
  $("intent-filter").value = "";
  for (const box of document.querySelectorAll("#intent-choices input")) box.checked = false;
  renderChoices(new Set(incident.intents.map((i) => i.id)));
  showIssues([]);
  $("broken").focus();
}

async function submit(event) {
  event.preventDefault();
  const since = fromMoscowInput($("since").value);
  const body = {
    broken: $("broken").value,
    noticeRu: $("notice-ru").value,
    noticeEn: $("notice-en").value,
    expectedFix: $("expected-fix").value,
    intents: [...document.querySelectorAll("#intent-choices input:checked")].map((i) => i.value),
    ...(since === undefined ? {} : { since }),
  };
  const answer = await api(editing ? `/api/incidents/${editing.id}` : "/api/incidents", body);
  if (!answer.ok) {
    if (answer.error === "invalid") return showIssues(answer.issues);
    return toast(REFUSALS[answer.error] ?? "Не получилось. Попробуйте ещё раз.");
  }
  toast(
    editing
      ? "Сбой изменён: бот говорит новое объявление."
      : "Сбой объявлен: бот ставит объявление первым.",
  );
  resetForm();
  await load();
}

async function endIncident(incident) {
  const answer = await api(`/api/incidents/${incident.id}/end`, {});
  if (!answer.ok) toast(REFUSALS[answer.error] ?? "Не получилось. Попробуйте ещё раз.");
  else toast("Сбой завершён: бот больше не говорит о нём.");
  if (editing?.id === incident.id) resetForm();
  await load();
}

async function start() {
  me = await signedInMember(api);
  if (!me) return;
  $("incident-form").addEventListener("submit", submit);
  $("cancel-edit").addEventListener("click", resetForm);
  $("intent-filter").addEventListener("input", () => renderChoices());
  await load();
  // Another supervisor's change shows within the minute (nothing here is live).
  setInterval(() => load(true), 30_000);
}

start();
