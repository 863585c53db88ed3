// The content studio: the intents, an answer's editor with the directory's
// references offered as you type and a live preview, drafts, and (for
// publishers) publishing and restoring. Everything goes in with textContent.
import { createApi, ROLE_NAMES } from "/static/api.js";
import { telegramHtml } from "/static/telegram-html.js";

const $ = (id) => document.getElementById(id);
let me;
const api = createApi(() => me?.csrfToken);
let intents = [];
let open; // { id, version, references }

function toast(text) {
  $("toast").textContent = text;
}

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
  open = { id, version: answer.version, references: answer.references };
  $("intent-title").textContent = `${answer.title} (${answer.id})`;
  $("draft-state").textContent = answer.draftBy
    ? `Черновик: ${answer.draftBy.by ?? "?"}, ${new Date(answer.draftBy.at).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" })} (мск). Опубликованный ответ виден гражданам, пока черновик не опубликован.`
    : "Опубликовано; черновика нет.";
  const text = answer.draft ?? answer.published;
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

/** The `{{partial` just before the cursor, if the editor is typing a reference. */
function referenceTyped(field) {
  const before = field.value.slice(0, field.selectionStart);
  const match = /\{\{([a-z._]*)$/.exec(before);
  return match ? { start: before.length - match[0].length, partial: match[1] } : undefined;
}

function offerReferences(field) {
  const typed = referenceTyped(field);
  const matching = typed
    ? open.references.filter((r) => r.slice(2).startsWith(typed.partial)).slice(0, 8)
    : [];
  $("references-area").hidden = matching.length === 0;
  $("references").replaceChildren(
    ...matching.map((reference) => {
      const item = document.createElement("li");
      const insert = document.createElement("button");
      insert.type = "button";
      insert.textContent = reference;
      insert.addEventListener("click", () => {
        const now = referenceTyped(field) ?? { start: field.selectionStart, partial: "" };
        const end = now.start + 2 + now.partial.length;
        field.value = `${field.value.slice(0, now.start)}${reference}${field.value.slice(end)}`;
        field.focus();
        field.selectionStart = field.selectionEnd = now.start + reference.length;
        $("references-area").hidden = true;
        previewSoon();
      });
      item.append(insert);
      return item;
    }),
  );
}

async function save(event) {
  event.preventDefault();
  if (!open) return;
  const answer = await api(`/api/content/intents/${open.id}/answer`, {
    ru: $("answer-ru").value,
    en: $("answer-en").value,
    version: open.version,
  });
  if (answer.error === "changed") {
    return toast(
      `Тему уже изменил(а) ${answer.by?.by ?? "другой редактор"}: откройте её заново, чтобы не затереть чужую правку.`,
    );
  }
  if (answer.error === "invalid") {
    showIssues(answer.issues);
    return toast("Черновик не сохранён: исправьте отмеченное.");
  }
  if (!answer.ok) return toast("Не удалось сохранить.");
  open.version = answer.version;
  showIssues([]);
  showPreview(answer.preview);
  toast("Черновик сохранён.");
  await loadIntents();
  await openIntent(open.id);
}

function showExamples(examples) {
  $("examples-area").hidden = false;
  $("examples-error").textContent = "";
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
        item.append(remove);
        return item;
      }),
    );
  }
}

async function changeExample(change, language, example) {
  if (!open || !example.trim()) return;
  const answer = await api(`/api/content/intents/${open.id}/examples`, {
    change,
    language,
    example,
    version: open.version,
  });
  if (answer.error === "changed") {
    return toast(
      `Тему уже изменил(а) ${answer.by?.by ?? "другой редактор"}: откройте её заново, чтобы не затереть чужую правку.`,
    );
  }
  if (answer.error === "invalid") {
    $("examples-error").textContent = answer.issues.map((i) => i.message).join("; ");
    return;
  }
  if (!answer.ok) return toast("Не удалось сохранить.");
  if (change === "add") $("example-new").value = "";
  toast(change === "add" ? "Пример добавлен в черновик." : "Пример убран из черновика.");
  await loadIntents();
  await openIntent(open.id);
  // Said after the reload, which clears the field's messages.
  if (answer.warnings.length) {
    $("examples-error").textContent =
      `Внимание: ${answer.warnings.map((w) => w.message).join("; ")}`;
  }
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
      if (me.role === "publisher") {
        const restore = document.createElement("button");
        restore.type = "button";
        restore.textContent = `Вернуть как было до №${p.id}`;
        restore.addEventListener("click", async () => {
          if (!confirm(`Вернуть файлы как до публикации №${p.id}?`)) return;
          const done = await api(`/api/content/publications/${p.id}/restore`, {});
          if (!done.ok) return toast("Не удалось восстановить.");
          toast(`Восстановлено (№${done.publication}).`);
          await Promise.all([loadIntents(), loadHistory()]);
          if (open) await openIntent(open.id);
        });
        item.append(" ", restore);
      }
      return item;
    }),
  );
}

async function start() {
  me = await api("/api/me");
  if (!me.ok) return;
  if (me.mustSetUpTotp) return location.assign("/");
  $("who").textContent = `${me.name} (${ROLE_NAMES[me.role]})`;
  $("sign-out").addEventListener("click", async () => {
    await api("/api/sign-out", {});
    location.assign("/sign-in");
  });
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
  for (const field of [$("answer-ru"), $("answer-en")]) {
    field.addEventListener("input", () => {
      offerReferences(field);
      previewSoon();
    });
  }
  await Promise.all([loadIntents(), loadHistory()]);
}

start();
