// The operators' console page. Everything shown comes from the JSON API and
// goes in with textContent (people's words are never markup); the live feed
// only says what changed, and the page fetches it again (after a reconnect
// too: nothing is replayed).

import { createApi, ROLE_NAMES, toast } from "/static/api.js";

const $ = (id) => document.getElementById(id);
let me;
let selected;

const REFUSALS = {
  already_taken: (a) => `Обращение уже взял(а) ${a.operatorName ?? "другой оператор"}.`,
  ticket_closed: () => "Обращение уже закрыто.",
  closed: () => "Обращение уже закрыто.",
  off_shift: () => "Сначала начните смену.",
  queue_empty: () => "Очередь пуста.",
  not_yours: (a) => `Обращение ведёт ${a.operatorName ?? "другой оператор"}.`,
  not_found: () => "Обращение не найдено.",
  signed_out: () => "Сеанс закончился: войдите снова.",
  csrf: () => "Запрос отклонён: обновите страницу.",
};

// What the desk tells a staff member that the page says aloud (the rest it
// shows by fetching the queue and the ticket again).
const NOTICES = {
  transferred_to_you: (id) => `Вам передано обращение №${id}.`,
  from_citizen: (id) => `Новое сообщение от гражданина в №${id}.`,
  citizen_cancelled: (id) => `Гражданин сам закрыл обращение №${id}.`,
  citizen_blocked: (id) => `Гражданин заблокировал бота: сообщение по №${id} не дошло.`,
  not_delivered: (id) => `Сообщение по №${id} не доставлено.`,
  reminder: (id) => `Обращение №${id} ждёт дольше нормы.`,
  reminder_digest: () => "Несколько обращений ждут дольше нормы.",
};

const api = createApi(() => me?.csrfToken);

function refused(answer) {
  toast((REFUSALS[answer.error] ?? (() => "Не получилось. Попробуйте ещё раз."))(answer));
}

const moscowTime = (at) =>
  new Date(at).toLocaleTimeString("ru-RU", {
    timeZone: "Europe/Moscow",
    hour: "2-digit",
    minute: "2-digit",
  });
const minutesSince = (at) => Math.max(0, Math.floor((Date.now() - at) / 60000));

function renderList(id, tickets) {
  const list = $(id);
  // A live refresh must not drop the keyboard's place in the list.
  const focused = list.contains(document.activeElement)
    ? document.activeElement.dataset.id
    : undefined;
  list.replaceChildren(
    ...tickets.map((ticket) => {
      const item = document.createElement("li");
      item.tabIndex = 0;
      item.dataset.id = String(ticket.id);
      item.setAttribute("aria-current", String(ticket.id === selected));
      const wait = ticket.state === "waiting" ? `, ждёт ${minutesSince(ticket.createdAt)} мин` : "";
      const who = ticket.operatorName && id !== "mine" ? ` · ${ticket.operatorName}` : "";
      item.textContent = `№${ticket.id} (${ticket.language}${wait}${who}): ${ticket.question}`;
      item.addEventListener("click", () => open(ticket.id));
      item.addEventListener("keydown", (event) => {
        if (event.key === "Enter") open(ticket.id);
      });
      return item;
    }),
  );
  if (focused !== undefined) {
    const again = [...list.children].find((item) => item.dataset.id === focused);
    (again ?? list.firstElementChild)?.focus();
  }
}

async function refreshQueue(background = false) {
  const answer = await api("/api/queue", undefined, background);
  if (!answer.ok) return;
  $("waiting-count").textContent = `(${answer.waiting.length})`;
  renderList("waiting", answer.waiting);
  renderList("mine", answer.mine);
  $("open-section").hidden = answer.open === undefined;
  if (answer.open) renderList("open", answer.open);
  setShift(answer.onShift);
}

function renderTags(ticketId, tags, mayTag) {
  $("tags-area").hidden = !mayTag;
  $("tags").replaceChildren(
    ...tags.map((tag) => {
      const item = document.createElement("li");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = `${tag} ✕`;
      remove.setAttribute("aria-label", `Снять метку ${tag}`);
      remove.addEventListener("click", async () => {
        const answer = await api(`/api/tickets/${ticketId}/tags/remove`, { tag });
        if (answer.ok) renderTags(ticketId, answer.tags, true);
      });
      item.append(remove);
      return item;
    }),
  );
}

function setShift(on) {
  me.onShift = on;
  $("shift").textContent = on ? "Закончить смену" : "Начать смену";
  $("shift").setAttribute("aria-pressed", String(on));
}

/**
 * The active incidents over the ticket: what is broken, what citizens are
 * told, since when. Those about what the bot tried for this ticket come
 * first, said as such.
 */
function renderIncidents(incidents) {
  const banner = $("incident-banner");
  banner.hidden = incidents.length === 0;
  $("incident-items").replaceChildren(
    ...incidents.map((incident) => {
      const item = document.createElement("li");
      const notice = document.createElement("span");
      notice.className = "notice";
      notice.textContent = incident.broken;
      const fix = incident.expectedFix ? `, исправим: ${incident.expectedFix}` : "";
      const about = incident.concernsTicket ? " Касается этого обращения." : "";
      item.append(
        notice,
        ` (с ${moscowTime(incident.since)} мск${fix}).${about} Гражданам бот говорит: «${incident.notice}»`,
      );
      return item;
    }),
  );
}

/** How far an operator's message got to the citizen, as the transcript says it. */
const DELIVERY = { queued: "отправляется", sent: "отправлено", failed: "не доставлено" };
let deliveryCheck;

async function open(id, background = false) {
  selected = id;
  const answer = await api(`/api/tickets/${id}`, undefined, background);
  for (const item of document.querySelectorAll(".tickets li")) {
    item.setAttribute("aria-current", String(Number(item.dataset.id) === id));
  }
  if (!answer.ok) {
    // Taken by someone else, or gone: no longer this operator's to follow.
    selected = undefined;
    $("ticket-title").textContent = "Обращение недоступно";
    renderIncidents([]);
    $("actions").hidden = true;
    $("messages").replaceChildren();
    return;
  }
  const { ticket } = answer;
  document.title = `№${ticket.id} — консоль операторов`;
  $("ticket-title").textContent = `Обращение №${ticket.id}`;
  const state = {
    waiting: "в очереди",
    assigned: `у оператора ${ticket.operatorName ?? ""}`,
    closed: "закрыто",
  }[ticket.state];
  // Telegram tells no one a person's time zone: Moscow time, said as such.
  $("ticket-meta").textContent =
    `Язык гражданина: ${ticket.language}; ${state}; сейчас ${moscowTime(Date.now())} по Москве (свой часовой пояс Telegram не сообщает). Вопрос: ${ticket.question}`;
  renderIncidents(answer.incidents ?? []);
  $("tried").textContent = answer.tried.length
    ? `Бот пробовал: ${answer.tried.map((t) => `${t.title} (${t.score.toFixed(2)})`).join(", ")}`
    : "";
  $("messages").replaceChildren(
    ...answer.messages.map((message) => {
      const item = document.createElement("li");
      item.className = message.who;
      const who =
        message.who === "citizen"
          ? "Гражданин"
          : message.who === "note"
            ? `Заметка (${message.name})`
            : message.name;
      const file = message.file ? (message.file.kind === "photo" ? " [фото]" : " [файл]") : "";
      item.textContent = `${moscowTime(message.at)} ${who}: ${message.text ?? ""}${file}`;
      if (message.delivery) {
        const delivery = document.createElement("span");
        delivery.className = `delivery ${message.delivery}`;
        delivery.textContent = ` · ${DELIVERY[message.delivery]}`;
        item.append(delivery);
      }
      if (message.file && answer.filesShown) {
        const url = `/api/tickets/${ticket.id}/messages/${message.id}/file`;
        if (message.file.kind === "photo") {
          const image = document.createElement("img");
          image.src = url;
          image.alt = `Фото от гражданина, сообщение ${message.id}`;
          image.className = "attachment";
          item.append(document.createElement("br"), image);
        } else {
          const link = document.createElement("a");
          link.href = url;
          link.target = "_blank";
          link.rel = "noopener";
          link.textContent = "Открыть файл";
          item.append(" ", link);
        }
      }
      return item;
    }),
  );
  // Messages go to a chat one a second: follow them until they are out.
  clearTimeout(deliveryCheck);
  if (answer.messages.some((message) => message.delivery === "queued")) {
    deliveryCheck = setTimeout(() => {
      if (selected === ticket.id) void open(ticket.id, true);
    }, 1000);
  }
  renderTags(ticket.id, answer.tags, ticket.operatorId === me.staffId || me.role === "supervisor");
  $("actions").hidden = ticket.state === "closed";
  $("take").hidden = ticket.state !== "waiting";
  $("reply-form").hidden = !answer.mayReply;
  if (answer.mayReply) void refreshTransferTargets();
}

/** Whom a ticket can go to now: the staff on shift, fetched when a ticket opens. */
async function refreshTransferTargets() {
  const staff = await api("/api/staff/on-shift");
  const options = [new Option("—", ""), new Option("в очередь", "queue")];
  for (const member of staff.staff ?? []) options.push(new Option(member.name, String(member.id)));
  // A choice made meanwhile stays (a live refresh must not undo it), while its person is on shift.
  const chosen = $("transfer-to").value;
  $("transfer-to").replaceChildren(...options);
  if (options.some((option) => option.value === chosen)) $("transfer-to").value = chosen;
}

async function take(id) {
  const answer = await api(`/api/tickets/${id}/take`, {});
  if (!answer.ok) refused(answer);
  await refreshQueue();
  await open(id);
  if (answer.ok) $("reply").focus();
}

async function send() {
  const text = $("reply").value.trim();
  if (!text || selected === undefined) return;
  $("reply").disabled = true;
  const answer = await api(`/api/tickets/${selected}/reply`, { text });
  $("reply").disabled = false;
  if (!answer.ok) return refused(answer);
  $("reply").value = "";
  $("reply").focus();
  await open(selected);
}

// What announces a new ticket, as each operator chose it on this browser:
// the chime (on unless turned off) and the browser's notification (on once
// allowed and asked for).
const settings = {
  get sound() {
    return localStorage.getItem("console.sound") !== "off";
  },
  get notify() {
    return localStorage.getItem("console.notify") === "on" && notificationsAllowed();
  },
};
const notificationsAllowed = () =>
  "Notification" in window && Notification.permission === "granted";

function showSettings() {
  $("sound").setAttribute("aria-pressed", String(settings.sound));
  $("notify").setAttribute("aria-pressed", String(settings.notify));
  $("notify").disabled = "Notification" in window && Notification.permission === "denied";
  $("notify").title = $("notify").disabled ? "Уведомления запрещены в настройках браузера" : "";
}

function setUpSettings() {
  $("sound").addEventListener("click", () => {
    localStorage.setItem("console.sound", settings.sound ? "off" : "on");
    showSettings();
    if (settings.sound) chime(true);
  });
  $("notify").addEventListener("click", async () => {
    if (settings.notify) localStorage.setItem("console.notify", "off");
    else {
      if ("Notification" in window && Notification.permission === "default")
        await Notification.requestPermission();
      localStorage.setItem("console.notify", notificationsAllowed() ? "on" : "off");
    }
    showSettings();
  });
  showSettings();
}

let audio;
/** Announces a new ticket as chosen; `soundOnly`: the sound's own try-out. */
function chime(soundOnly = false) {
  if (settings.notify && !soundOnly) new Notification("Новое обращение в очереди");
  if (!settings.sound) return;
  try {
    audio ??= new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    gain.gain.value = 0.05;
    tone.frequency.value = 880;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  } catch {}
}

function listen() {
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => {
    $("live").textContent = "на связи";
    // Whatever happened while away: fetched again, not replayed.
    void refreshQueue(true);
    if (selected !== undefined) void open(selected, true);
  });
  events.addEventListener("error", () => {
    $("live").textContent = "нет связи, переподключение…";
  });
  events.addEventListener("message", (event) => {
    const change = JSON.parse(event.data);
    if (change.notice === "card") chime();
    const say = change.to === "staff" ? NOTICES[change.notice] : undefined;
    if (say && !(change.notice === "from_citizen" && change.ticketId === selected))
      toast(say(change.ticketId));
    refreshSoon(change.ticketId !== undefined && change.ticketId === selected);
  });
}

// One desk step says several things at once (a take: the citizen, the
// operator, every card), each its own event: the page fetches once a burst.
let burst;
function refreshSoon(ticketChanged) {
  if (burst) {
    burst.ticket ||= ticketChanged;
    return;
  }
  burst = { ticket: ticketChanged };
  setTimeout(() => {
    const { ticket } = burst;
    burst = undefined;
    void refreshQueue(true);
    void refreshDashboard(true);
    if (ticket && selected !== undefined) void open(selected, true);
  }, 50);
}

async function refreshDashboard(background = false) {
  if (me.role !== "supervisor") return;
  const floor = await api("/api/dashboard", undefined, background);
  if (!floor.ok) return;
  $("dashboard").hidden = false;
  const overdue = floor.overdue.length
    ? `; дольше нормы ждут: ${floor.overdue.map((t) => `№${t.id} (${t.minutes} мин)`).join(", ")}`
    : "";
  const oldest =
    floor.oldestWaitMinutes === null ? "" : `, дольше всех ждёт ${floor.oldestWaitMinutes} мин`;
  const t = floor.today.tickets;
  $("floor").textContent =
    `В очереди: ${floor.waiting}${oldest}${overdue}. Сегодня: открыто ${t.opened}, закрыто операторами ${t.closedByOperator}, отменено ${t.cancelled}.`;
  $("staff-rows").replaceChildren(
    ...floor.staff.map((member) => {
      const row = document.createElement("tr");
      const last = member.lastActivityAt ? moscowTime(member.lastActivityAt) : "—";
      for (const text of [
        member.name,
        ROLE_NAMES[member.role],
        member.onShift ? "да" : "нет",
        String(member.open),
        last,
      ]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      const cell = document.createElement("td");
      if (member.onShift && member.id !== me.staffId) {
        const off = document.createElement("button");
        off.type = "button";
        off.textContent = `Снять со смены: ${member.name}`;
        off.addEventListener("click", async () => {
          const answer = await api(`/api/staff/${member.id}/shift`, { on: false });
          if (!answer.ok) return refused(answer);
          await refreshDashboard();
        });
        cell.append(off);
      }
      row.append(cell);
      return row;
    }),
  );
}

async function searchKb() {
  const q = $("kb-query").value.trim();
  if (q.length < 2 || selected === undefined) return $("kb-answers").replaceChildren();
  const ticketId = selected;
  const found = await api("/api/kb/search", { ticket: ticketId, q });
  if (!found.ok) return;
  $("kb-answers").replaceChildren(
    ...found.answers.map((hit) => {
      const item = document.createElement("li");
      const send = document.createElement("button");
      send.type = "button";
      send.textContent = `Отправить: ${hit.title}`;
      send.addEventListener("click", async () => {
        const answer = await api(`/api/tickets/${ticketId}/kb`, { intent: hit.intent });
        if (!answer.ok) return refused(answer);
        $("kb-query").value = "";
        $("kb-answers").replaceChildren();
        await open(ticketId);
      });
      const preview = document.createElement("span");
      preview.className = "preview";
      preview.textContent = hit.preview;
      item.append(send, preview);
      return item;
    }),
  );
}

async function setUpSecondFactor() {
  $("totp").hidden = false;
  $("desk").hidden = true;
  const answer = await api("/api/totp/setup", {});
  if (answer.ok) $("totp-secret").textContent = answer.secret;
  $("totp-confirm").addEventListener("click", async () => {
    const confirmed = await api("/api/totp/confirm", { code: $("totp-code").value.trim() });
    if (confirmed.ok) location.reload();
    else toast("Код не подошёл. Проверьте время на телефоне и попробуйте снова.");
  });
}

/** From a field back to the tickets: the open one, or the first. */
function backToList() {
  const items = [...document.querySelectorAll(".tickets li")];
  (items.find((item) => Number(item.dataset.id) === selected) ?? items[0])?.focus();
}

function moveIn(step) {
  const items = [...document.querySelectorAll(".tickets li")];
  const at = items.indexOf(document.activeElement);
  const next = items[Math.min(items.length - 1, Math.max(0, at + step))];
  next?.focus();
}

async function start() {
  me = await api("/api/me");
  if (!me.ok) return;
  $("who").textContent = `${me.name} (${ROLE_NAMES[me.role]})`;
  $("sign-out").addEventListener("click", async () => {
    await api("/api/sign-out", {});
    location.assign("/sign-in");
  });
  if (me.mustSetUpTotp) return setUpSecondFactor();
  $("report-link").hidden = me.role !== "supervisor";
  $("incidents-link").hidden = me.role !== "supervisor";
  setShift(me.onShift);
  $("shift").addEventListener("click", async () => {
    const answer = await api("/api/shift", { on: !me.onShift });
    if (answer.ok) setShift(answer.onShift);
  });
  setUpSettings();
  $("take-next").addEventListener("click", async () => {
    const answer = await api("/api/take-next", {});
    if (!answer.ok) return refused(answer);
    await refreshQueue();
    await open(answer.ticketId);
    $("reply").focus();
  });
  $("take").addEventListener("click", () => selected !== undefined && take(selected));
  $("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
  $("reply").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  });
  $("note").addEventListener("click", async () => {
    const text = $("reply").value.trim();
    if (!text || selected === undefined) return;
    const answer = await api(`/api/tickets/${selected}/note`, { text });
    if (!answer.ok) return refused(answer);
    $("reply").value = "";
    await open(selected);
  });
  $("close").addEventListener("click", async () => {
    if (selected === undefined || !confirm(`Закрыть обращение №${selected}?`)) return;
    const answer = await api(`/api/tickets/${selected}/close`, {});
    if (!answer.ok) return refused(answer);
    toast(`Обращение №${selected} закрыто; гражданину предложено оценить помощь.`);
    await refreshQueue();
    await open(selected);
  });
  $("transfer").addEventListener("click", async () => {
    const to = $("transfer-to").value;
    if (!to || selected === undefined) return;
    const answer = await api(`/api/tickets/${selected}/transfer`, {
      to: to === "queue" ? "queue" : Number(to),
    });
    if (!answer.ok) return refused(answer);
    await refreshQueue();
    await open(selected);
  });
  // Keyboard: j/k through the tickets, Enter opens, n takes the next, r to
  // the reply box, c closes the open ticket; Escape goes back to the list.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") return backToList();
    const typing =
      event.target instanceof HTMLTextAreaElement ||
      event.target instanceof HTMLInputElement ||
      event.target instanceof HTMLSelectElement;
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") moveIn(1);
    else if (event.key === "k") moveIn(-1);
    else if (event.key === "n") $("take-next").click();
    else if (event.key === "r" && !$("reply-form").hidden) {
      event.preventDefault();
      $("reply").focus();
    } else if (event.key === "c" && !$("actions").hidden && !$("reply-form").hidden)
      $("close").click();
  });
  $("tag-new").addEventListener("keydown", async (event) => {
    if (event.key !== "Enter" || selected === undefined) return;
    event.preventDefault();
    const tag = $("tag-new").value.trim();
    if (!tag) return;
    const answer = await api(`/api/tickets/${selected}/tags`, { tag });
    if (!answer.ok) return toast("Метка — слово из букв, цифр, дефисов, до 32 знаков.");
    $("tag-new").value = "";
    renderTags(selected, answer.tags, true);
  });
  let searching;
  $("kb-query").addEventListener("input", () => {
    clearTimeout(searching);
    searching = setTimeout(searchKb, 200);
  });
  await refreshQueue();
  await refreshDashboard();
  listen();
}

void start();
