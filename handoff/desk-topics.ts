import { INTENT_ID, type KnowledgeBase, type Matcher } from "../knowledge/index.ts";
import type { Language } from "../knowledge/stem.ts";
import type { StaffNotice } from "./effects.ts";
import type { AuditLog, Staff, Suggestions, TicketService } from "./ports.ts";
import type { Ticket } from "./ticket-model.ts";

export interface DeskTopicsDeps {
  /** The audit log, on the desk step's transaction. */
  audit: AuditLog;
  tickets: TicketService;
  staff: Staff;
  suggestions: Suggestions;
  knowledge: () => { kb: KnowledgeBase; matcher: Matcher };
  /** Tells a staff member (the desk's channel, in the desk's transaction); "topic": the closing question. */
  tell: (staffId: number, notice: StaffNotice, ticketId?: number, shown?: "topic") => Promise<void>;
  /** Changes a ticket's closing question, wherever it was shown. */
  update: (ticketId: number, notice: StaffNotice) => Promise<void>;
  log?: { warn(object: object, message: string): void };
  now?: () => number;
}

/** What an operator's topic choice came to, and what to tell them (a toast or a message). */
export type TopicOutcome = { ok: boolean; notice?: StaffNotice };

/**
 * The desk's "which intent was it?" step: after closing a ticket the
 * operator who closed it (or a supervisor) marks the intent its question
 * belonged to, or "new topic", once; that becomes a suggestion for content
 * staff (`npm run kb -- suggestions`). Runs inside the desk's transaction.
 */
export interface DeskTopics {
  /** The closing operator's "closed" message, with a choice per likely intent. */
  closed(ticket: Ticket, operatorId: number): Promise<void>;
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
  /** `/topic <intent-id>|new` for the operator's last closed ticket. */
  command(operatorId: number, args: string): Promise<TopicOutcome>;
}

const TAG = "topic" as const;

export function createDeskTopics(deps: DeskTopicsDeps): DeskTopics {
  const { audit, tickets, staff, suggestions, knowledge, tell, update, log } = deps;

  /** An intent's title (Russian, for staff); null stays null: a new topic. */
  const titleOf = (intent: string | null) =>
    intent === null ? null : (knowledge().kb.byId.get(intent)?.title.ru ?? intent);
  // Words besides placeholders ("[СНИЛС]", or an erased question's "[удалено]").
  const hasQuestion = (ticket: Ticket) => /\p{L}/u.test(ticket.question.replace(/\[[^\]]*\]/g, ""));
  const refuse = async (
    operatorId: number,
    ticketId: number,
    reason: string,
    notice?: StaffNotice,
  ): Promise<TopicOutcome> => {
    await audit.record({
      staffId: operatorId,
      action: "topic",
      ticketId,
      details: { refused: reason },
    });
    return notice ? { ok: false, notice } : { ok: false };
  };
  /** The language the question is written in; the ticket's when it cannot tell. */
  const languageOf = (ticket: Ticket): Language => {
    const analysis = knowledge().matcher.analyzer.analyze(ticket.question);
    return analysis.languageDetected ? analysis.language : ticket.language;
  };
  /** The closing message without its choices, saying what was chosen. */
  const settle = (ticketId: number, chosen?: { title: string | null }) =>
    update(ticketId, { kind: "topic_settled", ticketId, ...(chosen ? { chosen } : {}) });

  const choose = async (
    operatorId: number,
    ticketId: number,
    choice: string | null | "skip",
  ): Promise<TopicOutcome | undefined> => {
    const role = await staff.deskRoleOf(operatorId);
    if (role === undefined) {
      log?.warn({ user: operatorId }, "topic refused: not an operator");
      await refuse(operatorId, ticketId, "not_operator");
      return undefined;
    }
    const ticket = await tickets.ticket(ticketId);
    if (!ticket) return refuse(operatorId, ticketId, "not_found", { kind: "not_found" });
    if (ticket.state !== "closed") {
      return refuse(operatorId, ticketId, "not_closed", { kind: "topic_not_closed", ticketId });
    }
    const closer = (await audit.latest("close", { ticketId }))?.staffId;
    if (closer !== operatorId && role !== "supervisor") {
      return refuse(operatorId, ticketId, "not_yours", { kind: "topic_not_yours", ticketId });
    }
    const earlier = await suggestions.ofTicket(ticketId);
    if (earlier) {
      return refuse(operatorId, ticketId, "already_recorded", {
        kind: "topic_already",
        title: titleOf(earlier.intent),
      });
    }
    if (choice === "skip") {
      await audit.record({
        staffId: operatorId,
        action: "topic",
        ticketId,
        details: { skipped: true },
      });
      await settle(ticketId);
      return { ok: true, notice: { kind: "topic_skipped" } };
    }
    if (!hasQuestion(ticket)) {
      return refuse(operatorId, ticketId, "no_question", { kind: "topic_no_question", ticketId });
    }
    if (choice !== null && !knowledge().kb.byId.has(choice)) {
      return refuse(operatorId, ticketId, "unknown_intent", {
        kind: "topic_unknown",
        intent: choice,
      });
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
      return refuse(operatorId, ticketId, "already_recorded", { kind: "topic_already", title });
    }
    await audit.record({
      staffId: operatorId,
      action: "topic",
      ticketId,
      details: { intent: choice, suggestionId: recorded.suggestion.id },
    });
    const title = titleOf(choice);
    await settle(ticketId, { title });
    return { ok: true, notice: { kind: "topic_saved", title } };
  };

  return {
    closed: async (ticket, operatorId) => {
      if (!hasQuestion(ticket)) {
        await tell(operatorId, { kind: "closed_by_you", ticketId: ticket.id }, ticket.id);
        return;
      }
      const { kb } = knowledge();
      const canned = (await audit.latest("kb_answer", { ticketId: ticket.id }))?.details.intent;
      const intents = [
        ...(typeof canned === "string" ? [canned] : []),
        ...ticket.topIntents.map((guess) => guess.intent),
      ].filter((intent, index, all) => all.indexOf(intent) === index && kb.byId.has(intent));
      const choices = intents.map((intent) => ({ intent, title: titleOf(intent) ?? intent }));
      await tell(
        operatorId,
        { kind: "closed_by_you", ticketId: ticket.id, question: ticket.question, choices },
        ticket.id,
        TAG,
      );
    },

    kbAnswerSent: (ticketId, operatorId, intent, messageId) =>
      audit.record({
        staffId: operatorId,
        action: "kb_answer",
        ticketId,
        details: { intent, messageId },
      }),

    choose,

    command: async (operatorId, args) => {
      const last = (await audit.latest("close", { staffId: operatorId }))?.ticketId ?? undefined;
      const choice = args.trim().toLowerCase();
      if (last === undefined || choice === "") {
        return {
          ok: false,
          notice: { kind: "topic_usage", ...(last !== undefined ? { ticketId: last } : {}) },
        };
      }
      if (choice !== "new" && !INTENT_ID.test(choice)) {
        return { ok: false, notice: { kind: "topic_unknown", intent: args.trim() } };
      }
      const outcome = await choose(operatorId, last, choice === "new" ? null : choice);
      return outcome ?? { ok: false };
    },
  };
}
