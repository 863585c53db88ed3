// The studio's directory view: every phone, e-mail, channel, link and
// schedule with the intents that use it, each changed, renamed or removed
// on its own, a new one added to each group, and the holidays; each save a
// draft of _directory.yaml, its problem said at its field.
import { button, el, field, showChanged, showIssues } from "/static/content-forms.js";

const $ = (id) => document.getElementById(id);

/** Each group: its heading, and the fields of an entry (name in the file, label). */
const GROUPS = [
  [
    "phone",
    "Телефоны",
    [
      ["display", "Номер, как его показать"],
      ["note", "Примечание"],
    ],
  ],
  ["email", "Электронная почта", [["", "Адрес"]]],
  ["channel", "Каналы", [["", "Значение"]]],
  ["url", "Ссылки", [["", "Адрес (https://)"]]],
  [
    "schedule",
    "Расписания",
    [
      ["timezone", "Часовой пояс"],
      ["weekdays", "Будни (ЧЧ:ММ-ЧЧ:ММ или closed)"],
      ["saturday", "Суббота"],
      ["sunday", "Воскресенье"],
      ["holiday", "Праздники"],
    ],
  ],
];

let shown; // { version }

/** Shows the directory as its draft (or the published file) has it; `studio` is what the page shares. */
export async function showDirectory(studio) {
  const answer = await studio.api("/api/content/directory");
  if (!answer.ok) return studio.toast("Справочник не открылся.");
  shown = { version: answer.version };
  const { directory, usage } = answer;
  $("directory-state").textContent = answer.draftBy
    ? `Черновик: ${answer.draftBy.by ?? "?"}, ${new Date(answer.draftBy.at).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" })} (мск). Гражданам виден опубликованный справочник.`
    : "Опубликовано; черновика нет.";
  $("directory-discard").onclick = async () => {
    await studio.api("/api/content/directory/discard", {});
    await showDirectory(studio);
    studio.toast("Черновик справочника отменён.");
  };
  /** Saves one change; a new entry's problems are said at its form's fields (`as`: their prefix). */
  const save = async (form, body, done, as) => {
    const saved = await studio.api("/api/content/directory", { ...body, version: shown.version });
    if (saved.error === "changed") return showChanged(saved, () => showDirectory(studio));
    if (saved.error === "invalid") {
      const entry = `${body.group}.${body.name}`;
      const issues = saved.issues.map((issue) =>
        as && issue.field.startsWith(entry)
          ? { ...issue, field: as + issue.field.slice(entry.length) }
          : issue,
      );
      showIssues(form, "dir", issues, form.querySelector(".form-error"));
      return studio.toast("Черновик не сохранён: исправьте отмеченное.");
    }
    if (!saved.ok) return studio.toast("Не удалось сохранить.");
    // Said once the view shows it (typing before would go into fields about to be replaced).
    await showDirectory(studio);
    studio.toast(done);
  };
  const sections = GROUPS.map(([group, heading, parts]) => {
    const section = el("section", "", { "aria-labelledby": `dir-${group}-title` });
    section.append(el("h3", heading, { id: `dir-${group}-title` }));
    for (const [name, value] of Object.entries(directory[group] ?? {})) {
      section.append(entryForm(group, name, value, parts, usage[`${group}.${name}`] ?? [], save));
    }
    section.append(newEntryForm(group, parts, save));
    return section;
  });
  sections.push(holidaysForm(directory.holidays ?? [], save));
  $("directory-groups").replaceChildren(...sections);
}

/** The value of an entry's form, as the server takes it. */
function entryValue(prefix, parts) {
  const read = (part) => $(`${prefix}${part ? `-${part}` : ""}`).value;
  if (parts.length === 1) return read("");
  return Object.fromEntries(parts.map(([part]) => [part, read(part)]));
}

function entryFields(prefix, parts, value) {
  return parts.map(
    ([part, label]) =>
      field(`${prefix}${part ? `-${part}` : ""}`, label, {
        value: (part ? value?.[part] : value) ?? "",
      }).wrap,
  );
}

/** One entry: its fields, saved, renamed or removed; the intents that use it said. */
function entryForm(group, name, value, parts, users, save) {
  const entry = `${group}.${name}`;
  const prefix = `dir-${group}-${name.replace(/_/g, "-")}`;
  const form = el("form", "", { class: "directory-entry", "aria-label": entry, novalidate: "" });
  const legend = el("h4", entry);
  const used = el(
    "p",
    users.length ? `Используют: ${users.join(", ")}` : "Ни один ответ не использует.",
    { class: "hint" },
  );
  const rename = field(`${prefix}-rename`, `Новое имя для ${entry}`, { value: name });
  // A one-value entry's field has the entry's error place; others get one of their own.
  const whole =
    parts.length > 1
      ? [el("p", "", { id: `${prefix}-error`, class: "field-error", role: "alert" })]
      : [];
  form.append(
    legend,
    used,
    ...whole,
    ...entryFields(prefix, parts, value),
    rename.wrap,
    el("p", "", { class: "field-error form-error", role: "alert" }),
  );
  form.append(
    button(`Сохранить ${entry}`, () =>
      save(
        form,
        { change: "set", group, name, value: entryValue(prefix, parts) },
        `${entry} сохранён.`,
      ),
    ),
    " ",
    button(`Переименовать ${entry}`, () =>
      save(
        form,
        { change: "rename", group, name, to: rename.input.value.trim() },
        `${entry} переименован.`,
      ),
    ),
    " ",
    button(`Удалить ${entry}`, () =>
      save(form, { change: "remove", group, name }, `${entry} удалён.`),
    ),
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

/** A new entry of a group: its name and fields. */
function newEntryForm(group, parts, save) {
  const prefix = `dir-new-${group}`;
  const form = el("form", "", {
    class: "directory-entry new",
    "aria-label": `Новая запись: ${group}`,
    novalidate: "",
  });
  const name = field(`${prefix}-name`, `Имя новой записи (${group}.имя)`, {
    hint: "латиница, цифры и _, например fax",
  });
  form.append(
    el("h4", `Новая запись в ${group}`),
    name.wrap,
    ...entryFields(prefix, parts, undefined),
    el("p", "", { class: "field-error form-error", role: "alert" }),
    button(`Добавить в ${group}`, () => {
      const entry = name.input.value.trim();
      save(
        form,
        { change: "set", group, name: entry, value: entryValue(prefix, parts) },
        `${group}.${entry} добавлен.`,
        `new.${group}`,
      );
    }),
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

function holidaysForm(holidays, save) {
  const section = el("section", "", { "aria-labelledby": "dir-holidays-title" });
  const form = el("form", "", { novalidate: "" });
  const list = field("dir-holidays", "Праздничные дни, по одному в строке", {
    kind: "textarea",
    rows: 8,
    value: holidays.join("\n"),
    hint: "ММ-ДД — каждый год, ГГГГ-ММ-ДД — один раз (перенос выходного)",
  });
  form.append(
    list.wrap,
    el("p", "", { class: "field-error form-error", role: "alert" }),
    button("Сохранить праздники", () =>
      save(
        form,
        {
          change: "holidays",
          holidays: list.input.value
            .split("\n")
            .map((h) => h.trim())
            .filter(Boolean),
        },
        "Праздники сохранены.",
      ),
    ),
  );
  section.append(el("h3", "Праздники", { id: "dir-holidays-title" }), form);
  return section;
}
