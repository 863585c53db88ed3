// The studio's form parts: a labelled field with its problem beside it, the
// links and follow-ups editors, the problems of a save put at their fields,
// and the directory's references offered as the editor types. Every text
// goes in with textContent.

/** An element with `text` in it. */
export function el(tag, text = "", attributes = {}) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A button with `label` doing `onClick`. */
export function button(label, onClick, className = "") {
  const node = el("button", label, { type: "button" });
  if (className) node.className = className;
  node.addEventListener("click", onClick);
  return node;
}

/**
 * A labelled input (or textarea, or select) with the element its problem is
 * said in, tied to it by aria-describedby: `id`'s problem goes in `${id}-error`.
 */
export function field(id, label, options = {}) {
  const { kind = "input", value = "", hint = "", choices } = options;
  const wrap = el("div", "", { class: "field" });
  const input = el(kind, "", { id });
  if (kind === "select") {
    for (const [choice, said] of choices ?? []) {
      input.append(el("option", said, { value: choice }));
    }
  }
  if (kind === "textarea") input.rows = options.rows ?? 4;
  if (kind === "input") input.autocomplete = "off";
  input.value = value;
  const described = [`${id}-error`];
  wrap.append(el("label", label, { for: id }), input);
  if (hint) {
    wrap.append(el("p", hint, { id: `${id}-hint`, class: "hint" }));
    described.unshift(`${id}-hint`);
  }
  wrap.append(el("p", "", { id: `${id}-error`, class: "field-error", role: "alert" }));
  input.setAttribute("aria-describedby", described.join(" "));
  // A problem said is the one of what was sent: changing the field clears it.
  input.addEventListener("input", () => {
    document.getElementById(`${id}-error`).textContent = "";
    input.removeAttribute("aria-invalid");
  });
  return { wrap, input };
}

/** The element id of a server field (`links.1.url`) in a form whose ids start with `prefix`. */
const idOf = (prefix, field) => `${prefix}-${field.replace(/[._]/g, "-")}`;

/**
 * Puts each problem at its field: the nearest element of the form with an
 * error place for it (`links.1.title.ru`, else `links.1.title`, `links.1`,
 * `links`), else in `other`; marks the fields invalid. Clears the form's
 * earlier problems first.
 */
export function showIssues(form, prefix, issues, other) {
  for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  if (other) other.textContent = "";
  for (const issue of issues) {
    const parts = issue.field.split(".");
    let place;
    for (let n = parts.length; n > 0 && !place; n--) {
      place = document.getElementById(`${idOf(prefix, parts.slice(0, n).join("."))}-error`);
    }
    if (place && form.contains(place)) {
      place.textContent = `${place.textContent}${issue.message}. `;
      document
        .getElementById(place.id.replace(/-error$/, ""))
        ?.setAttribute("aria-invalid", "true");
    } else if (other) {
      other.textContent = `${other.textContent}${issue.field ? `${issue.field}: ` : ""}${issue.message}. `;
    }
  }
}

/**
 * A list of rows edited in place (links, follow-ups): up to `max`, each
 * drawn by `row(item, i, editor)` with a remove button after it, read back
 * by `read(i)`; `get()` gives the items. `editor.move(i, by)` moves a row.
 */
function rowsEditor({ id, legend, addLabel, removeLabel, max, items, blank, row, read }) {
  const box = el("fieldset", "", { id });
  box.append(el("legend", legend));
  const rows = el("div");
  const error = el("p", "", { id: `${id}-error`, class: "field-error", role: "alert" });
  let current = [...items];
  const sync = () => {
    current = current.map((_, i) => read(i));
  };
  const render = () => {
    rows.replaceChildren(
      ...current.map((item, i) => {
        const drawn = row(item, i, editor, current.length);
        drawn.append(
          button(removeLabel(i), () => editor.change((all) => all.splice(i, 1)), "quiet"),
        );
        return drawn;
      }),
    );
    add.disabled = current.length >= max;
  };
  const editor = {
    change: (how) => {
      sync();
      how(current);
      render();
    },
    move: (i, by) =>
      editor.change((all) => {
        const [item] = all.splice(i, 1);
        all.splice(i + by, 0, item);
      }),
  };
  const add = button(addLabel, () => {
    editor.change((all) => all.push(blank()));
    rows.lastElementChild?.querySelector("input, select")?.focus();
  });
  render();
  box.append(rows, add, error);
  return {
    element: box,
    get: () => {
      sync();
      return current;
    },
  };
}

const valueAt = (id) => document.getElementById(id)?.value ?? "";

/**
 * The link buttons' editor: up to `max` rows of a title in both languages
 * and a URL (https:// or a directory reference), moved up and down, added
 * and removed. `get()` gives the links as the server takes them.
 */
export function linksEditor(prefix, links, max = 4) {
  const at = (i, part) => `${prefix}-links-${i}-${part}`;
  return rowsEditor({
    id: `${prefix}-links`,
    legend: `Кнопки-ссылки под ответом (не больше ${max})`,
    addLabel: "Добавить ссылку",
    removeLabel: (i) => `Убрать ссылку ${i + 1}`,
    max,
    items: links.map((l) => ({ title: { ...l.title }, url: l.url })),
    blank: () => ({ title: { ru: "", en: "" }, url: "" }),
    read: (i) => ({
      title: { ru: valueAt(at(i, "title-ru")), en: valueAt(at(i, "title-en")) },
      url: valueAt(at(i, "url")),
    }),
    row: (link, i, editor, count) => {
      const row = el("fieldset", "", { class: "link-row" });
      const n = `ссылки ${i + 1}`;
      const up = button(`Выше: ссылка ${i + 1}`, () => editor.move(i, -1), "quiet");
      const down = button(`Ниже: ссылка ${i + 1}`, () => editor.move(i, 1), "quiet");
      up.disabled = i === 0;
      down.disabled = i === count - 1;
      row.append(
        el("legend", `Ссылка ${i + 1}`),
        field(at(i, "title-ru"), `Текст ${n} по-русски`, { value: link.title.ru }).wrap,
        field(at(i, "title-en"), `Текст ${n} по-английски`, { value: link.title.en }).wrap,
        field(at(i, "url"), `Адрес ${n}`, {
          value: link.url,
          hint: "https:// на официальном домене или ссылка справочника, например {{url.help}}",
        }).wrap,
        up,
        down,
      );
      return row;
    },
  });
}

/**
 * The follow-ups' editor: up to `max` other intents, each chosen from a
 * list; `get()` gives their ids.
 */
export function followUpsEditor(prefix, chosen, intents, max = 3) {
  const choices = [["", "—"], ...intents.map((i) => [i.id, `${i.title} (${i.id})`])];
  const editor = rowsEditor({
    id: `${prefix}-follow-up`,
    legend: `Что ещё предложить после ответа (не больше ${max} тем)`,
    addLabel: "Добавить тему",
    removeLabel: (i) => `Убрать тему ${i + 1}`,
    max,
    items: chosen,
    blank: () => "",
    read: (i) => valueAt(`${prefix}-follow-up-${i}`),
    row: (id, i) => {
      const row = el("div", "", { class: "follow-up-row" });
      const { wrap, input } = field(`${prefix}-follow-up-${i}`, `Тема ${i + 1}`, {
        kind: "select",
        // An id the list lacks (an intent gone since) stays shown, for kb check to name.
        choices: choices.some(([c]) => c === id) ? choices : [...choices, [id, id]],
      });
      input.value = id;
      row.append(wrap);
      return row;
    },
  });
  return { element: editor.element, get: () => editor.get().filter(Boolean) };
}

/**
 * Offers the directory's references as the editor types `{{` in `textarea`:
 * a list of buttons in `area` (its list `list`) that insert the one chosen;
 * ↓ moves from the field to the list, Esc hides it. `references()` gives
 * the names, `changed()` is called after an insertion.
 */
export function offerReferences(textarea, area, list, references, changed = () => {}) {
  const typed = () => {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = /\{\{([a-z._0-9]*)$/.exec(before);
    return match ? { start: before.length - match[0].length, partial: match[1] } : undefined;
  };
  const hide = () => {
    area.hidden = true;
  };
  const show = () => {
    const now = typed();
    const matching = now
      ? references()
          .filter((r) => r.slice(2).startsWith(now.partial))
          .slice(0, 8)
      : [];
    area.hidden = matching.length === 0;
    list.replaceChildren(
      ...matching.map((reference) => {
        const item = el("li");
        const insert = button(reference, () => {
          const at = typed() ?? { start: textarea.selectionStart, partial: "" };
          const end = at.start + 2 + at.partial.length;
          textarea.value = `${textarea.value.slice(0, at.start)}${reference}${textarea.value.slice(end)}`;
          textarea.focus();
          textarea.selectionStart = textarea.selectionEnd = at.start + reference.length;
          hide();
          changed();
        });
        insert.addEventListener("keydown", (event) => {
          const buttons = [...list.querySelectorAll("button")];
          const at = buttons.indexOf(insert);
          if (event.key === "ArrowDown") buttons[at + 1]?.focus();
          else if (event.key === "ArrowUp") (buttons[at - 1] ?? textarea).focus();
          else if (event.key === "Escape") {
            hide();
            textarea.focus();
          } else return;
          event.preventDefault();
        });
        item.append(insert);
        return item;
      }),
    );
  };
  textarea.addEventListener("input", show);
  textarea.addEventListener("keydown", (event) => {
    if (area.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      list.querySelector("button")?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      hide();
    }
  });
}

/** What a refusal because another editor saved first says, with a reload offered. */
export function showChanged(answer, reload) {
  const box = document.getElementById("conflict");
  document.getElementById("conflict-text").textContent =
    `${answer.by?.by ?? "Другой редактор"} уже сохранил(а) изменения этого файла после того, как вы его открыли. Ваша правка не сохранена, чужая не затёрта: загрузите файл заново и повторите.`;
  box.hidden = false;
  document.getElementById("conflict-reload").onclick = async () => {
    box.hidden = true;
    await reload();
  };
}

/** The message the examples' lint warnings are said in. */
export function warningText(warnings) {
  return `Внимание: ${warnings.map((w) => w.message).join("; ")}`;
}
