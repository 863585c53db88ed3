import type { Database } from "better-sqlite3";
import {
  describeOpenState,
  escapeHtml,
  htmlToText,
  type KnowledgeBase,
  type Matcher,
  openState,
  renderAnswer,
  withoutBidiControls,
} from "../knowledge/index.ts";
import { type AuditAction, createAuditLog } from "./audit.ts";
import { withoutBidiControlsIn } from "./bidi-controls.ts";
import { type DeskAction, decodeDeskAction, encodeDeskAction } from "./buttons.ts";
import { CITIZEN_TEXTS, HTML, OPERATOR_TEXTS as OP } from "./desk-texts.ts";
import { createDeskTopics } from "./desk-topics.ts";
import {
  CAPTION_LIMIT,
  cutBefore,
  fitMessage,
  shownLength,
  splitPlainText,
  TEXT_LIMIT,
} from "./message-limits.ts";
import type { OperatorCommand } from "./operator-commands.ts";
import type { Operators } from "./operators.ts";
import type { Outbox, OutboxItem, OutboxMessage } from "./outbox.ts";
import { formatReportText } from "./report/index.ts";
import { collectReport, startOfMoscowDay } from "./report-data.ts";
import type { Language, Store } from "./store.ts";
import { createSuggestions, type Suggestions } from "./suggestions.ts";
import type { Ticket, TicketFile, TicketMessage } from "./ticket-model.ts";
import type { TicketService } from "./tickets.ts";

/** Someone writing to the bot: their private chat, Telegram user and language. */
export interface Person {
  chatId: number;
  userId: number;
  language: Language;
}

/** What a person sent: text, a file (already checked against the file rules), or both. */
export interface Incoming {
  text?: string;
  file?: TicketFile;
  /** The message's id in the sender's chat. */
  messageId?: number;
  /** The message it replies to, in the sender's chat (routes an operator's reply). */
  replyToMessageId?: number;
  /** A file came with `text` (its caption) but the file rules refused it: the operator is told. */
  refusedFile?: "type" | "size";
  /**
   * The Telegram update it came in. Marked handled in the same transaction as
   * the change it makes, so an update delivered again after a crash is not
   * relayed twice.
   */
  updateId?: number;
}

/** An operator console command: `/take 12` is `{ name: "take", args: "12" }`. */
export interface Command {
  name: string;
  args: string;
}

/** What to answer a button press with; `undefined` from `press` means it was not a desk button. */
export interface PressAnswer {
  /** A short notice on the pressed button (Telegram's callback answer). */
  toast?: string;
  /** The pressed message's buttons are used up (or stale): remove them. */
  spent?: true;
}

export interface DeskLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface DeskDeps {
  /** The connection the store, tickets, operators and outbox use. */
  db: Database;
  store: Store;
  tickets: TicketService;
  operators: Operators;
  outbox: Outbox;
  /** Operators' suggestions of a closed ticket's intent. Defaults to one on `db`. */
  suggestions?: Suggestions;
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  /** Told after a change that queued messages (wake the delivery worker). */
  onEnqueued?: () => void;
  log?: DeskLog;
  now?: () => number;
}

export interface DeskOptions {
  /** How recent a question must be to go into a new ticket. Defaults to 30 minutes. */
  questionWindowMs?: number;
  /** A waiting ticket older than this reminds operators, again each time it passes. Defaults to 10 minutes. */
  waitLimitMs?: number;
}

/**
 * The operator handoff as a conversation: citizens asking for an operator,
 * writing to their ticket and rating it; operators taking, answering,
 * transferring and closing. Transport-free: everything the desk says goes to
 * the outbox in the same transaction as the change it reports, and the
 * Telegram bot and the terminal console both drive this one desk.
 *
 * Every operator action checks the sender's role and that the ticket is theirs
 * (the ticket service does, and audits refusals); a citizen pressing a forged
 * operator button gets nothing.
 */
export interface Desk {
  isOperator(userId: number): boolean;
  /** Asks a citizen to confirm they want an operator; `intro` (HTML) comes first. */
  offer(person: Person, intro?: string, updateId?: number): void;
  /** A citizen's message: goes to their open ticket (true), or false if they have none. */
  citizenMessage(person: Person, message: Incoming): boolean;
  /** `/cancel` from a citizen. */
  cancel(person: Person, updateId?: number): void;
  /** A button press; undefined when `data` is not a desk button. */
  press(person: Person, data: string, updateId?: number): PressAnswer | undefined;
  /** A message from an operator (not a command): goes to a ticket of theirs. */
  operatorMessage(person: Person, message: Incoming): void;
  /** A command from an operator. */
  operatorCommand(person: Person, command: Command, updateId?: number): void;
  /**
   * A removed operator writing for the first time since their removal: tells
   * them, once, that they no longer are one (true: the message is answered).
   * False for anyone else, and for them afterwards: they are a citizen now.
   */
  formerOperator(person: Person, updateId?: number): boolean;
  /** Tickets put back in the queue outside the desk (an operator was removed): tells their citizens and cards them again. */
  requeued(ticketIds: readonly number[]): void;
  /**
   * Reminds on-shift operators and supervisors, in one message each, of the
   * tickets waiting longer than the limit, at most once a limit; returns how many.
   */
  remindOverdue(): number;
  /** The delivery worker gave up on a row: tell the operator, mark a blocked citizen. */
  undeliverable(item: OutboxItem, error: string): void;
}

type Button = { text: string; callback_data: string } | { text: string; url: string };
/** The tag of the desk's "not delivered" notices: a notice that fails itself is not noticed. */
const UNDELIVERED = "undelivered";
const keyboard = (rows: Button[][]) => ({ reply_markup: { inline_keyboard: rows } });
const button = (text: string, action: DeskAction): Button => ({
  text,
  callback_data: encodeDeskAction(action),
});
/** The buttons only operators are sent. */
const OPERATOR_BUTTONS: ReadonlySet<DeskAction["kind"]> = new Set([
  "take",
  "take_next",
  "switch",
  "canned",
  "topic",
  "topic_skip",
]);
/** The most of a question a card shows (the transcript shows it whole). */
const QUESTION_PREVIEW = 1000;

export function createDesk(deps: DeskDeps, options: DeskOptions = {}): Desk {
  const { db, store, tickets, operators, outbox, onEnqueued, log, now = Date.now } = deps;
  const { questionWindowMs = 30 * 60_000, waitLimitMs = 10 * 60_000 } = options;

  const getFocus = db.prepare<[number], { ticket_id: number }>(
    "SELECT ticket_id FROM operator_focus WHERE operator_id = ?",
  );
  const setFocus = db.prepare<[number, number]>(
    `INSERT INTO operator_focus (operator_id, ticket_id) VALUES (?, ?)
     ON CONFLICT (operator_id) DO UPDATE SET ticket_id = excluded.ticket_id`,
  );
  const overdue = db.prepare<[number], { id: number; created_at: number }>(
    "SELECT id, created_at FROM tickets WHERE state = 'waiting' AND created_at <= ? ORDER BY created_at",
  );
  const lastReminder = db.prepare<[], { at: number | null }>(
    "SELECT max(reminded_at) AS at FROM tickets WHERE state = 'waiting'",
  );
  /** When the last reminder went out; read from the tickets at the first run (a restart). */
  let lastReminderAt: number | null | undefined;
  const markReminded = db.prepare<[number, number]>(
    "UPDATE tickets SET reminded_at = ? WHERE id = ?",
  );
  const latestTicket = db.prepare<[number], { id: number | null }>(
    "SELECT max(id) AS id FROM tickets WHERE chat_id = ?",
  );
  /** The chat's latest ticket, any state: an offer made before it is stale. */
  const latestTicketOf = (chatId: number) => latestTicket.get(chatId)?.id ?? undefined;
  const audit = createAuditLog(db, { now });

  /** Runs a change and its outbox rows in one transaction, marking the update handled. */
  const commit = <T>(updateId: number | undefined, change: () => T): T => {
    const result = db
      .transaction(() => {
        const value = change();
        if (updateId !== undefined) store.markHandled(updateId);
        return value;
      })
      .immediate();
    onEnqueued?.();
    return result;
  };
  /**
   * Every message the desk sends goes through here, desk-topics' messages
   * too: what a person wrote loses its bidi controls, the message is made to
   * fit Telegram's limits (`fitMessage`), then queued. A split message's parts go in order;
   * the tag (and the returned id) is the last part's, the one with the buttons.
   */
  const send = (chatId: number, message: OutboxMessage, ticketId?: number, tag?: string) => {
    const parts = fitMessage(withoutBidiControlsIn(message));
    let id = 0;
    for (const [index, part] of parts.entries()) {
      id = outbox.enqueue({
        chatId,
        message: part,
        ...(ticketId !== undefined ? { ticketId } : {}),
        ...(tag && index === parts.length - 1 ? { tag } : {}),
      });
    }
    return id;
  };
  const sendHtml = (chatId: number, html: string, ticketId?: number, rows?: Button[][]) =>
    send(
      chatId,
      { kind: "text", text: html, options: { ...HTML, ...(rows ? keyboard(rows) : {}) } },
      ticketId,
    );
  const topics = createDeskTopics({
    db,
    tickets,
    operators,
    suggestions: deps.suggestions ?? createSuggestions(db, { now }),
    knowledge: deps.knowledge,
    send,
    tagged: outbox.tagged,
    ...(log ? { log } : {}),
    now,
  });

  const nameOf = (userId: number) => escapeHtml(operators.get(userId)?.name ?? `#${userId}`);
  const schedule = () => deps.knowledge().kb.directory.schedules.get("operators");
  // The truth first: operators on shift now, whatever the schedule says; the
  // schedule only when nobody is.
  const onShiftNow = () => operators.onShift().length > 0;
  const openSentence = (language: Language) => {
    if (onShiftNow()) return CITIZEN_TEXTS[language].onShiftNow;
    const hours = schedule();
    return hours ? describeOpenState(hours, new Date(now()), language) : "";
  };
  const operatorsAreIn = () => {
    if (onShiftNow()) return true;
    const hours = schedule();
    return hours === undefined || openState(hours, new Date(now())).open;
  };

  /** The ticket an operator's plain messages go to: the one they chose, else the latest taken. */
  const currentTicketOf = (operatorId: number): Ticket | undefined => {
    const focus = getFocus.get(operatorId)?.ticket_id;
    const chosen = focus === undefined ? undefined : tickets.ticket(focus);
    if (chosen?.state === "assigned" && chosen.operatorId === operatorId) return chosen;
    return tickets.ticketsOf(operatorId).at(-1);
  };

  const triedOf = (ticket: Ticket) => {
    const { kb } = deps.knowledge();
    return ticket.topIntents
      .map((guess) => {
        const title = kb.byId.get(guess.intent)?.title.ru ?? guess.intent;
        return `${escapeHtml(title)} (${Math.round(guess.score * 100)}%)`;
      })
      .join("; ");
  };

  /** Edits every card of a ticket (taken, or cancelled while waiting). */
  const editCards = (ticket: Ticket, html: string) => {
    for (const card of outbox.tagged(ticket.id, "card")) {
      send(card.chatId, { kind: "edit", outboxId: card.id, text: html, options: HTML }, ticket.id);
    }
  };

  /**
   * Shows an operator the ticket so far: the question, what the bot tried and
   * every message since, each whole; `send` splits it into as many messages
   * as it takes.
   */
  const sendTranscript = (operatorId: number, ticketId: number) => {
    const transcript = tickets.transcript(ticketId);
    if (!transcript) return;
    const { ticket, messages } = transcript;
    const lines = [
      OP.transcriptHeader(ticket.id),
      `<b>${OP.question}:</b> ${escapeHtml(ticket.question)}`,
    ];
    const tried = triedOf(ticket);
    if (tried) lines.push(`<b>${OP.tried}:</b> ${tried}`);
    const files: TicketMessage[] = [];
    for (const message of messages) {
      const who =
        message.direction === "citizen"
          ? OP.citizen
          : message.direction === "note"
            ? `${OP.note} (${nameOf(message.operatorId ?? 0)})`
            : `${OP.operator} ${nameOf(message.operatorId ?? 0)}`;
      const text = message.text ? escapeHtml(message.text) : "";
      const file = message.file ? `${OP.file(message.file.kind)} ` : "";
      lines.push(`<b>${who}:</b> ${file}${text}`);
      if (message.file && message.direction === "citizen") files.push(message);
    }
    sendHtml(operatorId, lines.join("\n"), ticket.id);
    for (const message of files) {
      if (!message.file) continue;
      send(operatorId, fileMessage(message.file, OP.fileFromCitizen(ticket.id)), ticket.id);
    }
  };

  const openTicketFor = (person: Person) => {
    const t = CITIZEN_TEXTS[person.language];
    const asked = store.lastQuestion(person.chatId, now() - questionWindowMs);
    const opened = tickets.openTicket({
      chatId: person.chatId,
      language: person.language,
      question: asked?.text ?? "—",
      topIntents: asked?.candidates.slice(0, 3) ?? [],
    });
    if (!opened.ok) {
      sendHtml(person.chatId, t.alreadyOpen(opened.ticket.id), opened.ticket.id);
      return;
    }
    const { ticket, position } = opened;
    const lines = [t.opened(ticket.id, position, tickets.expectedWaitMinutes())];
    if (!operatorsAreIn()) lines.push(t.offHours(openSentence(person.language)));
    lines.push(t.whileWaiting);
    sendHtml(person.chatId, lines.join("\n\n"), ticket.id);
    openCards(ticket);
    log?.info({ ticket: ticket.id, chat: person.chatId }, "ticket opened");
  };

  /** Tells everyone concerned that an operator has taken a ticket. */
  const announceTaken = (ticket: Ticket, operatorId: number) => {
    setFocus.run(operatorId, ticket.id);
    const name = nameOf(operatorId);
    sendHtml(
      ticket.chatId,
      CITIZEN_TEXTS[ticket.language].operatorJoined(ticket.id, name),
      ticket.id,
    );
    sendHtml(operatorId, OP.taken(ticket.id, ticket.language), ticket.id);
    sendTranscript(operatorId, ticket.id);
    editCards(ticket, OP.cardTaken(ticket.id, name));
  };

  const take = (person: Person, ticketId: number | undefined): PressAnswer => {
    if (ticketId === undefined) {
      const next = tickets.takeNext(person.userId);
      if (next.ok) {
        announceTaken(next.ticket, person.userId);
        return { spent: true };
      }
      const toast = next.reason === "queue_empty" ? OP.queueEmpty : refusal(next.reason);
      if (next.reason !== "not_operator") sendHtml(person.chatId, toast);
      if (next.reason === "not_operator") return {};
      return next.reason === "queue_empty" ? { toast, spent: true } : { toast };
    }
    const taken = tickets.takeTicket(ticketId, person.userId);
    if (taken.ok) {
      announceTaken(taken.ticket, person.userId);
      return { spent: true };
    }
    if (taken.reason === "not_operator") return {};
    // Taken by someone else or closed: that button (a card, a reminder) is done.
    const done = taken.reason === "already_taken" || taken.reason === "closed";
    const toast =
      taken.reason === "already_taken"
        ? OP.alreadyTaken(ticketId, nameOf(taken.ticket.operatorId ?? 0))
        : taken.reason === "closed"
          ? OP.ticketClosed(ticketId)
          : refusal(taken.reason);
    return done ? { toast: htmlToText(toast), spent: true } : { toast: htmlToText(toast) };
  };

  /** The ticket an operator means: the one replied to, else their current one. */
  const targetOf = (person: Person, message: Incoming): Ticket | undefined => {
    if (message.replyToMessageId !== undefined) {
      const id = outbox.ticketOfMessage(person.chatId, message.replyToMessageId);
      if (id !== undefined) return tickets.ticket(id);
    }
    return currentTicketOf(person.userId);
  };

  /** Audits (and logs) an action refused to whoever tried it. */
  const refused = (
    person: Person,
    action: AuditAction,
    reason: string,
    ticketId?: number,
    details: Record<string, unknown> = {},
  ) => {
    audit.record({
      operatorId: person.userId,
      action,
      ticketId: ticketId ?? null,
      details: { ...details, refused: reason },
    });
    log?.warn({ user: person.userId, action, ticket: ticketId, reason }, "action refused");
  };
  /** A removed operator not yet told since their latest removal. */
  const removedUntold = (person: Person): boolean => {
    const operator = operators.get(person.userId);
    if (!operator || operator.removedAt === null) return false;
    const removal = audit.latest("operator_remove", { operatorId: person.userId });
    const told = audit.latest("removal_told", { operatorId: person.userId });
    return !told || (removal !== undefined && removal.id > told.id);
  };
  const tellRemoved = (person: Person) => {
    audit.record({ operatorId: person.userId, action: "removal_told" });
    sendHtml(person.chatId, CITIZEN_TEXTS[person.language].noLongerOperator);
    log?.info({ user: person.userId }, "removed operator told");
  };
  const operatorOnly = (person: Person, action: AuditAction, ticketId?: number): boolean => {
    if (operators.roleOf(person.userId) !== undefined) return true;
    refused(person, action, "not_operator", ticketId);
    return false;
  };
  const supervisorOnly = (person: Person, command: OperatorCommand): boolean => {
    if (operators.roleOf(person.userId) === "supervisor") return true;
    refused(person, "command", "not_supervisor", undefined, { command });
    sendHtml(person.chatId, OP.notSupervisor);
    return false;
  };

  /** A refusal from the ticket service, said to the operator. */
  const refuse = (person: Person, ticketId: number, reason: string) => {
    const text =
      reason === "not_yours" || reason === "not_assigned"
        ? OP.notYours(ticketId)
        : reason === "closed"
          ? OP.ticketClosed(ticketId)
          : refusal(reason);
    sendHtml(person.chatId, text);
  };

  // Typed by the list, so a command added here is refused to citizens too.
  const commands: Record<OperatorCommand | "help", (person: Person, args: string) => void> = {
    shift: (person, args) => {
      const wanted = args === "on" ? true : args === "off" ? false : undefined;
      const operator = operators.get(person.userId);
      if (!operator) return;
      if (wanted === undefined) {
        sendHtml(person.chatId, OP.shiftState(operator.onShift));
        return;
      }
      operators.setShift(person.userId, wanted);
      if (wanted) {
        const waiting = tickets.queue().length;
        sendHtml(
          person.chatId,
          OP.shiftOn(waiting),
          undefined,
          waiting > 0 ? [[button(OP.takeNext, { kind: "take_next" })]] : undefined,
        );
      } else {
        sendHtml(person.chatId, OP.shiftOff(tickets.ticketsOf(person.userId).length));
      }
    },
    take: (person, args) => {
      const id = /^\d+$/.test(args) ? Number(args) : undefined;
      const answer = take(person, id);
      if (id !== undefined && answer.toast) sendHtml(person.chatId, escapeHtml(answer.toast));
    },
    tickets: (person) => {
      const mine = tickets.ticketsOf(person.userId);
      if (mine.length === 0) {
        sendHtml(person.chatId, OP.noTickets);
        return;
      }
      const current = currentTicketOf(person.userId)?.id;
      const rows = mine.map((ticket) => [
        button(`${ticket.id === current ? "▶️ " : ""}№${ticket.id} · ${clip(ticket.question, 40)}`, {
          kind: "switch",
          ticketId: ticket.id,
        }),
      ]);
      sendHtml(person.chatId, OP.tickets, undefined, rows);
    },
    note: (person, args) => {
      const ticket = currentTicketOf(person.userId);
      if (!ticket) return void sendHtml(person.chatId, OP.noCurrent);
      if (args === "") return void sendHtml(person.chatId, OP.noteUsage);
      const noted = tickets.addMessage({
        ticketId: ticket.id,
        direction: "note",
        operatorId: person.userId,
        text: args,
      });
      if (!noted.ok) return refuse(person, ticket.id, noted.reason);
      sendHtml(person.chatId, OP.noteSaved(ticket.id), ticket.id);
    },
    kb: (person, args) => {
      const ticket = currentTicketOf(person.userId);
      if (!ticket) return void sendHtml(person.chatId, OP.noCurrent);
      if (args === "") return void sendHtml(person.chatId, OP.kbUsage);
      const { kb, matcher } = deps.knowledge();
      const found = matcher.match(args).candidates.slice(0, 3);
      if (found.length === 0) return void sendHtml(person.chatId, OP.kbNothing);
      const rows = found.map(({ intent }) => [
        button(kb.byId.get(intent)?.title.ru ?? intent, {
          kind: "canned",
          ticketId: ticket.id,
          intent,
        }),
      ]);
      sendHtml(person.chatId, OP.kbChoose(ticket.id), ticket.id, rows);
    },
    transfer: (person, args) => transfer(person, args),
    close: (person, args) => {
      const id = /^\d+$/.test(args) ? Number(args) : currentTicketOf(person.userId)?.id;
      if (id === undefined) return void sendHtml(person.chatId, OP.noCurrent);
      const closed = tickets.close(id, person.userId);
      if (!closed.ok) return refuse(person, id, closed.reason);
      const { ticket } = closed;
      const t = CITIZEN_TEXTS[ticket.language];
      sendHtml(ticket.chatId, `${t.closed(ticket.id)}\n\n${t.askSolved}`, ticket.id, [
        [
          button(t.solvedYes, { kind: "solved", ticketId: ticket.id, solved: true }),
          button(t.solvedNo, { kind: "solved", ticketId: ticket.id, solved: false }),
        ],
      ]);
      topics.closed(ticket, person.chatId);
    },
    topic: (person, args) => {
      const outcome = topics.command(person.userId, args);
      if (outcome.text) sendHtml(person.chatId, escapeHtml(outcome.text));
    },
    queue: (person) => {
      if (!supervisorOnly(person, "queue")) return;
      const waiting = tickets.queue();
      const oldest = waiting[0];
      const onShift = operators
        .onShift()
        .map((o) => `${escapeHtml(o.name)} (${tickets.ticketsOf(o.userId).length})`)
        .join(", ");
      const minutes = oldest ? Math.floor((now() - oldest.createdAt) / 60_000) : undefined;
      sendHtml(person.chatId, OP.queue(waiting.length, minutes, onShift));
    },
    stats: (person) => {
      if (!supervisorOnly(person, "stats")) return;
      // The same figures as the managers' HTML report, for today (Moscow).
      const at = now();
      const { kb } = deps.knowledge();
      const today = collectReport(db, { since: startOfMoscowDay(at), until: at });
      sendHtml(
        person.chatId,
        formatReportText(today, { intentTitle: (id) => kb.byId.get(id)?.title.ru }),
      );
    },
    // Supervisors' /reload is the bot's (it reloads the running knowledge base); anyone else is refused.
    reload: (person) => void supervisorOnly(person, "reload"),
    help: (person) => void sendHtml(person.chatId, OP.help),
  };

  const transfer = (person: Person, args: string) => {
    const ticket = currentTicketOf(person.userId);
    if (!ticket) return void sendHtml(person.chatId, OP.noCurrent);
    const target = args === "queue" ? "queue" : /^\d+$/.test(args) ? Number(args) : undefined;
    if (target === undefined) {
      const onShift = operators
        .onShift()
        .filter((o) => o.userId !== person.userId)
        .map((o) => `${o.userId} — ${escapeHtml(o.name)}`);
      sendHtml(person.chatId, [OP.transferUsage, ...onShift].join("\n"));
      return;
    }
    const moved = tickets.transfer(ticket.id, person.userId, target);
    if (!moved.ok) {
      const text =
        moved.reason === "target_not_operator"
          ? OP.targetNotOperator
          : moved.reason === "target_off_shift"
            ? OP.targetOffShift
            : moved.reason === "same_operator"
              ? OP.sameOperator
              : undefined;
      return text ? void sendHtml(person.chatId, text) : refuse(person, ticket.id, moved.reason);
    }
    const t = CITIZEN_TEXTS[ticket.language];
    if (target === "queue") {
      const position = tickets.positionOf(ticket.id) ?? 1;
      sendHtml(ticket.chatId, t.backInQueue(ticket.id, position), ticket.id);
      sendHtml(person.chatId, OP.transferredToQueue(ticket.id), ticket.id);
      openCards(moved.ticket);
      return;
    }
    setFocus.run(target, ticket.id);
    sendHtml(ticket.chatId, t.transferred(ticket.id), ticket.id);
    sendHtml(person.chatId, OP.transferredTo(ticket.id, nameOf(target)), ticket.id);
    sendHtml(target, OP.transferredToYou(ticket.id, nameOf(person.userId)), ticket.id);
    sendTranscript(target, ticket.id);
  };

  /** A card with a Take button to every on-shift operator, tagged so taking it edits them. */
  const openCards = (ticket: Ticket) => {
    const question = escapeHtml(clip(ticket.question, QUESTION_PREVIEW));
    const card = OP.card(ticket.id, ticket.language, question, triedOf(ticket));
    for (const operator of operators.onShift()) {
      send(
        operator.userId,
        {
          kind: "text",
          text: card,
          options: {
            ...HTML,
            ...keyboard([[button(OP.take(ticket.id), { kind: "take", ticketId: ticket.id })]]),
          },
        },
        ticket.id,
        "card",
      );
    }
  };

  const canned = (person: Person, ticketId: number, intent: string): PressAnswer => {
    if (!operatorOnly(person, "kb_answer", ticketId)) return {};
    const ticket = tickets.ticket(ticketId);
    const { kb } = deps.knowledge();
    const answer = ticket && renderAnswer(kb, intent, ticket.language, new Date(now()));
    if (!ticket || !answer) return { toast: OP.kbNothing };
    const recorded = tickets.addMessage({
      ticketId,
      direction: "operator",
      operatorId: person.userId,
      text: htmlToText(answer.html),
    });
    if (!recorded.ok) {
      refuse(person, ticketId, recorded.reason);
      return recorded.reason === "closed" ? { spent: true } : {};
    }
    topics.kbAnswerSent(ticketId, person.userId, intent, recorded.message.id);
    const links: Button[][] = answer.links.map((link) => [{ text: link.title, url: link.url }]);
    sendHtml(
      ticket.chatId,
      CITIZEN_TEXTS[ticket.language].fromOperator(answer.html),
      ticketId,
      links.length > 0 ? links : undefined,
    );
    sendHtml(
      person.chatId,
      OP.kbSent(ticketId, escapeHtml(kb.byId.get(intent)?.title.ru ?? intent)),
      ticketId,
    );
    // One answer per choice list: pressing it again would send it twice.
    return { spent: true };
  };

  const pressed = (person: Person, action: DeskAction): PressAnswer => {
    const t = CITIZEN_TEXTS[person.language];
    switch (action.kind) {
      case "confirm":
      case "decline":
        // Made before the chat's latest ticket: that offer was used (or overtaken).
        if (action.after !== latestTicketOf(person.chatId)) {
          return { toast: t.offerStale, spent: true };
        }
        if (action.kind === "confirm") openTicketFor(person);
        else sendHtml(person.chatId, t.declined);
        return { spent: true };
      case "take":
        return take(person, action.ticketId);
      case "take_next":
        return take(person, undefined);
      case "switch": {
        if (!operatorOnly(person, "switch", action.ticketId)) return {};
        const ticket = tickets.ticket(action.ticketId);
        if (ticket?.state !== "assigned" || ticket.operatorId !== person.userId) {
          const reason = !ticket ? "not_found" : ticket.state === "closed" ? "closed" : "not_yours";
          refused(person, "switch", reason, action.ticketId);
          return { toast: htmlToText(OP.notYours(action.ticketId)), spent: true };
        }
        setFocus.run(person.userId, ticket.id);
        sendHtml(person.chatId, OP.switched(ticket.id), ticket.id);
        return {};
      }
      case "canned":
        return canned(person, action.ticketId, action.intent);
      case "solved": {
        const ticket = tickets.ticket(action.ticketId);
        if (ticket?.chatId !== person.chatId || ticket.state !== "closed") {
          const reason = !ticket
            ? "not_found"
            : ticket.chatId !== person.chatId
              ? "not_yours"
              : "not_closed";
          refused(person, "solved", reason, action.ticketId);
          return {};
        }
        if (ticket.rating !== null) return { toast: t.alreadyRated, spent: true };
        // The rating keyboard is sent once: a second "solved" press points to it.
        if (outbox.tagged(ticket.id, "rating").length > 0) {
          return { toast: t.ratingAsked, spent: true };
        }
        const tt = CITIZEN_TEXTS[ticket.language];
        const stars = [1, 2, 3, 4, 5].map((rating) =>
          button(String(rating), {
            kind: "rate",
            ticketId: ticket.id,
            solved: action.solved,
            rating,
          }),
        );
        send(
          person.chatId,
          { kind: "text", text: tt.askRating, options: { ...HTML, ...keyboard([stars]) } },
          ticket.id,
          "rating",
        );
        return { spent: true };
      }
      case "rate": {
        const rated = tickets.rate(action.ticketId, person.chatId, action.rating, action.solved);
        if (rated.ok) {
          sendHtml(person.chatId, CITIZEN_TEXTS[rated.ticket.language].thanks, rated.ticket.id);
          return { spent: true };
        }
        if (rated.reason === "already_rated") return { toast: t.alreadyRated, spent: true };
        refused(person, "rate", rated.reason, action.ticketId);
        return {};
      }
      case "topic":
      case "topic_skip": {
        const choice = action.kind === "topic" ? action.intent : "skip";
        const outcome = topics.choose(person.userId, action.ticketId, choice);
        return outcome?.text ? { toast: outcome.text } : {};
      }
    }
  };

  return {
    isOperator: (userId) => operators.roleOf(userId) !== undefined,

    offer: (person, intro, updateId) =>
      commit(updateId, () => {
        const t = CITIZEN_TEXTS[person.language];
        const open = tickets.openTicketOf(person.chatId);
        if (open) {
          sendHtml(person.chatId, t.alreadyOpen(open.id), open.id);
          return;
        }
        const text = t.offer(openSentence(person.language)).trim();
        // Bound to the chat's latest ticket: once one opens, this offer is stale.
        const after = latestTicketOf(person.chatId);
        const bound = after === undefined ? {} : { after };
        sendHtml(person.chatId, intro ? `${intro}\n\n${text}` : text, undefined, [
          [
            button(t.confirm, { kind: "confirm", ...bound }),
            button(t.decline, { kind: "decline", ...bound }),
          ],
        ]);
      }),

    citizenMessage: (person, message) => {
      const ticket = tickets.openTicketOf(person.chatId);
      if (!ticket) return false;
      commit(message.updateId, () => {
        const previous = tickets.lastMessage(ticket.id, "citizen");
        const added = tickets.addMessage({
          ticketId: ticket.id,
          direction: "citizen",
          ...content(message),
        });
        if (!added.ok) return;
        const current = added.ticket;
        if (current.state === "assigned" && current.operatorId !== null) {
          relayToOperator(current, message);
        } else if (!previous || now() - previous.createdAt > 60_000) {
          // Acknowledged once a minute at most: an album of photos gets one reply.
          const t = CITIZEN_TEXTS[current.language];
          sendHtml(person.chatId, t.added(current.id, tickets.positionOf(current.id)), current.id);
        }
      });
      return true;
    },

    cancel: (person, updateId) =>
      commit(updateId, () => {
        const t = CITIZEN_TEXTS[person.language];
        const cancelled = tickets.cancel(person.chatId);
        if (!cancelled.ok) {
          sendHtml(person.chatId, t.nothingToCancel);
          return;
        }
        const { ticket } = cancelled;
        sendHtml(person.chatId, t.cancelled(ticket.id), ticket.id);
        if (ticket.operatorId !== null) {
          sendHtml(ticket.operatorId, OP.citizenCancelled(ticket.id), ticket.id);
        } else {
          editCards(ticket, OP.cardCancelled(ticket.id));
        }
      }),

    press: (person, data, updateId) => {
      const action = decodeDeskAction(data);
      if (!action) return undefined;
      const answer = commit(updateId, (): PressAnswer => {
        // A removed operator pressing an old operator button hears why, once.
        if (OPERATOR_BUTTONS.has(action.kind) && removedUntold(person)) {
          tellRemoved(person);
          return { spent: true };
        }
        return pressed(person, action);
      });
      // A toast can name another operator ("already taken by …").
      return answer.toast === undefined
        ? answer
        : { ...answer, toast: withoutBidiControls(answer.toast) };
    },

    operatorMessage: (person, message) =>
      commit(message.updateId, () => {
        if (!operatorOnly(person, "message")) return;
        const ticket = targetOf(person, message);
        if (!ticket) return void sendHtml(person.chatId, OP.noCurrent);
        const added = tickets.addMessage({
          ticketId: ticket.id,
          direction: "operator",
          operatorId: person.userId,
          ...content(message),
        });
        if (!added.ok) return refuse(person, ticket.id, added.reason);
        const t = CITIZEN_TEXTS[ticket.language];
        const text = message.text ?? "";
        if (message.file) {
          const caption = text ? `${t.operatorLabel}: ${escapeHtml(text)}` : t.operatorLabel;
          // A caption too long for Telegram: the file goes labelled, the text after it.
          const fits = shownLength(caption) <= CAPTION_LIMIT;
          send(
            ticket.chatId,
            fileMessage(message.file, fits ? caption : t.operatorLabel),
            ticket.id,
          );
          if (fits) return;
        }
        for (const piece of splitPlainText(text, TEXT_LIMIT - shownLength(t.fromOperator("")))) {
          sendHtml(ticket.chatId, t.fromOperator(escapeHtml(piece)), ticket.id);
        }
      }),

    operatorCommand: (person, command, updateId) =>
      commit(updateId, () => {
        if (operators.roleOf(person.userId) === undefined) {
          refused(person, "command", "not_operator", undefined, { command: command.name });
          sendHtml(person.chatId, CITIZEN_TEXTS[person.language].operatorsOnly);
          return;
        }
        // Own keys only: "/constructor" or "/__proto__" must not reach Object.prototype.
        const name = command.name as keyof typeof commands;
        const run = Object.hasOwn(commands, name) ? commands[name] : commands.help;
        run(person, command.args.trim());
      }),

    formerOperator: (person, updateId) => {
      if (!removedUntold(person)) return false;
      commit(updateId, () => tellRemoved(person));
      return true;
    },

    requeued: (ticketIds) =>
      commit(undefined, () => {
        for (const id of ticketIds) {
          const ticket = tickets.ticket(id);
          if (ticket?.state !== "waiting") continue;
          const position = tickets.positionOf(id) ?? 1;
          sendHtml(ticket.chatId, CITIZEN_TEXTS[ticket.language].backInQueue(id, position), id);
          openCards(ticket);
        }
      }),

    remindOverdue: () =>
      commit(undefined, () => {
        const at = now();
        // One reminder a period, listing every ticket waiting past the limit:
        // tickets that pass it one by one do not each bring their own.
        lastReminderAt ??= lastReminder.get()?.at ?? null;
        if (lastReminderAt !== null && lastReminderAt > at - waitLimitMs) return 0;
        const due = overdue.all(at - waitLimitMs);
        if (due.length === 0) return 0;
        lastReminderAt = at;
        const recipients = new Set([
          ...operators.onShift().map((o) => o.userId),
          ...operators
            .list()
            .filter((o) => o.role === "supervisor")
            .map((o) => o.userId),
        ]);
        const minutesOf = (ticket: { created_at: number }) =>
          Math.floor((at - ticket.created_at) / 60_000);
        for (const ticket of due) markReminded.run(at, ticket.id);
        // One message a recipient: a Take button for a single ticket, else
        // the list and "Take next".
        const [only] = due;
        for (const userId of recipients) {
          if (only && due.length === 1) {
            sendHtml(userId, OP.reminder(only.id, minutesOf(only)), only.id, [
              [button(OP.take(only.id), { kind: "take", ticketId: only.id })],
            ]);
          } else {
            const lines = due.map((ticket) => OP.reminderLine(ticket.id, minutesOf(ticket)));
            sendHtml(userId, OP.reminderDigest(waitLimitMs / 60_000, lines), undefined, [
              [button(OP.takeNext, { kind: "take_next" })],
            ]);
          }
        }
        log?.info({ tickets: due.map((t) => t.id) }, "waiting tickets reminded");
        return due.length;
      }),

    undeliverable: (item, error) => {
      const ticket = item.ticketId === null ? undefined : tickets.ticket(item.ticketId);
      const blocked = /^403\b/.test(error);
      if (ticket && item.chatId === ticket.chatId) {
        commit(undefined, () => {
          if (blocked) store.markBlocked(ticket.chatId);
          if (ticket.operatorId !== null) {
            const text = blocked ? OP.citizenBlocked(ticket.id) : OP.undelivered(ticket.id);
            send(ticket.operatorId, { kind: "text", text, options: HTML }, ticket.id, UNDELIVERED);
          }
        });
        return;
      }
      // A message to staff refused: they hear of it as of one to a citizen,
      // unless it was such a notice (no loop) or they blocked the bot.
      if (item.tag === UNDELIVERED || blocked || operators.roleOf(item.chatId) === undefined)
        return;
      const text = OP.undeliveredToYou(ticket?.id, escapeHtml(error));
      commit(undefined, () => {
        send(item.chatId, { kind: "text", text, options: HTML }, ticket?.id, UNDELIVERED);
      });
    },
  };

  function relayToOperator(ticket: Ticket, message: Incoming) {
    const operatorId = ticket.operatorId;
    if (operatorId === null) return;
    const text = message.text ?? "";
    if (message.refusedFile) {
      const marked = `${OP.fileRefused(message.refusedFile)} ${escapeHtml(text)}`;
      sendHtml(operatorId, OP.fromCitizen(ticket.id, marked), ticket.id);
      return;
    }
    if (message.file) {
      const label = OP.fileFromCitizen(ticket.id);
      const caption = text ? `${label}: ${escapeHtml(text)}` : label;
      // A caption too long for Telegram: the file goes labelled, the text after it.
      const fits = shownLength(caption) <= CAPTION_LIMIT;
      send(operatorId, fileMessage(message.file, fits ? caption : label), ticket.id);
      if (fits) return;
    }
    const room = TEXT_LIMIT - shownLength(OP.fromCitizen(ticket.id, ""));
    for (const piece of splitPlainText(text, room)) {
      sendHtml(operatorId, OP.fromCitizen(ticket.id, escapeHtml(piece)), ticket.id);
    }
  }
}

function content(message: Incoming) {
  return {
    ...(message.text !== undefined && message.text !== "" ? { text: message.text } : {}),
    ...(message.file ? { file: message.file } : {}),
    ...(message.messageId !== undefined ? { telegramMessageId: message.messageId } : {}),
  };
}

function fileMessage(file: TicketFile, captionHtml: string): OutboxMessage {
  return {
    kind: file.kind,
    fileId: file.id,
    caption: captionHtml,
    options: { parse_mode: "HTML" },
  };
}

function refusal(reason: string): string {
  switch (reason) {
    case "not_operator":
      return OP.notOperator;
    case "off_shift":
      return OP.offShift;
    default:
      return OP.notFound;
  }
}

function clip(text: string, length: number): string {
  if (text.length <= length) return text;
  return `${text.slice(0, cutBefore(text, length - 1))}…`;
}
