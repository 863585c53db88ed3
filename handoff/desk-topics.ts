import { escapeHtml, INTENT_ID, type KnowledgeBase, type Matcher } from "../knowledge/index.ts";
import type { Language } from "../knowledge/stem.ts";
import { encodeDeskAction, MAX_CALLBACK_DATA } from "./buttons.ts";
import { HTML, OPERATOR_TEXTS as OP } from "./desk-texts.ts";
import type {
  AuditLog,
  Operators,
  OutboxItem,
  OutboxMessage,
  Suggestions,
  TicketService,
} from "./ports.ts";
import type { Ticket } from "./ticket-model.ts";

export interface DeskTopicsDeps {
  /** The audit log, on the desk step's transaction. */
  audit: AuditLog;
  tickets: TicketService;
  operators: Operators;
  suggestions: Suggestions;
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  /** Queues a message (the desk's outbox, in the desk's transaction). */
  send: (
    chatId: number,
    message: OutboxMessage,
    ticketId?: number,
    tag?: string,
  ) => Promise<unknown>;
  /** A ticket's outbox rows with a tag. */
  tagged: (ticketId: number, tag: string) => Promise<OutboxItem[]>;
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
  closed(ticket: Ticket, operatorChatId: number): Promise<void>;
  /** Remembers which knowledge-base answer an operator sent on a ticket (offered after closing). */
  kbAnswerSent(
    ticketId: number,
    operatorId: number,
    intent: string,
    messageId: number,
  ): Promise<void>;
  /** A press or a `/topic`: `choice` is an intent id, null for a new topic, "skip" for none. Undefined: not an operator. */
  choose(
    operatorId: number,
    ticketId: number,
    choice: string | null | "skip",
  ): Promise<TopicOutcome | undefined>;
  /** `/topic <intent-id>|new` for the operator's last closed ticket. Texts are plain, not HTML. */
  command(operatorId: number, args: string): Promise<TopicOutcome>;
}

const TAG = "topic";

export function createDeskTopics(deps: DeskTopicsDeps): DeskTopics {
  const { audit, tickets, operators, suggestions, knowledge, send, tagged, log } = deps;

  const titleOf = (intent: string | null) =>
    intent === null ? OP.topicNewTitle : (knowledge().kb.byId.get(intent)?.title.ru ?? intent);
  // Words besides placeholders ("[СНИЛС]", or an erased question's "[удалено]").
  const hasQuestion = (ticket: Ticket) => /\p{L}/u.test(ticket.question.replace(/\[[^\]]*\]/g, ""));
  const refuse = async (operatorId: number, ticketId: number, reason: string, text: string) => {
    await audit.record({ operatorId, action: "topic", ticketId, details: { refused: reason } });
    return { ok: false, text };
  };
  /** The language the question is written in; the ticket's when it cannot tell. */
  const languageOf = (ticket: Ticket): Language => {
    const analysis = knowledge().matcher.analyzer.analyze(ticket.question);
    return analysis.languageDetected ? analysis.language : ticket.language;
  };
  /** The closing message without its buttons, saying what was chosen. */
  const settle = async (ticketId: number, line: string) => {
    for (const row of await tagged(ticketId, TAG)) {
      const text = line ? `${OP.closedByYou(ticketId)}\n${line}` : OP.closedByYou(ticketId);
      await send(row.chatId, { kind: "edit", outboxId: row.id, text, options: HTML }, ticketId);
    }
  };

  const choose = async (
    operatorId: number,
    ticketId: number,
    choice: string | null | "skip",
  ): Promise<TopicOutcome | undefined> => {
    const role = await operators.roleOf(operatorId);
    if (role === undefined) {
      log?.warn({ user: operatorId }, "topic refused: not an operator");
      await refuse(operatorId, ticketId, "not_operator", "");
      return undefined;
    }
    const ticket = await tickets.ticket(ticketId);
    if (!ticket) return refuse(operatorId, ticketId, "not_found", OP.notFound);
    if (ticket.state !== "closed") {
      return refuse(operatorId, ticketId, "not_closed", OP.topicNotClosed(ticketId));
    }
    const closer = (await audit.latest("close", { ticketId }))?.operatorId;
    if (closer !== operatorId && role !== "supervisor") {
      return refuse(operatorId, ticketId, "not_yours", OP.topicNotYours(ticketId));
    }
    const earlier = await suggestions.ofTicket(ticketId);
    if (earlier) {
      return refuse(
        operatorId,
        ticketId,
        "already_recorded",
        OP.topicAlready(titleOf(earlier.intent)),
      );
    }
    if (choice === "skip") {
      await audit.record({ operatorId, action: "topic", ticketId, details: { skipped: true } });
      await settle(ticketId, "");
      return { ok: true, text: OP.topicSkipped };
    }
    if (!hasQuestion(ticket)) {
      return refuse(operatorId, ticketId, "no_question", OP.topicNoQuestion(ticketId));
    }
    if (choice !== null && !knowledge().kb.byId.has(choice)) {
      return refuse(operatorId, ticketId, "unknown_intent", OP.topicUnknown(choice));
    }
    const recorded = await suggestions.record({
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
    await audit.record({
      operatorId,
      action: "topic",
      ticketId,
      details: { intent: choice, suggestionId: recorded.suggestion.id },
    });
    const title = titleOf(choice);
    await settle(ticketId, OP.topicChosen(escapeHtml(title)));
    return { ok: true, text: OP.topicSaved(title) };
  };

  return {
    closed: async (ticket, operatorChatId) => {
      if (!hasQuestion(ticket)) {
        await send(
          operatorChatId,
          { kind: "text", text: OP.closedByYou(ticket.id), options: HTML },
          ticket.id,
        );
        return;
      }
      const { kb } = knowledge();
      const canned = (await audit.latest("kb_answer", { ticketId: ticket.id }))?.details.intent;
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
      await send(
        operatorChatId,
        { kind: "text", text, options: { ...HTML, reply_markup: { inline_keyboard: rows } } },
        ticket.id,
        TAG,
      );
    },

    kbAnswerSent: (ticketId, operatorId, intent, messageId) =>
      audit.record({ operatorId, action: "kb_answer", ticketId, details: { intent, messageId } }),

    choose,

    command: async (operatorId, args) => {
      const last = (await audit.latest("close", { operatorId }))?.ticketId ?? undefined;
      const choice = args.trim().toLowerCase();
      if (last === undefined || choice === "") return { ok: false, text: OP.topicUsage(last) };
      if (choice !== "new" && !INTENT_ID.test(choice)) {
        return { ok: false, text: OP.topicUnknown(args.trim()) };
      }
      const outcome = await choose(operatorId, last, choice === "new" ? null : choice);
      return outcome ?? { ok: false, text: "" };
    },
  };
}
