// The content studio: the intents, an intent's editor (titles, topic,
// links, follow-ups, the answers with the directory's references offered as
// you type and a live preview, examples added, removed and moved), a new
// intent's form, the directory, drafts, and (for publishers) publishing and
// restoring. Everything goes in with textContent.
import { createApi, signedInMember, toast } from "/static/api.js";
import { showDirectory } from "/static/content-directory.js";
import {
  field,
  followUpsEditor,
  linksEditor,
  offerReferences,
  showChanged,
  showIssues as showFieldIssues,
  warningText,
} from "/static/content-forms.js";
import { showNewIntent } from "/static/content-new.js";
import { telegramHtml } from "/static/telegram-html.js";

const $ = (id) => document.getElementById(id);
let me;
const api = createApi(() => me?.csrfToken);
let intents = [];
let topics = [];
let open; // { id, version, references, links, followUps }

/** Shows one of the studio's views: an intent's editor, the new intent form, the directory. */
function showView(view) {
  $("editor").hidden = view !== "editor";
  $("new-intent").hidden = view !== "new";
  $("directory").hidden = view !== "directory";
  $("conflict").hidden = true;
}

/** What the views share with this page: the API, the toast, the intents, and opening one. */
const studio = {
  api: (...args) => api(...args),
  toast: (text) => toast(text),
  intents: () => intents,
  topics: () => topics,
  openIntent: (id) => openIntent(id),
  loadIntents: () => loadIntents(),
};

function renderIntents() {
  const filter = $("filter").value.trim().toLowerCase();
  $("intents").replaceChildren(
    ...intents
      .filter((i) => !filter || `${i.title} ${i.id}`.toLowerCase().includes(filter))
      .map((intent) => {
        const item = document.createElement("li");
        item.tabIndex = 0;
        item.dataset.id = intent.id;
        item.setAttribute("aria-current", String(intent.id === open?.id));
        item.textContent = `${intent.title} (${intent.id})${intent.draft ? ` · черновик: ${intent.draft.by ?? "?"}` : ""}`;
        item.addEventListener("click", () => openIntent(intent.id));
        item.addEventListener("keydown", (event) => {
          if (event.key === "Enter") openIntent(intent.id);
        });
        return item;
      }),
  );
}

async function loadIntents() {
  const answer = await api("/api/content/intents");
  if (!answer.ok) return;
  intents = answer.intents;
  topics = answer.topics;
  renderIntents();
}

function showPreview(preview) {
  $("preview-area").hidden = !preview;
  if (preview) $("preview").replaceChildren(telegramHtml(preview.ru));
}

function showIssues(issues) {
  const at = { "answer.ru": "", "answer.en": "" };
  const other = [];
  for (const issue of issues) {
    if (issue.field in at) at[issue.field] += `${issue.message}. `;
    else other.push(`${issue.field}: ${issue.message}`);
  }
  $("answer-ru-error").textContent = at["answer.ru"];
  $("answer-en-error").textContent = at["answer.en"];
  $("other-errors").textContent = other.join("; ");
  $("answer-ru").setAttribute("aria-invalid", String(at["answer.ru"] !== ""));
  $("answer-en").setAttribute("aria-invalid", String(at["answer.en"] !== ""));
}

async function openIntent(id) {
  const answer = await api(`/api/content/intents/${id}`);
  if (!answer.ok) return toast("Тема не найдена.");
  showView("editor");
  open = { id, version: answer.version, references: answer.references };
  showFields(answer);
  $("intent-title").textContent = `${answer.title} (${answer.id})`;
  $("draft-state").textContent = answer.draftBy
    ? `Черновик: ${answer.draftBy.by ?? "?"}, ${new Date(answer.draftBy.at).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" })} (мск). Опубликованный ответ виден гражданам, пока черновик не опубликован.`
    : "Опубликовано; черновика нет.";
  const text = answer.draft ?? answer.published ?? { ru: "", en: "" };
  $("answer-ru").value = text.ru.trimEnd();
  $("answer-en").value = text.en.trimEnd();
  $("answer-form").hidden = false;
  showExamples(answer.examples);
  showIssues([]);
  showPreview(answer.preview);
  renderIntents();
}

let previewing;
function previewSoon() {
  clearTimeout(previewing);
  previewing = setTimeout(async () => {
    if (!open) return;
    const answer = await api(`/api/content/intents/${open.id}/preview`, {
      ru: $("answer-ru").value,
      en: $("answer-en").value,
    });
    if (!answer.ok) return;
    showIssues(answer.issues);
    if (answer.preview) showPreview(answer.preview);
  }, 300);
}

/** The title, topic, escalation, links and follow-ups of the open intent, in their form. */
function showFields(answer) {
  const { fields } = answer;
  const title = (language, label) =>
    field(`edit-title-${language}`, label, { value: fields.title[language] });
  const topic = field("edit-topic", "Раздел меню", {
    kind: "select",
    choices: answer.topics.map((t) => [t, t]),
  });
  topic.input.value = fields.topic;
  const escalate = document.createElement("div");
  escalate.className = "field";
  const box = Object.assign(document.createElement("input"), {
    type: "checkbox",
    id: "edit-escalate",
    checked: fields.escalate,
  });
  const label = Object.assign(document.createElement("label"), {
    htmlFor: "edit-escalate",
    textContent: "Ответив, передать оператору (только для operator.request)",
  });
  escalate.append(box, label);
  open.links = linksEditor("edit", fields.links);
  const others = intents.filter((i) => i.id !== open.id);
  open.followUps = followUpsEditor("edit", fields.follow_up, others);
  $("edit-fields").replaceChildren(
    title("ru", "Название по-русски").wrap,
    title("en", "Название по-английски").wrap,
    topic.wrap,
    escalate,
    open.links.element,
    open.followUps.element,
  );
  $("fields-form").hidden = false;
  $("move-to").replaceChildren(
    new Option("— выберите тему —", ""),
    ...others.map((i) => new Option(`${i.title} (${i.id})`, i.id)),
  );
}

/**
 * After a save: the intent shown again as saved, and only then `said`. Said
 * before, an editor (or a test) would type into fields the reload was
 * about to replace.
 */
async function reopened(said) {
  await loadIntents();
  await openIntent(open.id);
  toast(said);
}

async function saveFields(event) {
  event.preventDefault();
  if (!open) return;
  const answer = await api(`/api/content/intents/${open.id}/fields`, {
    title: { ru: $("edit-title-ru").value, en: $("edit-title-en").value },
    topic: $("edit-topic").value,
    escalate: $("edit-escalate").checked,
    links: open.links.get(),
    follow_up: open.followUps.get(),
    version: open.version,
  });
  if (answer.error === "changed") return showChanged(answer, () => openIntent(open.id));
  if (answer.error === "invalid") {
    showFieldIssues($("fields-form"), "edit", answer.issues, $("edit-other-error"));
    return toast("Черновик не сохранён: исправьте отмеченное.");
  }
  if (!answer.ok) return toast("Не удалось сохранить.");
  await reopened("Черновик сохранён.");
}

async function save(event) {
  event.preventDefault();
  if (!open) return;
  const answer = await api(`/api/content/intents/${open.id}/answer`, {
    ru: $("answer-ru").value,
    en: $("answer-en").value,
    version: open.version,
  });
  if (answer.error === "changed") return showChanged(answer, () => openIntent(open.id));
  if (answer.error === "invalid") {
    showIssues(answer.issues);
    return toast("Черновик не сохранён: исправьте отмеченное.");
  }
  if (!answer.ok) return toast("Не удалось сохранить.");
  open.version = answer.version;
  showIssues([]);
  showPreview(answer.preview);
  await reopened("Черновик сохранён.");
}

function showExamples(examples) {
  $("examples-area").hidden = false;
  $("examples-error").textContent = "";
  $("examples-confirm").hidden = true;
  for (const language of ["ru", "en"]) {
    $(`examples-${language}`).replaceChildren(
      ...examples[language].map((example) => {
        const item = document.createElement("li");
        item.textContent = `${example} `;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = `Убрать: ${example}`;
        remove.className = "quiet";
        remove.addEventListener("click", () => changeExample("remove", language, example));
        const move = document.createElement("button");
        move.type = "button";
        move.textContent = `Перенести: ${example}`;
        move.className = "quiet";
        move.addEventListener("click", () => changeExample("move", language, example));
        item.append(remove, " ", move);
        return item;
      }),
    );
  }
}

/**
 * Adds, removes or moves an example. An addition or a move is checked
 * first: the lint's warnings (near another intent's example, closer to
 * another intent) are shown before anything is saved, and saving them is
 * the editor's choice.
 */
async function changeExample(change, language, example) {
  if (!open || !example.trim()) return;
  const to = $("move-to").value;
  if (change === "move" && !to) {
    $("examples-error").textContent = "Выберите тему, в которую перенести пример.";
    return $("move-to").focus();
  }
  const body = { change, language, example, version: open.version, ...(to ? { to } : {}) };
  if (change !== "remove") {
    const checked = await api(`/api/content/intents/${open.id}/examples`, { ...body, check: true });
    if (!said(checked)) return;
    if (checked.warnings.length > 0) {
      $("examples-error").textContent = warningText(checked.warnings);
      $("examples-confirm").hidden = false;
      $("examples-confirm-yes").onclick = () => saveExample(body);
      $("examples-confirm-no").onclick = () => {
        $("examples-confirm").hidden = true;
        $("examples-error").textContent = "";
      };
      return $("examples-confirm-yes").focus();
    }
  }
  await saveExample(body);
}

/** Whether an examples request went through; if not, the page says why. */
function said(answer) {
  if (answer.error === "changed") {
    showChanged(answer, () => openIntent(open.id));
    return false;
  }
  if (answer.error === "invalid") {
    $("examples-error").textContent = answer.issues.map((i) => i.message).join("; ");
    return false;
  }
  if (!answer.ok) toast("Не удалось сохранить.");
  return answer.ok;
}

async function saveExample(body) {
  $("examples-confirm").hidden = true;
  const answer = await api(`/api/content/intents/${open.id}/examples`, body);
  if (!said(answer)) return;
  if (body.change === "add") $("example-new").value = "";
  await reopened(
    { add: "Пример добавлен в черновик.", remove: "Пример убран из черновика." }[body.change] ??
      `Пример перенесён в ${body.to} (черновики обеих тем).`,
  );
  // Said after the reload, which clears the field's messages.
  if (answer.warnings.length) $("examples-error").textContent = warningText(answer.warnings);
}

function figureLine(name, before, after) {
  const p = (x) => `${(x * 100).toFixed(1)}%`;
  const item = document.createElement("li");
  item.textContent = `${name}: ${p(before)} → ${p(after)}`;
  return item;
}

async function checkPublish() {
  const plan = await api("/api/content/publish");
  if (!plan.ok) return toast("Не удалось проверить.");
  const parts = [];
  const files = document.createElement("p");
  files.textContent = plan.files.length
    ? `Изменятся файлы: ${plan.files.join(", ")}.`
    : "Черновиков нет: публиковать нечего.";
  parts.push(files);
  if (plan.issues.length) {
    const issues = document.createElement("p");
    issues.className = "field-error";
    issues.textContent = `Есть ошибки: ${plan.issues.map((i) => `${i.file}: ${i.field}: ${i.message}`).join("; ")}`;
    parts.push(issues);
  }
  if (plan.before) {
    const list = document.createElement("ul");
    list.setAttribute("aria-label", "Проверка на вопросах для разработки: до → после");
    list.append(
      figureLine("верных ответов", plan.before.accuracy, plan.after.accuracy),
      figureLine("неверных ответов", plan.before.wrongAnswerRate, plan.after.wrongAnswerRate),
      figureLine(
        "вопросов не по теме передано оператору",
        plan.before.outOfScopeEscalation,
        plan.after.outOfScopeEscalation,
      ),
    );
    parts.push(list);
    const changed = document.createElement("ul");
    changed.setAttribute("aria-label", "Вопросы, ответ на которые изменится");
    for (const q of plan.answersChanged) {
      const item = document.createElement("li");
      item.textContent = `«${q.text}»: было ${q.before}, станет ${q.after} (нужно ${q.expected ?? "оператор"})`;
      changed.append(item);
    }
    const title = document.createElement("p");
    title.textContent = plan.answersChanged.length
      ? `Изменится ответ на ${plan.answersChanged.length} вопрос(ов):`
      : "Ни один ответ на вопросы для разработки не изменится.";
    parts.push(title, changed);
  }
  $("publish-plan").replaceChildren(...parts);
  $("publish").hidden = plan.files.length === 0 || plan.issues.length > 0;
}

async function publish() {
  const answer = await api("/api/content/publish", {});
  if (!answer.ok) return toast("Не опубликовано: проверьте ещё раз.");
  toast(`Опубликовано (№${answer.publication}); боты перечитывают базу знаний.`);
  $("publish").hidden = true;
  $("publish-plan").replaceChildren();
  await Promise.all([loadIntents(), loadHistory()]);
  if (open) await openIntent(open.id);
}

async function loadHistory() {
  const answer = await api("/api/content/publications");
  if (!answer.ok) return;
  $("history").replaceChildren(
    ...answer.publications.map((p) => {
      const item = document.createElement("li");
      const when = new Date(p.at).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" });
      item.textContent = `№${p.id}, ${when} (мск), ${p.by ?? "?"}: ${p.files.join(", ")}${p.restores ? ` (восстановлено как до №${p.restores})` : ""}`;
      // What it changed, and its restore, on the history page.
      const changes = document.createElement("a");
      changes.href = `/content/history#p${p.id}`;
      changes.textContent = me.role === "publisher" ? "изменения и возврат" : "изменения";
      item.append(" — ", changes);
      return item;
    }),
  );
}

async function start() {
  me = await signedInMember(api);
  if (!me) return;
  const publisher = me.role === "publisher";
  $("incidents-link").hidden = !publisher;
  $("publish-note").textContent = publisher
    ? "Черновики всех редакторов публикуются вместе, после проверки всей базы знаний."
    : "Публикует публикатор; ваши черновики видны ему.";
  $("check-publish").hidden = !publisher;
  $("check-publish").addEventListener("click", checkPublish);
  $("publish").addEventListener("click", publish);
  $("filter").addEventListener("input", renderIntents);
  $("answer-form").addEventListener("submit", save);
  $("fields-form").addEventListener("submit", saveFields);
  $("new-intent-open").addEventListener("click", async () => {
    showView("new");
    await showNewIntent(studio);
  });
  $("directory-open").addEventListener("click", async () => {
    showView("directory");
    await showDirectory(studio);
  });
  const addExample = () =>
    changeExample("add", $("example-language").value, $("example-new").value.trim());
  $("example-add").addEventListener("click", addExample);
  $("example-new").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addExample();
    }
  });
  $("discard").addEventListener("click", async () => {
    if (!open) return;
    await api(`/api/content/intents/${open.id}/discard`, {});
    await loadIntents();
    await openIntent(open.id);
  });
  for (const answer of [$("answer-ru"), $("answer-en")]) {
    offerReferences(
      answer,
      $("references-area"),
      $("references"),
      () => open?.references ?? [],
      previewSoon,
    );
    answer.addEventListener("input", previewSoon);
  }
  await Promise.all([loadIntents(), loadHistory()]);
}

start();
