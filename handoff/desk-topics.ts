import type { Database } from "better-sqlite3";
import { escapeHtml, INTENT_ID, type KnowledgeBase, type Matcher } from "../knowledge/index.ts";
import { createAuditLog } from "./audit.ts";
import { encodeDeskAction, MAX_CALLBACK_DATA } from "./buttons.ts";
import { HTML, OPERATOR_TEXTS as OP } from "./desk-texts.ts";
import type { Operators } from "./operators.ts";
import type { OutboxItem, OutboxMessage } from "./outbox.ts";
import type { Language } from "./store.ts";
import type { Suggestions } from "./suggestions.ts";
import type { Ticket } from "./ticket-model.ts";
import type { TicketService } from "./tickets.ts";

export interface DeskTopicsDeps {
  db: Database;
  tickets: TicketService;
  operators: Operators;
  suggestions: Suggestions;
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  /** Queues a message (the desk's outbox, in the desk's transaction). */
  send: (chatId: number, message: OutboxMessage, ticketId?: number, tag?: string) => void;
  /** A ticket's outbox rows with a tag. */
  tagged: (ticketId: number, tag: string) => OutboxItem[];
  log?: { warn(object: object, message: string): void };
  now?: () => number;
}

/** What an operator's topic choice came to: a short text for a toast or a message. */
export type TopicOutcome = { ok: boolean; text: string };

/**
 * The desk's "which intent was it?" step: after closing a ticket the
 * operator who closed it (or a supervisor) marks the intent its question
 * belonged to, or "new topic", once; that becomes a suggestion for content
 * staff (`npm run kb -- suggestions`). Runs inside the desk's transaction.
 */
export interface DeskTopics {
  /** The closing operator's "closed" message, with a button per likely intent. */
  closed(ticket: Ticket, operatorChatId: number): void;
  /** Remembers which knowledge-base answer an operator sent on a ticket (offered after closing). */
  kbAnswerSent(ticketId: number, operatorId: number, intent: string, messageId: number): void;
  /** A press or a `/topic`: `choice` is an intent id, null for a new topic, "skip" for none. Undefined: not an operator. */
  choose(
    operatorId: number,
    ticketId: number,
    choice: string | null | "skip",
  ): TopicOutcome | undefined;
  /** `/topic <intent-id>|new` for the operator's last closed ticket. Texts are plain, not HTML. */
  command(operatorId: number, args: string): TopicOutcome;
}

const TAG = "topic";

export function createDeskTopics(deps: DeskTopicsDeps): DeskTopics {
  const {
    db,
    tickets,
    operators,
    suggestions,
    knowledge,
    send,
    tagged,
    log,
    now = Date.now,
  } = deps;
  const audit = createAuditLog(db, { now });

  const titleOf = (intent: string | null) =>
    intent === null ? OP.topicNewTitle : (knowledge().kb.byId.get(intent)?.title.ru ?? intent);
  // Words besides placeholders ("[СНИЛС]", or an erased question's "[удалено]").
  const hasQuestion = (ticket: Ticket) => /\p{L}/u.test(ticket.question.replace(/\[[^\]]*\]/g, ""));
  const refuse = (operatorId: number, ticketId: number, reason: string, text: string) => {
    audit.record({ operatorId, action: "topic", ticketId, details: { refused: reason } });
    return { ok: false, text };
  };
  /** The language the question is written in; the ticket's when it cannot tell. */
  const languageOf = (ticket: Ticket): Language => {
    const analysis = knowledge().matcher.analyzer.analyze(ticket.question);
    return analysis.languageDetected ? analysis.language : ticket.language;
  };
  /** The closing message without its buttons, saying what was chosen. */
  const settle = (ticketId: number, line: string) => {
    for (const row of tagged(ticketId, TAG)) {
      const text = line ? `${OP.closedByYou(ticketId)}\n${line}` : OP.closedByYou(ticketId);
      send(row.chatId, { kind: "edit", outboxId: row.id, text, options: HTML }, ticketId);
    }
  };

  const choose = (
    operatorId: number,
    ticketId: number,
    choice: string | null | "skip",
  ): TopicOutcome | undefined => {
    const role = operators.roleOf(operatorId);
    if (role === undefined) {
      log?.warn({ user: operatorId }, "topic refused: not an operator");
      refuse(operatorId, ticketId, "not_operator", "");
      return undefined;
    }
    const ticket = tickets.ticket(ticketId);
    if (!ticket) return refuse(operatorId, ticketId, "not_found", OP.notFound);
    if (ticket.state !== "closed") {
      return refuse(operatorId, ticketId, "not_closed", OP.topicNotClosed(ticketId));
    }
    const closer = audit.latest("close", { ticketId })?.operatorId;
    if (closer !== operatorId && role !== "supervisor") {
      return refuse(operatorId, ticketId, "not_yours", OP.topicNotYours(ticketId));
    }
    const earlier = suggestions.ofTicket(ticketId);
    if (earlier) {
      return refuse(
        operatorId,
        ticketId,
        "already_recorded",
        OP.topicAlready(titleOf(earlier.intent)),
      );
    }
    if (choice === "skip") {
      audit.record({ operatorId, action: "topic", ticketId, details: { skipped: true } });
      settle(ticketId, "");
      return { ok: true, text: OP.topicSkipped };
    }
    if (!hasQuestion(ticket)) {
      return refuse(operatorId, ticketId, "no_question", OP.topicNoQuestion(ticketId));
    }
    if (choice !== null && !knowledge().kb.byId.has(choice)) {
      return refuse(operatorId, ticketId, "unknown_intent", OP.topicUnknown(choice));
    }
    const recorded = suggestions.record({
      ticketId,
      question: ticket.question,
      language: languageOf(ticket),
      intent: choice,
      operatorId,
    });
    if (!recorded.ok) {
      // Checked above within this transaction; kept for a second connection.
      const title = titleOf(recorded.suggestion.intent);
      return refuse(operatorId, ticketId, "already_recorded", OP.topicAlready(title));
    }
    audit.record({
      operatorId,
      action: "topic",
      ticketId,
      details: { intent: choice, suggestionId: recorded.suggestion.id },
    });
    const title = titleOf(choice);
    settle(ticketId, OP.topicChosen(escapeHtml(title)));
    return { ok: true, text: OP.topicSaved(title) };
  };

  return {
    closed: (ticket, operatorChatId) => {
      if (!hasQuestion(ticket)) {
        send(
          operatorChatId,
          { kind: "text", text: OP.closedByYou(ticket.id), options: HTML },
          ticket.id,
        );
        return;
      }
      const { kb } = knowledge();
      const canned = audit.latest("kb_answer", { ticketId: ticket.id })?.details.intent;
      const intents = [
        ...(typeof canned === "string" ? [canned] : []),
        ...ticket.topIntents.map((guess) => guess.intent),
      ].filter((intent, index, all) => all.indexOf(intent) === index && kb.byId.has(intent));
      const button = (text: string, choice: string | null | "skip") => ({
        text,
        callback_data: encodeDeskAction(
          choice === "skip"
            ? { kind: "topic_skip", ticketId: ticket.id }
            : { kind: "topic", ticketId: ticket.id, intent: choice },
        ),
      });
      const rows = [
        ...intents.map((intent) => [button(titleOf(intent), intent)]),
        [button(OP.topicNew, null), button(OP.topicSkip, "skip")],
      ].filter((row) => row.every((b) => Buffer.byteLength(b.callback_data) <= MAX_CALLBACK_DATA));
      const text = `${OP.closedByYou(ticket.id)}\n\n${OP.topicAsk(escapeHtml(ticket.question))}`;
      send(
        operatorChatId,
        { kind: "text", text, options: { ...HTML, reply_markup: { inline_keyboard: rows } } },
        ticket.id,
        TAG,
      );
    },

    kbAnswerSent: (ticketId, operatorId, intent, messageId) =>
      audit.record({ operatorId, action: "kb_answer", ticketId, details: { intent, messageId } }),

    choose,

    command: (operatorId, args) => {
      const last = audit.latest("close", { operatorId })?.ticketId ?? undefined;
      const choice = args.trim().toLowerCase();
      if (last === undefined || choice === "") return { ok: false, text: OP.topicUsage(last) };
      if (choice !== "new" && !INTENT_ID.test(choice)) {
        return { ok: false, text: OP.topicUnknown(args.trim()) };
      }
      const outcome = choose(operatorId, last, choice === "new" ? null : choice);
      return outcome ?? { ok: false, text: "" };
    },
  };
}
