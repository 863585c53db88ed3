// Every publication: who, when, the files, and on opening it the lines it
// changed (a diff from the server); publishers restore any of them.
// Everything goes in with textContent.
import { createApi, signedInMember, toast } from "/static/api.js";

const $ = (id) => document.getElementById(id);
let me;
const api = createApi(() => me?.csrfToken);
const MARKS = { added: "+", removed: "−", context: " " };

const moscow = (ms) => new Date(ms).toLocaleString("ru-RU", { timeZone: "Europe/Moscow" });

/** A file's hunks as lines marked added, removed or kept. */
function diffOf(file) {
  const block = document.createElement("div");
  const title = document.createElement("h3");
  title.textContent = `${file.name}${file.created ? " (новый файл)" : file.deleted ? " (файл удалён)" : ""}`;
  const pre = document.createElement("pre");
  pre.className = "diff";
  for (const hunk of file.hunks) {
    const at = document.createElement("span");
    at.className = "diff-at";
    at.textContent = `строка ${hunk.newStart}\n`;
    pre.append(at);
    for (const line of hunk.lines) {
      const row = document.createElement(
        line.kind === "added" ? "ins" : line.kind === "removed" ? "del" : "span",
      );
      row.textContent = `${MARKS[line.kind]} ${line.text}\n`;
      pre.append(row);
    }
  }
  block.append(title, pre);
  return block;
}

function publicationItem(p) {
  const item = document.createElement("li");
  item.id = `p${p.id}`;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = `№${p.id}, ${moscow(p.at)} (мск), ${p.by ?? "?"}: ${p.files.join(", ")}${p.restores ? ` — возврат к тому, что было до №${p.restores}` : ""}`;
  details.append(summary);
  let loaded = false;
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    const answer = await api(`/api/content/publications/${p.id}`);
    if (!answer.ok) return toast("Публикация не найдена.");
    details.append(...answer.files.map(diffOf));
  });
  item.append(details);
  if (me.role === "publisher") {
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "quiet";
    restore.textContent = `Вернуть как было до №${p.id}`;
    restore.addEventListener("click", async () => {
      if (!confirm(`Вернуть файлы как до публикации №${p.id}?`)) return;
      const done = await api(`/api/content/publications/${p.id}/restore`, {});
      if (!done.ok) return toast("Не удалось восстановить.");
      toast(`Восстановлено (№${done.publication}).`);
      await load();
    });
    item.append(restore);
  }
  return item;
}

async function load() {
  const answer = await api("/api/content/publications");
  if (!answer.ok) return;
  $("publications").replaceChildren(
    ...(answer.publications.length
      ? answer.publications.map(publicationItem)
      : [Object.assign(document.createElement("li"), { textContent: "Публикаций ещё не было." })]),
  );
  // A link to one publication opens it.
  const linked =
    /^#p\d+$/.test(location.hash) && document.querySelector(`${location.hash} details`);
  if (linked) linked.open = true;
}

async function start() {
  me = await signedInMember(api);
  if (!me) return;
  await load();
}

start();
