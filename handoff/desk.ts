import {
  describeOpenState,
  htmlToText,
  type KnowledgeBase,
  type Matcher,
  openState,
  renderAnswer,
} from "../knowledge/index.ts";
import type { Language } from "../knowledge/stem.ts";
import type { DeskAction, OperatorRequest } from "./desk-actions.ts";
import { createDeskTopics } from "./desk-topics.ts";
import type {
  Availability,
  CitizenNotice,
  DeskChannel,
  DeskEffect,
  PressAnswer,
  Shown,
  StaffNotice,
  TriedIntent,
} from "./effects.ts";
import { startOfMoscowDay } from "./moscow-day.ts";
import {
  type ActRefusal,
  type AuditAction,
  isDeskRole,
  type OutboxItem,
  type Repositories,
  type StaffMember,
} from "./ports.ts";
import type { SqlClient } from "./sql/client.ts";
import type { Ticket, TicketFile } from "./ticket-model.ts";

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
  /** The ticket a staff member's message is for (the web console names it). */
  ticketId?: number;
  /** A file came with `text` (its caption) but the file rules refused it: the operator is told. */
  refusedFile?: "type" | "size";
  /**
   * The update it came in. Marked handled in the same transaction as the
   * change it makes, so an update delivered again after a crash is not
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
  /**
   * How what the desk says reaches people, built for each step on its
   * repositories (the Telegram channel queues rendered messages in the
   * step's outbox).
   */
  channel: (repositories: Repositories) => DeskChannel;
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
 * transferring and closing. It takes actions and decides effects in the
 * domain's words (who is told what, with which choices), handed to the
 * channel in the same transaction as the change they report; channels render
 * them (the Telegram bot, the terminal chat).
 *
 * Every operator action checks the sender's role and that the ticket is theirs
 * (the ticket service does, and audits refusals); a citizen pressing a forged
 * operator button gets nothing.
 */
export interface Desk {
  /** Whether a Telegram user is current staff (their private chat is an operator console). */
  isOperator(telegramUserId: number): Promise<boolean>;
  /** Asks a citizen to confirm they want an operator; `intro` (the channel's own words) comes first. */
  offer(person: Person, intro?: string, updateId?: number): Promise<void>;
  /** A citizen's message: goes to their open ticket (true), or false if they have none. */
  citizenMessage(person: Person, message: Incoming): Promise<boolean>;
  /** `/cancel` from a citizen. */
  cancel(person: Person, updateId?: number): Promise<void>;
  /** A button press, decoded by the channel. */
  press(person: Person, action: DeskAction, updateId?: number): Promise<PressAnswer>;
  /** A message from an operator (not a command): goes to a ticket of theirs. */
  operatorMessage(person: Person, message: Incoming): Promise<void>;
  /** A request from an operator (a console command), parsed by the channel. */
  operatorRequest(person: Person, request: OperatorRequest, updateId?: number): Promise<void>;
  /**
   * A staff member acting outside Telegram (the web console, signed in):
   * a message to a ticket of theirs (`message.ticketId`, else their
   * current one: true when it was relayed), a request, or an operator's
   * choice. What they are told comes as effects to their staff id; false
   * (undefined for a choice) when they are not current staff, and nothing
   * happened.
   */
  staffMessage(staffId: number, message: Incoming): Promise<boolean>;
  staffRequest(staffId: number, request: OperatorRequest): Promise<boolean>;
  staffPress(staffId: number, action: OperatorButton): Promise<PressAnswer | undefined>;
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
  /**
   * The delivery worker gave up on a row: tell the operator, mark a blocked
   * citizen (`blocked`: the person blocked the bot, Telegram's 403).
   */
  undeliverable(item: OutboxItem, error: string, blocked: boolean): Promise<void>;
}

/**
 * Someone acting as current staff: the staff member, and the Telegram
 * person when they act in Telegram (null in the web console).
 */
interface Acting {
  staffId: number;
  telegram: Person | null;
}

/** The buttons only operators are sent, each with the audit action a refusal of it is recorded as. */
const OPERATOR_BUTTONS = {
  take: "take",
  take_next: "take_next",
  switch: "switch",
  canned: "kb_answer",
  topic: "topic",
  topic_skip: "topic",
} as const satisfies Partial<Record<DeskAction["kind"], AuditAction>>;
export type OperatorButton = Extract<DeskAction, { kind: keyof typeof OPERATOR_BUTTONS }>;
type CitizenButton = Exclude<DeskAction, OperatorButton>;
const isOperatorButton = (action: DeskAction): action is OperatorButton =>
  Object.hasOwn(OPERATOR_BUTTONS, action.kind);
const staffToast = (notice: StaffNotice) => ({ kind: "staff", notice }) as const;
const citizenToast = (notice: CitizenNotice) => ({ kind: "citizen", notice }) as const;

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
    const repos = repositories(sql);
    const { store, tickets, staff, outbox, suggestions, audit, focus, reports } = repos;
    const channel = deps.channel(repos);
    const deliver = (effect: DeskEffect) => channel.deliver(effect);
    /** Tells a citizen something, about a ticket if given. */
    const tellCitizen = (
      to: { chatId: number; language: Language },
      notice: CitizenNotice,
      ticketId?: number,
      shown?: Shown,
    ) =>
      deliver({
        kind: "citizen",
        chatId: to.chatId,
        language: to.language,
        notice,
        ...(ticketId !== undefined ? { ticketId } : {}),
        ...(shown ? { shown } : {}),
      });
    /** Tells a staff member something, about a ticket if given. */
    const tellStaff = (staffId: number, notice: StaffNotice, ticketId?: number, shown?: Shown) =>
      deliver({
        kind: "staff",
        staffId,
        notice,
        ...(ticketId !== undefined ? { ticketId } : {}),
        ...(shown ? { shown } : {}),
      });
    const topics = createDeskTopics({
      audit,
      tickets,
      staff,
      suggestions,
      knowledge: deps.knowledge,
      tell: tellStaff,
      update: (ticketId, notice) => deliver({ kind: "update", ticketId, shown: "topic", notice }),
      ...(log ? { log } : {}),
      now,
    });

    const nameOf = async (staffId: number) => (await staff.get(staffId))?.name ?? `#${staffId}`;
    const schedule = () => deps.knowledge().kb.directory.schedules.get("operators");
    // The truth first: operators on shift now, whatever the schedule says; the
    // schedule only when nobody is.
    const onShiftNow = async () => (await staff.onShift()).length > 0;
    const availability = async (language: Language): Promise<Availability> => {
      if (await onShiftNow()) return { kind: "on_shift" };
      const hours = schedule();
      return hours
        ? { kind: "scheduled", described: describeOpenState(hours, new Date(now()), language) }
        : { kind: "unknown" };
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

    const titleOf = (intent: string) => deps.knowledge().kb.byId.get(intent)?.title.ru ?? intent;
    const triedOf = (ticket: Ticket): TriedIntent[] =>
      ticket.topIntents.map((guess) => ({ ...guess, title: titleOf(guess.intent) }));

    /**
     * Shows an operator the ticket so far: the question, what the bot tried and
     * every message since, then the citizen's files.
     */
    const sendTranscript = async (operatorId: number, ticketId: number) => {
      const transcript = await tickets.transcript(ticketId);
      if (!transcript) return;
      const { ticket, messages } = transcript;
      const lines = [];
      for (const message of messages) {
        lines.push({
          who: message.direction,
          ...(message.direction === "citizen"
            ? {}
            : { name: await nameOf(message.operatorId ?? 0) }),
          ...(message.text ? { text: message.text } : {}),
          ...(message.file ? { file: message.file } : {}),
        });
      }
      await tellStaff(
        operatorId,
        {
          kind: "transcript",
          ticketId: ticket.id,
          question: ticket.question,
          tried: triedOf(ticket),
          lines,
        },
        ticket.id,
      );
      for (const message of messages) {
        if (message.file && message.direction === "citizen") {
          await tellStaff(
            operatorId,
            { kind: "citizen_file", ticketId: ticket.id, file: message.file },
            ticket.id,
          );
        }
      }
    };

    const openTicketFor = async (person: Person) => {
      const asked = await store.lastQuestion(person.chatId, now() - questionWindowMs);
      const opened = await tickets.openTicket({
        chatId: person.chatId,
        language: person.language,
        question: asked?.text ?? "—",
        topIntents: asked?.candidates.slice(0, 3) ?? [],
      });
      if (!opened.ok) {
        await tellCitizen(
          person,
          { kind: "already_open", ticketId: opened.ticket.id },
          opened.ticket.id,
        );
        return;
      }
      const { ticket, position } = opened;
      const waitMinutes = await tickets.expectedWaitMinutes();
      const away = (await operatorsAreIn()) ? undefined : await availability(person.language);
      await tellCitizen(
        person,
        {
          kind: "ticket_opened",
          ticketId: ticket.id,
          position,
          ...(waitMinutes !== undefined ? { waitMinutes } : {}),
          ...(away ? { away } : {}),
        },
        ticket.id,
      );
      await openCards(ticket);
      log?.info({ ticket: ticket.id, chat: person.chatId }, "ticket opened");
    };

    /** Tells everyone concerned that an operator has taken a ticket. */
    const announceTaken = async (ticket: Ticket, operatorId: number) => {
      await focus.set(operatorId, ticket.id);
      const operatorName = await nameOf(operatorId);
      await tellCitizen(
        ticket,
        { kind: "operator_joined", ticketId: ticket.id, operatorName },
        ticket.id,
      );
      await tellStaff(
        operatorId,
        { kind: "taken", ticketId: ticket.id, language: ticket.language },
        ticket.id,
      );
      await sendTranscript(operatorId, ticket.id);
      await deliver({
        kind: "update",
        ticketId: ticket.id,
        shown: "card",
        notice: { kind: "card_taken", ticketId: ticket.id, operatorName },
      });
    };

    /** The current member of the desk a Telegram user is, acting as such; undefined for anyone else. */
    const actingAs = async (person: Person): Promise<Acting | undefined> => {
      const member = await staff.byTelegram(person.userId);
      return member && member.removedAt === null && isDeskRole(member.role)
        ? { staffId: member.id, telegram: person }
        : undefined;
    };
    /** A current member of the desk by id, acting outside Telegram (the web console). */
    const actingById = async (staffId: number): Promise<Acting | undefined> =>
      (await staff.deskRoleOf(staffId)) === undefined ? undefined : { staffId, telegram: null };

    const take = async (person: Acting, ticketId: number | undefined): Promise<PressAnswer> => {
      if (ticketId === undefined) {
        const next = await tickets.takeNext(person.staffId);
        if (next.ok) {
          await announceTaken(next.ticket, person.staffId);
          return { spent: true };
        }
        if (next.reason === "not_operator") return {};
        const notice =
          next.reason === "queue_empty" ? { kind: "queue_empty" as const } : refusal(next.reason);
        await tellStaff(person.staffId, notice);
        return next.reason === "queue_empty"
          ? { toast: staffToast(notice), spent: true }
          : { toast: staffToast(notice) };
      }
      const taken = await tickets.takeTicket(ticketId, person.staffId);
      if (taken.ok) {
        await announceTaken(taken.ticket, person.staffId);
        return { spent: true };
      }
      if (taken.reason === "not_operator") return {};
      // Taken by someone else or closed: that button (a card, a reminder) is done.
      if (taken.reason === "already_taken") {
        const operatorName = await nameOf(taken.ticket.operatorId ?? 0);
        return {
          toast: staffToast({ kind: "already_taken", ticketId, operatorName }),
          spent: true,
        };
      }
      if (taken.reason === "closed") {
        return { toast: staffToast({ kind: "ticket_closed", ticketId }), spent: true };
      }
      return { toast: staffToast(refusal(taken.reason)) };
    };

    /** The ticket an operator means: the one replied to, else their current one. */
    const targetOf = async (person: Acting, message: Incoming): Promise<Ticket | undefined> => {
      if (message.ticketId !== undefined) return tickets.ticket(message.ticketId);
      if (message.replyToMessageId !== undefined && person.telegram) {
        const id = await outbox.ticketOfMessage(person.telegram.chatId, message.replyToMessageId);
        if (id !== undefined) return tickets.ticket(id);
      }
      return currentTicketOf(person.staffId);
    };

    /** Audits (and logs) an action refused to whoever tried it: staff, a stranger, a citizen. */
    const refused = async (
      person: Person | Acting,
      action: AuditAction,
      reason: string,
      ticketId?: number,
      details: Record<string, unknown> = {},
    ) => {
      const staffId = "staffId" in person ? person.staffId : null;
      const telegramUserId =
        "staffId" in person ? (person.telegram?.userId ?? null) : person.userId;
      await audit.record({
        staffId,
        telegramUserId,
        action,
        ticketId: ticketId ?? null,
        details: { ...details, refused: reason },
      });
      log?.warn(
        { user: telegramUserId, staff: staffId, action, ticket: ticketId, reason },
        "action refused",
      );
    };
    /** The removed staff member a Telegram user was, if not yet told since their latest removal. */
    const removedUntold = async (person: Person): Promise<StaffMember | undefined> => {
      const member = await staff.byTelegram(person.userId);
      if (!member || member.removedAt === null) return undefined;
      const removal = await audit.latest("operator_remove", { staffId: member.id });
      const told = await audit.latest("removal_told", { staffId: member.id });
      return !told || (removal !== undefined && removal.id > told.id) ? member : undefined;
    };
    const tellRemoved = async (person: Person, member: StaffMember) => {
      await audit.record({
        staffId: member.id,
        telegramUserId: person.userId,
        action: "removal_told",
      });
      await tellCitizen(person, { kind: "no_longer_operator" });
      log?.info({ user: person.userId, staff: member.id }, "removed operator told");
    };
    const supervisorOnly = async (
      person: Acting,
      command: OperatorRequest["kind"],
    ): Promise<boolean> => {
      if ((await staff.roleOf(person.staffId)) === "supervisor") return true;
      await refused(person, "command", "not_supervisor", undefined, { command });
      await tellStaff(person.staffId, { kind: "not_supervisor" });
      return false;
    };

    /** A refusal from the ticket service, said to the operator. */
    const refuse = async (person: Acting, ticketId: number, reason: ActRefusal) => {
      const notice: StaffNotice =
        reason === "not_yours" || reason === "not_assigned"
          ? { kind: "not_yours", ticketId }
          : reason === "closed"
            ? { kind: "ticket_closed", ticketId }
            : refusal(reason);
      await tellStaff(person.staffId, notice);
    };

    // Typed by the requests, so a request added there is handled here.
    type Handlers = {
      [K in OperatorRequest["kind"]]: (
        person: Acting,
        request: OperatorRequest & { kind: K },
      ) => Promise<void>;
    };
    const requests: Handlers = {
      shift: async (person, { on }) => {
        const operator = await staff.get(person.staffId);
        if (!operator) return;
        if (on === undefined) {
          await tellStaff(person.staffId, { kind: "shift_state", onShift: operator.onShift });
          return;
        }
        await staff.setShift(person.staffId, on);
        if (on) {
          await tellStaff(person.staffId, {
            kind: "shift_on",
            waiting: (await tickets.queue()).length,
          });
        } else {
          const open = (await tickets.ticketsOf(person.staffId)).length;
          await tellStaff(person.staffId, { kind: "shift_off", open });
        }
      },
      take: async (person, { ticketId }) => {
        const answer = await take(person, ticketId);
        // Typed, not pressed: what a button's notice would say comes as a message.
        if (ticketId !== undefined && answer.toast?.kind === "staff") {
          await tellStaff(person.staffId, answer.toast.notice);
        }
      },
      tickets: async (person) => {
        const mine = await tickets.ticketsOf(person.staffId);
        if (mine.length === 0) return tellStaff(person.staffId, { kind: "no_tickets" });
        const current = (await currentTicketOf(person.staffId))?.id;
        await tellStaff(person.staffId, {
          kind: "your_tickets",
          tickets: mine.map((ticket) => ({
            ticketId: ticket.id,
            question: ticket.question,
            current: ticket.id === current,
          })),
        });
      },
      note: async (person, { text, ticketId }) => {
        const ticket =
          ticketId === undefined
            ? await currentTicketOf(person.staffId)
            : await tickets.ticket(ticketId);
        if (!ticket) return tellStaff(person.staffId, { kind: "no_current" });
        if (text === "") return tellStaff(person.staffId, { kind: "note_usage" });
        const noted = await tickets.addMessage({
          ticketId: ticket.id,
          direction: "note",
          operatorId: person.staffId,
          text,
        });
        if (!noted.ok) return refuse(person, ticket.id, noted.reason);
        await tellStaff(person.staffId, { kind: "note_saved", ticketId: ticket.id }, ticket.id);
      },
      kb: async (person, { query }) => {
        const ticket = await currentTicketOf(person.staffId);
        if (!ticket) return tellStaff(person.staffId, { kind: "no_current" });
        if (query === "") return tellStaff(person.staffId, { kind: "kb_usage" });
        const found = deps.knowledge().matcher.match(query).candidates.slice(0, 3);
        if (found.length === 0) return tellStaff(person.staffId, { kind: "kb_nothing" });
        const choices = found.map(({ intent }) => ({ intent, title: titleOf(intent) }));
        await tellStaff(
          person.staffId,
          { kind: "kb_choose", ticketId: ticket.id, choices },
          ticket.id,
        );
      },
      transfer: (person, { to, ticketId }) => transfer(person, to, ticketId),
      close: async (person, request) => {
        const id = request.ticketId ?? (await currentTicketOf(person.staffId))?.id;
        if (id === undefined) return tellStaff(person.staffId, { kind: "no_current" });
        const closed = await tickets.close(id, person.staffId);
        if (!closed.ok) return refuse(person, id, closed.reason);
        const { ticket } = closed;
        await tellCitizen(ticket, { kind: "closed", ticketId: ticket.id }, ticket.id);
        await topics.closed(ticket, person.staffId);
      },
      topic: async (person, { choice }) => {
        const outcome = await topics.command(person.staffId, choice);
        if (outcome.notice) await tellStaff(person.staffId, outcome.notice);
      },
      queue: async (person) => {
        if (!(await supervisorOnly(person, "queue"))) return;
        const waiting = await tickets.queue();
        const oldest = waiting[0];
        const onShift = [];
        for (const o of await staff.onShift()) {
          onShift.push({ name: o.name, open: (await tickets.ticketsOf(o.id)).length });
        }
        await tellStaff(person.staffId, {
          kind: "queue",
          waiting: waiting.length,
          ...(oldest ? { oldestMinutes: Math.floor((now() - oldest.createdAt) / 60_000) } : {}),
          onShift,
        });
      },
      stats: async (person) => {
        if (!(await supervisorOnly(person, "stats"))) return;
        // The same figures as the managers' report, for today (Moscow).
        const at = now();
        const report = await reports.collect({ since: startOfMoscowDay(at), until: at });
        await tellStaff(person.staffId, { kind: "stats", report });
      },
      // Supervisors' /reload is the bot's (it reloads the running knowledge base); anyone else is refused.
      reload: async (person) => void (await supervisorOnly(person, "reload")),
      help: (person) => tellStaff(person.staffId, { kind: "help" }),
    };
    const handle = <K extends OperatorRequest["kind"]>(
      person: Acting,
      request: OperatorRequest & { kind: K },
    ) => (requests[request.kind] as Handlers[K])(person, request);

    const transfer = async (
      person: Acting,
      target: number | "queue" | undefined,
      ticketId?: number,
    ) => {
      const ticket =
        ticketId === undefined
          ? await currentTicketOf(person.staffId)
          : await tickets.ticket(ticketId);
      if (!ticket) return tellStaff(person.staffId, { kind: "no_current" });
      if (target === undefined) {
        const onShift = (await staff.onShift())
          .filter((o) => o.id !== person.staffId)
          .map((o) => ({ staffId: o.id, name: o.name }));
        await tellStaff(person.staffId, { kind: "transfer_usage", onShift });
        return;
      }
      const moved = await tickets.transfer(ticket.id, person.staffId, target);
      if (!moved.ok) {
        switch (moved.reason) {
          case "target_not_operator":
          case "target_off_shift":
          case "same_operator":
            return tellStaff(person.staffId, { kind: moved.reason });
          default:
            return refuse(person, ticket.id, moved.reason);
        }
      }
      if (target === "queue") {
        const position = (await tickets.positionOf(ticket.id)) ?? 1;
        await tellCitizen(
          ticket,
          { kind: "back_in_queue", ticketId: ticket.id, position },
          ticket.id,
        );
        await tellStaff(
          person.staffId,
          { kind: "transferred_to_queue", ticketId: ticket.id },
          ticket.id,
        );
        await openCards(moved.ticket);
        return;
      }
      await focus.set(target, ticket.id);
      await tellCitizen(ticket, { kind: "transferred", ticketId: ticket.id }, ticket.id);
      await tellStaff(
        person.staffId,
        { kind: "transferred_to", ticketId: ticket.id, operatorName: await nameOf(target) },
        ticket.id,
      );
      await tellStaff(
        target,
        { kind: "transferred_to_you", ticketId: ticket.id, fromName: await nameOf(person.staffId) },
        ticket.id,
      );
      await sendTranscript(target, ticket.id);
    };

    /** A card with a Take choice to every on-shift operator, shown so taking it updates them. */
    const openCards = async (ticket: Ticket) => {
      const card: StaffNotice = {
        kind: "card",
        ticketId: ticket.id,
        language: ticket.language,
        question: ticket.question,
        tried: triedOf(ticket),
      };
      for (const member of await staff.onShift()) {
        await tellStaff(member.id, card, ticket.id, "card");
      }
    };

    /** A staff member's message to a ticket of theirs: the one named, replied to, or their current one. */
    const staffMessage = async (person: Acting, message: Incoming): Promise<boolean> => {
      const ticket = await targetOf(person, message);
      if (!ticket) {
        await tellStaff(person.staffId, { kind: "no_current" });
        return false;
      }
      const added = await tickets.addMessage({
        ticketId: ticket.id,
        direction: "operator",
        operatorId: person.staffId,
        ...content(message),
      });
      if (!added.ok) {
        await refuse(person, ticket.id, added.reason);
        return false;
      }
      await tellCitizen(
        ticket,
        {
          kind: "from_operator",
          ...(message.text ? { text: message.text } : {}),
          ...(message.file ? { file: message.file } : {}),
          messageId: added.message.id,
        },
        ticket.id,
      );
      return true;
    };

    const canned = async (
      person: Acting,
      ticketId: number,
      intent: string,
    ): Promise<PressAnswer> => {
      const ticket = await tickets.ticket(ticketId);
      const { kb } = deps.knowledge();
      const answer = ticket && renderAnswer(kb, intent, ticket.language, new Date(now()));
      if (!ticket || !answer) return { toast: staffToast({ kind: "kb_nothing" }) };
      const recorded = await tickets.addMessage({
        ticketId,
        direction: "operator",
        operatorId: person.staffId,
        text: htmlToText(answer.html),
      });
      if (!recorded.ok) {
        await refuse(person, ticketId, recorded.reason);
        return recorded.reason === "closed" ? { spent: true } : {};
      }
      await topics.kbAnswerSent(ticketId, person.staffId, intent, recorded.message.id);
      await tellCitizen(
        ticket,
        { kind: "kb_answer", answer, messageId: recorded.message.id },
        ticketId,
      );
      await tellStaff(
        person.staffId,
        { kind: "kb_sent", ticketId, title: titleOf(intent) },
        ticketId,
      );
      // One answer per choice list: pressing it again would send it twice.
      return { spent: true };
    };

    /** A citizen's button. */
    const citizenPressed = async (person: Person, action: CitizenButton): Promise<PressAnswer> => {
      switch (action.kind) {
        case "confirm":
        case "decline":
          // Made before the chat's latest ticket: that offer was used (or overtaken).
          if (action.after !== (await tickets.latestTicketIdOf(person.chatId))) {
            return { toast: citizenToast({ kind: "offer_stale" }), spent: true };
          }
          if (action.kind === "confirm") await openTicketFor(person);
          else await tellCitizen(person, { kind: "declined" });
          return { spent: true };
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
          if (ticket.rating !== null)
            return { toast: citizenToast({ kind: "already_rated" }), spent: true };
          // The rating question is asked once: a second "solved" press points to it.
          if (await channel.wasShown(ticket.id, "rating")) {
            return { toast: citizenToast({ kind: "rating_asked" }), spent: true };
          }
          await tellCitizen(
            ticket,
            { kind: "ask_rating", ticketId: ticket.id, solved: action.solved },
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
            await tellCitizen(rated.ticket, { kind: "rated" }, rated.ticket.id);
            return { spent: true };
          }
          if (rated.reason === "already_rated") {
            return { toast: citizenToast({ kind: "already_rated" }), spent: true };
          }
          await refused(person, "rate", rated.reason, action.ticketId);
          return {};
        }
      }
    };

    /** An operator's button, pressed by current staff. */
    const operatorPressed = async (
      person: Acting,
      action: OperatorButton,
    ): Promise<PressAnswer> => {
      switch (action.kind) {
        case "take":
          return take(person, action.ticketId);
        case "take_next":
          return take(person, undefined);
        case "switch": {
          const ticket = await tickets.ticket(action.ticketId);
          if (ticket?.state !== "assigned" || ticket.operatorId !== person.staffId) {
            const reason = !ticket
              ? "not_found"
              : ticket.state === "closed"
                ? "closed"
                : "not_yours";
            await refused(person, "switch", reason, action.ticketId);
            return {
              toast: staffToast({ kind: "not_yours", ticketId: action.ticketId }),
              spent: true,
            };
          }
          await focus.set(person.staffId, ticket.id);
          await tellStaff(person.staffId, { kind: "switched", ticketId: ticket.id }, ticket.id);
          return {};
        }
        case "canned":
          return canned(person, action.ticketId, action.intent);
        case "topic":
        case "topic_skip": {
          const choice = action.kind === "topic" ? action.intent : "skip";
          const outcome = await topics.choose(person.staffId, action.ticketId, choice);
          return outcome?.notice ? { toast: staffToast(outcome.notice) } : {};
        }
      }
    };

    return {
      isOperator: async (telegramUserId: number) =>
        (await staff.byTelegram(telegramUserId))?.removedAt === null,
      tickets,
      staff,
      removedUntold,
      claimHandled: (updateId: number) => store.claimHandled(updateId),

      offer: async (person: Person, intro: string | undefined) => {
        const open = await tickets.openTicketOf(person.chatId);
        if (open) {
          await tellCitizen(person, { kind: "already_open", ticketId: open.id }, open.id);
          return;
        }
        // Bound to the chat's latest ticket: once one opens, this offer is stale.
        const after = await tickets.latestTicketIdOf(person.chatId);
        await tellCitizen(person, {
          kind: "offer",
          availability: await availability(person.language),
          ...(after !== undefined ? { after } : {}),
          ...(intro ? { intro } : {}),
        });
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
          await tellStaff(
            current.operatorId,
            {
              kind: "from_citizen",
              ticketId: current.id,
              ...(message.text ? { text: message.text } : {}),
              ...(message.file ? { file: message.file } : {}),
              ...(message.refusedFile ? { refused: message.refusedFile } : {}),
            },
            current.id,
          );
        } else if (!previous || now() - previous.createdAt > 60_000) {
          // Acknowledged once a minute at most: an album of photos gets one reply.
          const position = await tickets.positionOf(current.id);
          await tellCitizen(
            { chatId: person.chatId, language: current.language },
            {
              kind: "added",
              ticketId: current.id,
              ...(position !== undefined ? { position } : {}),
            },
            current.id,
          );
        }
      },

      cancel: async (person: Person) => {
        const cancelled = await tickets.cancel(person.chatId);
        if (!cancelled.ok) return tellCitizen(person, { kind: "nothing_to_cancel" });
        const { ticket } = cancelled;
        await tellCitizen(person, { kind: "cancelled", ticketId: ticket.id }, ticket.id);
        if (ticket.operatorId !== null) {
          await tellStaff(
            ticket.operatorId,
            { kind: "citizen_cancelled", ticketId: ticket.id },
            ticket.id,
          );
        } else {
          await deliver({
            kind: "update",
            ticketId: ticket.id,
            shown: "card",
            notice: { kind: "card_cancelled", ticketId: ticket.id },
          });
        }
      },

      press: async (person: Person, action: DeskAction): Promise<PressAnswer> => {
        if (!isOperatorButton(action)) return citizenPressed(person, action);
        const acting = await actingAs(person);
        if (acting) return operatorPressed(acting, action);
        // A removed operator pressing an old operator button hears why, once;
        // anyone else pressing one (forged) gets nothing.
        const removed = await removedUntold(person);
        if (removed) {
          await tellRemoved(person, removed);
          return { spent: true };
        }
        const ticketId = "ticketId" in action ? action.ticketId : undefined;
        await refused(person, OPERATOR_BUTTONS[action.kind], "not_operator", ticketId);
        return {};
      },

      operatorMessage: async (sender: Person, message: Incoming) => {
        const person = await actingAs(sender);
        if (!person) return refused(sender, "message", "not_operator");
        await staffMessage(person, message);
      },

      staffMessage: async (staffId: number, message: Incoming) => {
        const person = await actingById(staffId);
        return person ? staffMessage(person, message) : false;
      },

      staffRequest: async (staffId: number, request: OperatorRequest) => {
        const person = await actingById(staffId);
        if (person) await handle(person, request);
        return person !== undefined;
      },

      staffPress: async (staffId: number, action: OperatorButton) => {
        const person = await actingById(staffId);
        return person ? operatorPressed(person, action) : undefined;
      },

      operatorRequest: async (sender: Person, request: OperatorRequest) => {
        const person = await actingAs(sender);
        if (!person) {
          await refused(sender, "command", "not_operator", undefined, { command: request.kind });
          await tellCitizen(sender, { kind: "operators_only" });
          return;
        }
        await handle(person, request);
      },

      tellRemoved,

      requeued: async (ticketIds: readonly number[]) => {
        for (const id of ticketIds) {
          const ticket = await tickets.ticket(id);
          if (ticket?.state !== "waiting") continue;
          const position = (await tickets.positionOf(id)) ?? 1;
          await tellCitizen(ticket, { kind: "back_in_queue", ticketId: id, position }, id);
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
          ...(await staff.onShift()).map((member) => member.id),
          ...(await staff.list())
            .filter((member) => member.role === "supervisor")
            .map((member) => member.id),
        ]);
        const minutesOf = (ticket: { createdAt: number }) =>
          Math.floor((at - ticket.createdAt) / 60_000);
        await tickets.markReminded(
          due.map((ticket) => ticket.id),
          at,
        );
        // One message a recipient: a Take choice for a single ticket, else
        // the list and "Take next".
        const [only] = due;
        for (const staffId of recipients) {
          if (only && due.length === 1) {
            await tellStaff(
              staffId,
              { kind: "reminder", ticketId: only.id, minutes: minutesOf(only) },
              only.id,
            );
          } else {
            await tellStaff(staffId, {
              kind: "reminder_digest",
              limitMinutes: waitLimitMs / 60_000,
              tickets: due.map((ticket) => ({ ticketId: ticket.id, minutes: minutesOf(ticket) })),
            });
          }
        }
        log?.info({ tickets: due.map((t) => t.id) }, "waiting tickets reminded");
        return due.length;
      },

      undeliveredToCitizen: async (ticket: Ticket, blocked: boolean) => {
        if (blocked) await store.markBlocked(ticket.chatId);
        if (ticket.operatorId !== null) {
          await tellStaff(
            ticket.operatorId,
            { kind: blocked ? "citizen_blocked" : "not_delivered", ticketId: ticket.id },
            ticket.id,
            "undelivered",
          );
        }
      },

      undeliveredToStaff: async (staffId: number, ticketId: number | undefined, error: string) => {
        await tellStaff(
          staffId,
          { kind: "not_delivered_to_you", ...(ticketId !== undefined ? { ticketId } : {}), error },
          ticketId,
          "undelivered",
        );
      },
    };
  };

  type Step = ReturnType<typeof stepOn>;
  /**
   * Runs a step in one transaction, every repository on its client, and
   * marks the update handled in it: the change, what it says and "handled"
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
    isOperator: (telegramUserId) => read.isOperator(telegramUserId),
    offer: (person, intro, updateId) => commit(updateId, (step) => step.offer(person, intro)),
    citizenMessage: async (person, message) => {
      const ticket = await read.tickets.openTicketOf(person.chatId);
      if (!ticket) return false;
      await commit(message.updateId, (step) => step.citizenMessage(person, ticket, message));
      return true;
    },
    cancel: (person, updateId) => commit(updateId, (step) => step.cancel(person)),
    press: (person, action, updateId) => commit(updateId, (step) => step.press(person, action)),
    operatorMessage: (person, message) =>
      commit(message.updateId, (step) => step.operatorMessage(person, message)),
    operatorRequest: (person, request, updateId) =>
      commit(updateId, (step) => step.operatorRequest(person, request)),
    staffMessage: (staffId, message) =>
      commit(undefined, (step) => step.staffMessage(staffId, message)),
    staffRequest: (staffId, request) =>
      commit(undefined, (step) => step.staffRequest(staffId, request)),
    staffPress: (staffId, action) => commit(undefined, (step) => step.staffPress(staffId, action)),
    formerOperator: async (person, updateId) => {
      if (!(await read.removedUntold(person))) return false;
      // Asked again in the step: another process may have told them meanwhile.
      await commit(updateId, async (step) => {
        const member = await step.removedUntold(person);
        if (member) await step.tellRemoved(person, member);
      });
      return true;
    },
    requeued: (ticketIds) => commit(undefined, (step) => step.requeued(ticketIds)),
    remindOverdue: () => commit(undefined, (step) => step.remindOverdue()),
    undeliverable: async (item, error, blocked) => {
      const ticket = item.ticketId === null ? undefined : await read.tickets.ticket(item.ticketId);
      if (ticket && item.chatId === ticket.chatId) {
        await commit(undefined, (step) => step.undeliveredToCitizen(ticket, blocked));
        return;
      }
      // A message to staff refused: they hear of it as of one to a citizen,
      // unless it was such a notice (no loop) or they blocked the bot.
      if (item.tag === "undelivered" || blocked) return;
      const member = await read.staff.byTelegram(item.chatId);
      if (member?.removedAt !== null) return;
      await commit(undefined, (step) => step.undeliveredToStaff(member.id, ticket?.id, error));
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

/** What an operator is told of a refusal that names no ticket of theirs. */
function refusal(reason: "not_operator" | "off_shift" | "not_found"): StaffNotice {
  return { kind: reason };
}
