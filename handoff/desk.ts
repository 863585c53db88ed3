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
import type { Language } from "../knowledge/stem.ts";
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
import { startOfMoscowDay } from "./moscow-day.ts";
import type { OperatorCommand } from "./operator-commands.ts";
import type { AuditAction, OutboxItem, OutboxMessage, Repositories } from "./ports.ts";
import { formatReportText } from "./report/index.ts";
import type { SqlClient } from "./sql/client.ts";
import type { Ticket, TicketFile, TicketMessage } from "./ticket-model.ts";

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

/**
 * Thrown by a desk step whose update was handled by another handler in the
 * meantime (Telegram delivered it again, to another process, while the first
 * still worked): the step changed nothing, and the update is skipped.
 */
export class UpdateAlreadyHandled extends Error {
  override readonly name = "UpdateAlreadyHandled";
  readonly code = "update_already_handled";
  constructor(readonly updateId: number) {
    super(`update ${updateId} was handled meanwhile by another handler: skipped`);
  }
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
  /**
   * The database. Each step runs in one transaction on it, with every
   * repository built on that transaction's client; reads outside a step use
   * it directly.
   */
  db: SqlClient;
  /**
   * Builds every repository on a client: a step's transaction, or `db`
   * (repositoriesOn from handoff/sql with the clock and storage monitor).
   */
  repositories: (sql: SqlClient) => Repositories;
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
 * transferring and closing. Everything the desk says goes to the outbox in
 * the same transaction as the change it reports, and the
 * Telegram bot and the terminal console both drive this one desk.
 *
 * Every operator action checks the sender's role and that the ticket is theirs
 * (the ticket service does, and audits refusals); a citizen pressing a forged
 * operator button gets nothing.
 */
export interface Desk {
  isOperator(userId: number): Promise<boolean>;
  /** Asks a citizen to confirm they want an operator; `intro` (HTML) comes first. */
  offer(person: Person, intro?: string, updateId?: number): Promise<void>;
  /** A citizen's message: goes to their open ticket (true), or false if they have none. */
  citizenMessage(person: Person, message: Incoming): Promise<boolean>;
  /** `/cancel` from a citizen. */
  cancel(person: Person, updateId?: number): Promise<void>;
  /** A button press; undefined when `data` is not a desk button. */
  press(person: Person, data: string, updateId?: number): Promise<PressAnswer | undefined>;
  /** A message from an operator (not a command): goes to a ticket of theirs. */
  operatorMessage(person: Person, message: Incoming): Promise<void>;
  /** A command from an operator. */
  operatorCommand(person: Person, command: Command, updateId?: number): Promise<void>;
  /**
   * A removed operator writing for the first time since their removal: tells
   * them, once, that they no longer are one (true: the message is answered).
   * False for anyone else, and for them afterwards: they are a citizen now.
   */
  formerOperator(person: Person, updateId?: number): Promise<boolean>;
  /** Tickets put back in the queue outside the desk (an operator was removed): tells their citizens and cards them again. */
  requeued(ticketIds: readonly number[]): Promise<void>;
  /**
   * Reminds on-shift operators and supervisors, in one message each, of the
   * tickets waiting longer than the limit, at most once a limit; returns how many.
   */
  remindOverdue(): Promise<number>;
  /** The delivery worker gave up on a row: tell the operator, mark a blocked citizen. */
  undeliverable(item: OutboxItem, error: string): Promise<void>;
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
  const { db, repositories, onEnqueued, log, now = Date.now } = deps;
  const { questionWindowMs = 30 * 60_000, waitLimitMs = 10 * 60_000 } = options;
  /** When the last reminder went out; read from the tickets at the first run (a restart). */
  let lastReminderAt: number | null | undefined;

  /**
   * The desk's work on one client: a step's transaction (every repository
   * on it, so all the step writes commits together), or the database for a
   * read outside a step.
   */
  const stepOn = (sql: SqlClient) => {
    const { store, tickets, operators, outbox, suggestions, audit, focus, reports } =
      repositories(sql);
    /**
     * Every message the desk sends goes through here, desk-topics' messages
     * too: what a person wrote loses its bidi controls, the message is made to
     * fit Telegram's limits (`fitMessage`), then queued. A split message's parts go in order;
     * the tag (and the returned id) is the last part's, the one with the buttons.
     */
    const send = async (
      chatId: number,
      message: OutboxMessage,
      ticketId?: number,
      tag?: string,
    ) => {
      const parts = fitMessage(withoutBidiControlsIn(message));
      let id = 0;
      for (const [index, part] of parts.entries()) {
        id = await outbox.enqueue({
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
      audit,
      tickets,
      operators,
      suggestions,
      knowledge: deps.knowledge,
      send,
      tagged: outbox.tagged,
      ...(log ? { log } : {}),
      now,
    });

    const nameOf = async (userId: number) =>
      escapeHtml((await operators.get(userId))?.name ?? `#${userId}`);
    const schedule = () => deps.knowledge().kb.directory.schedules.get("operators");
    // The truth first: operators on shift now, whatever the schedule says; the
    // schedule only when nobody is.
    const onShiftNow = async () => (await operators.onShift()).length > 0;
    const openSentence = async (language: Language) => {
      if (await onShiftNow()) return CITIZEN_TEXTS[language].onShiftNow;
      const hours = schedule();
      return hours ? describeOpenState(hours, new Date(now()), language) : "";
    };
    const operatorsAreIn = async () => {
      if (await onShiftNow()) return true;
      const hours = schedule();
      return hours === undefined || openState(hours, new Date(now())).open;
    };

    /** The ticket an operator's plain messages go to: the one they chose, else the latest taken. */
    const currentTicketOf = async (operatorId: number): Promise<Ticket | undefined> => {
      const chosenId = await focus.of(operatorId);
      const chosen = chosenId === undefined ? undefined : await tickets.ticket(chosenId);
      if (chosen?.state === "assigned" && chosen.operatorId === operatorId) return chosen;
      return (await tickets.ticketsOf(operatorId)).at(-1);
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
    const editCards = async (ticket: Ticket, html: string) => {
      for (const card of await outbox.tagged(ticket.id, "card")) {
        await send(
          card.chatId,
          { kind: "edit", outboxId: card.id, text: html, options: HTML },
          ticket.id,
        );
      }
    };

    /**
     * Shows an operator the ticket so far: the question, what the bot tried and
     * every message since, each whole; `send` splits it into as many messages
     * as it takes.
     */
    const sendTranscript = async (operatorId: number, ticketId: number) => {
      const transcript = await tickets.transcript(ticketId);
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
              ? `${OP.note} (${await nameOf(message.operatorId ?? 0)})`
              : `${OP.operator} ${await nameOf(message.operatorId ?? 0)}`;
        const text = message.text ? escapeHtml(message.text) : "";
        const file = message.file ? `${OP.file(message.file.kind)} ` : "";
        lines.push(`<b>${who}:</b> ${file}${text}`);
        if (message.file && message.direction === "citizen") files.push(message);
      }
      await sendHtml(operatorId, lines.join("\n"), ticket.id);
      for (const message of files) {
        if (!message.file) continue;
        await send(operatorId, fileMessage(message.file, OP.fileFromCitizen(ticket.id)), ticket.id);
      }
    };

    const openTicketFor = async (person: Person) => {
      const t = CITIZEN_TEXTS[person.language];
      const asked = await store.lastQuestion(person.chatId, now() - questionWindowMs);
      const opened = await tickets.openTicket({
        chatId: person.chatId,
        language: person.language,
        question: asked?.text ?? "—",
        topIntents: asked?.candidates.slice(0, 3) ?? [],
      });
      if (!opened.ok) {
        await sendHtml(person.chatId, t.alreadyOpen(opened.ticket.id), opened.ticket.id);
        return;
      }
      const { ticket, position } = opened;
      const lines = [t.opened(ticket.id, position, await tickets.expectedWaitMinutes())];
      if (!(await operatorsAreIn())) lines.push(t.offHours(await openSentence(person.language)));
      lines.push(t.whileWaiting);
      await sendHtml(person.chatId, lines.join("\n\n"), ticket.id);
      await openCards(ticket);
      log?.info({ ticket: ticket.id, chat: person.chatId }, "ticket opened");
    };

    /** Tells everyone concerned that an operator has taken a ticket. */
    const announceTaken = async (ticket: Ticket, operatorId: number) => {
      await focus.set(operatorId, ticket.id);
      const name = await nameOf(operatorId);
      await sendHtml(
        ticket.chatId,
        CITIZEN_TEXTS[ticket.language].operatorJoined(ticket.id, name),
        ticket.id,
      );
      await sendHtml(operatorId, OP.taken(ticket.id, ticket.language), ticket.id);
      await sendTranscript(operatorId, ticket.id);
      await editCards(ticket, OP.cardTaken(ticket.id, name));
    };

    const take = async (person: Person, ticketId: number | undefined): Promise<PressAnswer> => {
      if (ticketId === undefined) {
        const next = await tickets.takeNext(person.userId);
        if (next.ok) {
          await announceTaken(next.ticket, person.userId);
          return { spent: true };
        }
        const toast = next.reason === "queue_empty" ? OP.queueEmpty : refusal(next.reason);
        if (next.reason !== "not_operator") await sendHtml(person.chatId, toast);
        if (next.reason === "not_operator") return {};
        return next.reason === "queue_empty" ? { toast, spent: true } : { toast };
      }
      const taken = await tickets.takeTicket(ticketId, person.userId);
      if (taken.ok) {
        await announceTaken(taken.ticket, person.userId);
        return { spent: true };
      }
      if (taken.reason === "not_operator") return {};
      // Taken by someone else or closed: that button (a card, a reminder) is done.
      const done = taken.reason === "already_taken" || taken.reason === "closed";
      const toast =
        taken.reason === "already_taken"
          ? OP.alreadyTaken(ticketId, await nameOf(taken.ticket.operatorId ?? 0))
          : taken.reason === "closed"
            ? OP.ticketClosed(ticketId)
            : refusal(taken.reason);
      return done ? { toast: htmlToText(toast), spent: true } : { toast: htmlToText(toast) };
    };

    /** The ticket an operator means: the one replied to, else their current one. */
    const targetOf = async (person: Person, message: Incoming): Promise<Ticket | undefined> => {
      if (message.replyToMessageId !== undefined) {
        const id = await outbox.ticketOfMessage(person.chatId, message.replyToMessageId);
        if (id !== undefined) return tickets.ticket(id);
      }
      return currentTicketOf(person.userId);
    };

    /** Audits (and logs) an action refused to whoever tried it. */
    const refused = async (
      person: Person,
      action: AuditAction,
      reason: string,
      ticketId?: number,
      details: Record<string, unknown> = {},
    ) => {
      await audit.record({
        operatorId: person.userId,
        action,
        ticketId: ticketId ?? null,
        details: { ...details, refused: reason },
      });
      log?.warn({ user: person.userId, action, ticket: ticketId, reason }, "action refused");
    };
    /** A removed operator not yet told since their latest removal. */
    const removedUntold = async (person: Person): Promise<boolean> => {
      const operator = await operators.get(person.userId);
      if (!operator || operator.removedAt === null) return false;
      const removal = await audit.latest("operator_remove", { operatorId: person.userId });
      const told = await audit.latest("removal_told", { operatorId: person.userId });
      return !told || (removal !== undefined && removal.id > told.id);
    };
    const tellRemoved = async (person: Person) => {
      await audit.record({ operatorId: person.userId, action: "removal_told" });
      await sendHtml(person.chatId, CITIZEN_TEXTS[person.language].noLongerOperator);
      log?.info({ user: person.userId }, "removed operator told");
    };
    const operatorOnly = async (
      person: Person,
      action: AuditAction,
      ticketId?: number,
    ): Promise<boolean> => {
      if ((await operators.roleOf(person.userId)) !== undefined) return true;
      await refused(person, action, "not_operator", ticketId);
      return false;
    };
    const supervisorOnly = async (person: Person, command: OperatorCommand): Promise<boolean> => {
      if ((await operators.roleOf(person.userId)) === "supervisor") return true;
      await refused(person, "command", "not_supervisor", undefined, { command });
      await sendHtml(person.chatId, OP.notSupervisor);
      return false;
    };

    /** A refusal from the ticket service, said to the operator. */
    const refuse = async (person: Person, ticketId: number, reason: string) => {
      const text =
        reason === "not_yours" || reason === "not_assigned"
          ? OP.notYours(ticketId)
          : reason === "closed"
            ? OP.ticketClosed(ticketId)
            : refusal(reason);
      await sendHtml(person.chatId, text);
    };

    // Typed by the list, so a command added here is refused to citizens too.
    const commands: Record<
      OperatorCommand | "help",
      (person: Person, args: string) => Promise<void>
    > = {
      shift: async (person, args) => {
        const wanted = args === "on" ? true : args === "off" ? false : undefined;
        const operator = await operators.get(person.userId);
        if (!operator) return;
        if (wanted === undefined) {
          await sendHtml(person.chatId, OP.shiftState(operator.onShift));
          return;
        }
        await operators.setShift(person.userId, wanted);
        if (wanted) {
          const waiting = (await tickets.queue()).length;
          await sendHtml(
            person.chatId,
            OP.shiftOn(waiting),
            undefined,
            waiting > 0 ? [[button(OP.takeNext, { kind: "take_next" })]] : undefined,
          );
        } else {
          await sendHtml(
            person.chatId,
            OP.shiftOff((await tickets.ticketsOf(person.userId)).length),
          );
        }
      },
      take: async (person, args) => {
        const id = /^\d+$/.test(args) ? Number(args) : undefined;
        const answer = await take(person, id);
        if (id !== undefined && answer.toast)
          await sendHtml(person.chatId, escapeHtml(answer.toast));
      },
      tickets: async (person) => {
        const mine = await tickets.ticketsOf(person.userId);
        if (mine.length === 0) {
          await sendHtml(person.chatId, OP.noTickets);
          return;
        }
        const current = (await currentTicketOf(person.userId))?.id;
        const rows = mine.map((ticket) => [
          button(
            `${ticket.id === current ? "▶️ " : ""}№${ticket.id} · ${clip(ticket.question, 40)}`,
            {
              kind: "switch",
              ticketId: ticket.id,
            },
          ),
        ]);
        await sendHtml(person.chatId, OP.tickets, undefined, rows);
      },
      note: async (person, args) => {
        const ticket = await currentTicketOf(person.userId);
        if (!ticket) return void (await sendHtml(person.chatId, OP.noCurrent));
        if (args === "") return void (await sendHtml(person.chatId, OP.noteUsage));
        const noted = await tickets.addMessage({
          ticketId: ticket.id,
          direction: "note",
          operatorId: person.userId,
          text: args,
        });
        if (!noted.ok) return refuse(person, ticket.id, noted.reason);
        await sendHtml(person.chatId, OP.noteSaved(ticket.id), ticket.id);
      },
      kb: async (person, args) => {
        const ticket = await currentTicketOf(person.userId);
        if (!ticket) return void (await sendHtml(person.chatId, OP.noCurrent));
        if (args === "") return void (await sendHtml(person.chatId, OP.kbUsage));
        const { kb, matcher } = deps.knowledge();
        const found = matcher.match(args).candidates.slice(0, 3);
        if (found.length === 0) return void (await sendHtml(person.chatId, OP.kbNothing));
        const rows = found.map(({ intent }) => [
          button(kb.byId.get(intent)?.title.ru ?? intent, {
            kind: "canned",
            ticketId: ticket.id,
            intent,
          }),
        ]);
        await sendHtml(person.chatId, OP.kbChoose(ticket.id), ticket.id, rows);
      },
      transfer: (person, args) => transfer(person, args),
      close: async (person, args) => {
        const id = /^\d+$/.test(args) ? Number(args) : (await currentTicketOf(person.userId))?.id;
        if (id === undefined) return void (await sendHtml(person.chatId, OP.noCurrent));
        const closed = await tickets.close(id, person.userId);
        if (!closed.ok) return refuse(person, id, closed.reason);
        const { ticket } = closed;
        const t = CITIZEN_TEXTS[ticket.language];
        await sendHtml(ticket.chatId, `${t.closed(ticket.id)}\n\n${t.askSolved}`, ticket.id, [
          [
            button(t.solvedYes, { kind: "solved", ticketId: ticket.id, solved: true }),
            button(t.solvedNo, { kind: "solved", ticketId: ticket.id, solved: false }),
          ],
        ]);
        await topics.closed(ticket, person.chatId);
      },
      topic: async (person, args) => {
        const outcome = await topics.command(person.userId, args);
        if (outcome.text) await sendHtml(person.chatId, escapeHtml(outcome.text));
      },
      queue: async (person) => {
        if (!(await supervisorOnly(person, "queue"))) return;
        const waiting = await tickets.queue();
        const oldest = waiting[0];
        const lines: string[] = [];
        for (const o of await operators.onShift()) {
          lines.push(`${escapeHtml(o.name)} (${(await tickets.ticketsOf(o.userId)).length})`);
        }
        const onShift = lines.join(", ");
        const minutes = oldest ? Math.floor((now() - oldest.createdAt) / 60_000) : undefined;
        await sendHtml(person.chatId, OP.queue(waiting.length, minutes, onShift));
      },
      stats: async (person) => {
        if (!(await supervisorOnly(person, "stats"))) return;
        // The same figures as the managers' HTML report, for today (Moscow).
        const at = now();
        const { kb } = deps.knowledge();
        const today = await reports.collect({ since: startOfMoscowDay(at), until: at });
        await sendHtml(
          person.chatId,
          formatReportText(today, { intentTitle: (id) => kb.byId.get(id)?.title.ru }),
        );
      },
      // Supervisors' /reload is the bot's (it reloads the running knowledge base); anyone else is refused.
      reload: async (person) => void (await supervisorOnly(person, "reload")),
      help: async (person) => void (await sendHtml(person.chatId, OP.help)),
    };

    const transfer = async (person: Person, args: string) => {
      const ticket = await currentTicketOf(person.userId);
      if (!ticket) return void (await sendHtml(person.chatId, OP.noCurrent));
      const target = args === "queue" ? "queue" : /^\d+$/.test(args) ? Number(args) : undefined;
      if (target === undefined) {
        const onShift = (await operators.onShift())
          .filter((o) => o.userId !== person.userId)
          .map((o) => `${o.userId} — ${escapeHtml(o.name)}`);
        await sendHtml(person.chatId, [OP.transferUsage, ...onShift].join("\n"));
        return;
      }
      const moved = await tickets.transfer(ticket.id, person.userId, target);
      if (!moved.ok) {
        const text =
          moved.reason === "target_not_operator"
            ? OP.targetNotOperator
            : moved.reason === "target_off_shift"
              ? OP.targetOffShift
              : moved.reason === "same_operator"
                ? OP.sameOperator
                : undefined;
        return text
          ? void (await sendHtml(person.chatId, text))
          : refuse(person, ticket.id, moved.reason);
      }
      const t = CITIZEN_TEXTS[ticket.language];
      if (target === "queue") {
        const position = (await tickets.positionOf(ticket.id)) ?? 1;
        await sendHtml(ticket.chatId, t.backInQueue(ticket.id, position), ticket.id);
        await sendHtml(person.chatId, OP.transferredToQueue(ticket.id), ticket.id);
        await openCards(moved.ticket);
        return;
      }
      await focus.set(target, ticket.id);
      await sendHtml(ticket.chatId, t.transferred(ticket.id), ticket.id);
      await sendHtml(person.chatId, OP.transferredTo(ticket.id, await nameOf(target)), ticket.id);
      await sendHtml(
        target,
        OP.transferredToYou(ticket.id, await nameOf(person.userId)),
        ticket.id,
      );
      await sendTranscript(target, ticket.id);
    };

    /** A card with a Take button to every on-shift operator, tagged so taking it edits them. */
    const openCards = async (ticket: Ticket) => {
      const question = escapeHtml(clip(ticket.question, QUESTION_PREVIEW));
      const card = OP.card(ticket.id, ticket.language, question, triedOf(ticket));
      for (const operator of await operators.onShift()) {
        await send(
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

    const canned = async (
      person: Person,
      ticketId: number,
      intent: string,
    ): Promise<PressAnswer> => {
      if (!(await operatorOnly(person, "kb_answer", ticketId))) return {};
      const ticket = await tickets.ticket(ticketId);
      const { kb } = deps.knowledge();
      const answer = ticket && renderAnswer(kb, intent, ticket.language, new Date(now()));
      if (!ticket || !answer) return { toast: OP.kbNothing };
      const recorded = await tickets.addMessage({
        ticketId,
        direction: "operator",
        operatorId: person.userId,
        text: htmlToText(answer.html),
      });
      if (!recorded.ok) {
        await refuse(person, ticketId, recorded.reason);
        return recorded.reason === "closed" ? { spent: true } : {};
      }
      await topics.kbAnswerSent(ticketId, person.userId, intent, recorded.message.id);
      const links: Button[][] = answer.links.map((link) => [{ text: link.title, url: link.url }]);
      await sendHtml(
        ticket.chatId,
        CITIZEN_TEXTS[ticket.language].fromOperator(answer.html),
        ticketId,
        links.length > 0 ? links : undefined,
      );
      await sendHtml(
        person.chatId,
        OP.kbSent(ticketId, escapeHtml(kb.byId.get(intent)?.title.ru ?? intent)),
        ticketId,
      );
      // One answer per choice list: pressing it again would send it twice.
      return { spent: true };
    };

    const pressed = async (person: Person, action: DeskAction): Promise<PressAnswer> => {
      const t = CITIZEN_TEXTS[person.language];
      switch (action.kind) {
        case "confirm":
        case "decline":
          // Made before the chat's latest ticket: that offer was used (or overtaken).
          if (action.after !== (await tickets.latestTicketIdOf(person.chatId))) {
            return { toast: t.offerStale, spent: true };
          }
          if (action.kind === "confirm") await openTicketFor(person);
          else await sendHtml(person.chatId, t.declined);
          return { spent: true };
        case "take":
          return take(person, action.ticketId);
        case "take_next":
          return take(person, undefined);
        case "switch": {
          if (!(await operatorOnly(person, "switch", action.ticketId))) return {};
          const ticket = await tickets.ticket(action.ticketId);
          if (ticket?.state !== "assigned" || ticket.operatorId !== person.userId) {
            const reason = !ticket
              ? "not_found"
              : ticket.state === "closed"
                ? "closed"
                : "not_yours";
            await refused(person, "switch", reason, action.ticketId);
            return { toast: htmlToText(OP.notYours(action.ticketId)), spent: true };
          }
          await focus.set(person.userId, ticket.id);
          await sendHtml(person.chatId, OP.switched(ticket.id), ticket.id);
          return {};
        }
        case "canned":
          return canned(person, action.ticketId, action.intent);
        case "solved": {
          const ticket = await tickets.ticket(action.ticketId);
          if (ticket?.chatId !== person.chatId || ticket.state !== "closed") {
            const reason = !ticket
              ? "not_found"
              : ticket.chatId !== person.chatId
                ? "not_yours"
                : "not_closed";
            await refused(person, "solved", reason, action.ticketId);
            return {};
          }
          if (ticket.rating !== null) return { toast: t.alreadyRated, spent: true };
          // The rating keyboard is sent once: a second "solved" press points to it.
          if ((await outbox.tagged(ticket.id, "rating")).length > 0) {
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
          await send(
            person.chatId,
            { kind: "text", text: tt.askRating, options: { ...HTML, ...keyboard([stars]) } },
            ticket.id,
            "rating",
          );
          return { spent: true };
        }
        case "rate": {
          const rated = await tickets.rate(
            action.ticketId,
            person.chatId,
            action.rating,
            action.solved,
          );
          if (rated.ok) {
            await sendHtml(
              person.chatId,
              CITIZEN_TEXTS[rated.ticket.language].thanks,
              rated.ticket.id,
            );
            return { spent: true };
          }
          if (rated.reason === "already_rated") return { toast: t.alreadyRated, spent: true };
          await refused(person, "rate", rated.reason, action.ticketId);
          return {};
        }
        case "topic":
        case "topic_skip": {
          const choice = action.kind === "topic" ? action.intent : "skip";
          const outcome = await topics.choose(person.userId, action.ticketId, choice);
          return outcome?.text ? { toast: outcome.text } : {};
        }
      }
    };

    return {
      isOperator: async (userId: number) => (await operators.roleOf(userId)) !== undefined,
      tickets,
      removedUntold,
      claimHandled: (updateId: number) => store.claimHandled(updateId),

      offer: async (person: Person, intro: string | undefined) => {
        const t = CITIZEN_TEXTS[person.language];
        const open = await tickets.openTicketOf(person.chatId);
        if (open) {
          await sendHtml(person.chatId, t.alreadyOpen(open.id), open.id);
          return;
        }
        const text = t.offer(await openSentence(person.language)).trim();
        // Bound to the chat's latest ticket: once one opens, this offer is stale.
        const after = await tickets.latestTicketIdOf(person.chatId);
        const bound = after === undefined ? {} : { after };
        await sendHtml(person.chatId, intro ? `${intro}\n\n${text}` : text, undefined, [
          [
            button(t.confirm, { kind: "confirm", ...bound }),
            button(t.decline, { kind: "decline", ...bound }),
          ],
        ]);
      },

      citizenMessage: async (person: Person, ticket: Ticket, message: Incoming) => {
        const previous = await tickets.lastMessage(ticket.id, "citizen");
        const added = await tickets.addMessage({
          ticketId: ticket.id,
          direction: "citizen",
          ...content(message),
        });
        if (!added.ok) return;
        const current = added.ticket;
        if (current.state === "assigned" && current.operatorId !== null) {
          await relayToOperator(current, message);
        } else if (!previous || now() - previous.createdAt > 60_000) {
          // Acknowledged once a minute at most: an album of photos gets one reply.
          const t = CITIZEN_TEXTS[current.language];
          await sendHtml(
            person.chatId,
            t.added(current.id, await tickets.positionOf(current.id)),
            current.id,
          );
        }
      },

      cancel: async (person: Person) => {
        const t = CITIZEN_TEXTS[person.language];
        const cancelled = await tickets.cancel(person.chatId);
        if (!cancelled.ok) {
          await sendHtml(person.chatId, t.nothingToCancel);
          return;
        }
        const { ticket } = cancelled;
        await sendHtml(person.chatId, t.cancelled(ticket.id), ticket.id);
        if (ticket.operatorId !== null) {
          await sendHtml(ticket.operatorId, OP.citizenCancelled(ticket.id), ticket.id);
        } else {
          await editCards(ticket, OP.cardCancelled(ticket.id));
        }
      },

      press: async (person: Person, action: DeskAction): Promise<PressAnswer> => {
        // A removed operator pressing an old operator button hears why, once.
        if (OPERATOR_BUTTONS.has(action.kind) && (await removedUntold(person))) {
          await tellRemoved(person);
          return { spent: true };
        }
        return pressed(person, action);
      },

      operatorMessage: async (person: Person, message: Incoming) => {
        if (!(await operatorOnly(person, "message"))) return;
        const ticket = await targetOf(person, message);
        if (!ticket) return void (await sendHtml(person.chatId, OP.noCurrent));
        const added = await tickets.addMessage({
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
          await send(
            ticket.chatId,
            fileMessage(message.file, fits ? caption : t.operatorLabel),
            ticket.id,
          );
          if (fits) return;
        }
        for (const piece of splitPlainText(text, TEXT_LIMIT - shownLength(t.fromOperator("")))) {
          await sendHtml(ticket.chatId, t.fromOperator(escapeHtml(piece)), ticket.id);
        }
      },

      operatorCommand: async (person: Person, command: Command) => {
        if ((await operators.roleOf(person.userId)) === undefined) {
          await refused(person, "command", "not_operator", undefined, { command: command.name });
          await sendHtml(person.chatId, CITIZEN_TEXTS[person.language].operatorsOnly);
          return;
        }
        // Own keys only: "/constructor" or "/__proto__" must not reach Object.prototype.
        const name = command.name as keyof typeof commands;
        const run = Object.hasOwn(commands, name) ? commands[name] : commands.help;
        await run(person, command.args.trim());
      },

      tellRemoved,

      requeued: async (ticketIds: readonly number[]) => {
        for (const id of ticketIds) {
          const ticket = await tickets.ticket(id);
          if (ticket?.state !== "waiting") continue;
          const position = (await tickets.positionOf(id)) ?? 1;
          await sendHtml(
            ticket.chatId,
            CITIZEN_TEXTS[ticket.language].backInQueue(id, position),
            id,
          );
          await openCards(ticket);
        }
      },

      remindOverdue: async () => {
        const at = now();
        // One reminder a period, listing every ticket waiting past the limit:
        // tickets that pass it one by one do not each bring their own.
        lastReminderAt ??= await tickets.lastReminderAt();
        if (lastReminderAt !== null && lastReminderAt > at - waitLimitMs) return 0;
        const due = await tickets.overdue(at - waitLimitMs);
        if (due.length === 0) return 0;
        lastReminderAt = at;
        const recipients = new Set([
          ...(await operators.onShift()).map((o) => o.userId),
          ...(await operators.list()).filter((o) => o.role === "supervisor").map((o) => o.userId),
        ]);
        const minutesOf = (ticket: { createdAt: number }) =>
          Math.floor((at - ticket.createdAt) / 60_000);
        await tickets.markReminded(
          due.map((ticket) => ticket.id),
          at,
        );
        // One message a recipient: a Take button for a single ticket, else
        // the list and "Take next".
        const [only] = due;
        for (const userId of recipients) {
          if (only && due.length === 1) {
            await sendHtml(userId, OP.reminder(only.id, minutesOf(only)), only.id, [
              [button(OP.take(only.id), { kind: "take", ticketId: only.id })],
            ]);
          } else {
            const lines = due.map((ticket) => OP.reminderLine(ticket.id, minutesOf(ticket)));
            await sendHtml(userId, OP.reminderDigest(waitLimitMs / 60_000, lines), undefined, [
              [button(OP.takeNext, { kind: "take_next" })],
            ]);
          }
        }
        log?.info({ tickets: due.map((t) => t.id) }, "waiting tickets reminded");
        return due.length;
      },

      undeliveredToCitizen: async (ticket: Ticket, blocked: boolean) => {
        if (blocked) await store.markBlocked(ticket.chatId);
        if (ticket.operatorId !== null) {
          const text = blocked ? OP.citizenBlocked(ticket.id) : OP.undelivered(ticket.id);
          await send(
            ticket.operatorId,
            { kind: "text", text, options: HTML },
            ticket.id,
            UNDELIVERED,
          );
        }
      },

      undeliveredToStaff: async (item: OutboxItem, ticketId: number | undefined, error: string) => {
        const text = OP.undeliveredToYou(ticketId, escapeHtml(error));
        await send(item.chatId, { kind: "text", text, options: HTML }, ticketId, UNDELIVERED);
      },
    };

    async function relayToOperator(ticket: Ticket, message: Incoming) {
      const operatorId = ticket.operatorId;
      if (operatorId === null) return;
      const text = message.text ?? "";
      if (message.refusedFile) {
        const marked = `${OP.fileRefused(message.refusedFile)} ${escapeHtml(text)}`;
        await sendHtml(operatorId, OP.fromCitizen(ticket.id, marked), ticket.id);
        return;
      }
      if (message.file) {
        const label = OP.fileFromCitizen(ticket.id);
        const caption = text ? `${label}: ${escapeHtml(text)}` : label;
        // A caption too long for Telegram: the file goes labelled, the text after it.
        const fits = shownLength(caption) <= CAPTION_LIMIT;
        await send(operatorId, fileMessage(message.file, fits ? caption : label), ticket.id);
        if (fits) return;
      }
      const room = TEXT_LIMIT - shownLength(OP.fromCitizen(ticket.id, ""));
      for (const piece of splitPlainText(text, room)) {
        await sendHtml(operatorId, OP.fromCitizen(ticket.id, escapeHtml(piece)), ticket.id);
      }
    }
  };

  type Step = ReturnType<typeof stepOn>;
  /**
   * Runs a step in one transaction, every repository on its client, and
   * marks the update handled in it: the change, its outbox rows and "handled"
   * commit together or not at all. The update is claimed first, so that a
   * second handler of it (another process, Telegram having delivered it
   * again meanwhile) waits for this one's commit, then changes nothing and
   * throws UpdateAlreadyHandled. The delivery worker is woken after the
   * commit (no network call inside a transaction).
   */
  const commit = async <T>(
    updateId: number | undefined,
    work: (step: Step) => T | Promise<T>,
  ): Promise<T> => {
    const result = await db.transaction(async (tx) => {
      const step = stepOn(tx);
      if (updateId !== undefined && !(await step.claimHandled(updateId)))
        throw new UpdateAlreadyHandled(updateId);
      return await work(step);
    });
    onEnqueued?.();
    return result;
  };
  /** Reads outside a step, on the database. */
  const read = stepOn(db);

  return {
    isOperator: (userId) => read.isOperator(userId),
    offer: (person, intro, updateId) => commit(updateId, (step) => step.offer(person, intro)),
    citizenMessage: async (person, message) => {
      const ticket = await read.tickets.openTicketOf(person.chatId);
      if (!ticket) return false;
      await commit(message.updateId, (step) => step.citizenMessage(person, ticket, message));
      return true;
    },
    cancel: (person, updateId) => commit(updateId, (step) => step.cancel(person)),
    press: async (person, data, updateId) => {
      const action = decodeDeskAction(data);
      if (!action) return undefined;
      const answer = await commit(updateId, (step) => step.press(person, action));
      // A toast can name another operator ("already taken by …").
      return answer.toast === undefined
        ? answer
        : { ...answer, toast: withoutBidiControls(answer.toast) };
    },
    operatorMessage: (person, message) =>
      commit(message.updateId, (step) => step.operatorMessage(person, message)),
    operatorCommand: (person, command, updateId) =>
      commit(updateId, (step) => step.operatorCommand(person, command)),
    formerOperator: async (person, updateId) => {
      if (!(await read.removedUntold(person))) return false;
      await commit(updateId, (step) => step.tellRemoved(person));
      return true;
    },
    requeued: (ticketIds) => commit(undefined, (step) => step.requeued(ticketIds)),
    remindOverdue: () => commit(undefined, (step) => step.remindOverdue()),
    undeliverable: async (item, error) => {
      const ticket = item.ticketId === null ? undefined : await read.tickets.ticket(item.ticketId);
      const blocked = /^403\b/.test(error);
      if (ticket && item.chatId === ticket.chatId) {
        await commit(undefined, (step) => step.undeliveredToCitizen(ticket, blocked));
        return;
      }
      // A message to staff refused: they hear of it as of one to a citizen,
      // unless it was such a notice (no loop) or they blocked the bot.
      if (item.tag === UNDELIVERED || blocked || !(await read.isOperator(item.chatId))) return;
      await commit(undefined, (step) => step.undeliveredToStaff(item, ticket?.id, error));
    },
  };
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
