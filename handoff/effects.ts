import type { RenderedAnswer } from "../knowledge/index.ts";
import type { Language } from "../knowledge/stem.ts";
import type { DeskAction } from "./desk-actions.ts";
import type { ReportData } from "./report-figures.ts";
import type { IntentGuess, TicketFile } from "./ticket-model.ts";

// What the desk decides, in the domain's words: who is told what, and which
// choices they are given. The desk's own wording, markup and Telegram's rules
// are the channels' (the bot in Telegram, the terminal chat, the web
// console), each rendering these in its own way and language. Values that
// come from people (names, questions, messages) are raw here; the renderer
// escapes them for its medium. Three things arrive made elsewhere: a
// knowledge-base answer as knowledge/ renders it (its HTML subset), the
// operators' schedule as a sentence knowledge/ says in the citizen's
// language, and an offer's `intro` in the asking channel's own format. Files
// are the Telegram files citizens sent (a web console fetches them on the
// server with the bot's token).

/** Whether operators are there now, for a citizen offered one or queued. */
export type Availability =
  /** Operators are on shift now, whatever the schedule says. */
  | { kind: "on_shift" }
  /** Nobody is on shift: the operators' schedule, described for now in the citizen's language. */
  | { kind: "scheduled"; described: string }
  /** Nobody is on shift and there is no schedule. */
  | { kind: "unknown" };

/** An intent the bot considered, with its title (Russian, for staff). */
export interface TriedIntent extends IntentGuess {
  title: string;
}

/** A knowledge-base intent offered as a choice, with its title. */
export interface IntentChoice {
  intent: string;
  title: string;
}

/** One message of a ticket's history as shown to an operator. */
export interface TranscriptLine {
  who: "citizen" | "operator" | "note";
  /** The operator's name, for an operator's message or a note. */
  name?: string;
  text?: string;
  file?: TicketFile;
}

/** Why a citizen's file was not accepted (its caption still goes to the operator). */
export type RefusedFile = "type" | "size";

/**
 * What a citizen is told. Each says everything its renderer needs; the
 * choices it offers are part of what it says (an offer comes with "yes" and
 * "no", a closed ticket with "solved?").
 */
export type CitizenNotice =
  | {
      kind: "offer";
      availability: Availability;
      /** The chat's latest ticket when offered, so a later press is known stale. */
      after?: number;
      /** What the channel said first (its own words in its own format: the bot's "not understood"). */
      intro?: string;
    }
  | { kind: "declined" }
  | {
      kind: "ticket_opened";
      ticketId: number;
      position: number;
      waitMinutes?: number;
      /** Said when operators are away now: when they are back. */
      away?: Availability;
    }
  | { kind: "already_open"; ticketId: number }
  | { kind: "added"; ticketId: number; position?: number }
  | { kind: "operator_joined"; ticketId: number; operatorName: string }
  /** `messageId`: the ticket message it says, whose delivery the consoles show. */
  | { kind: "from_operator"; text?: string; file?: TicketFile; messageId?: number }
  | { kind: "kb_answer"; answer: RenderedAnswer; messageId?: number }
  | { kind: "transferred"; ticketId: number }
  | { kind: "back_in_queue"; ticketId: number; position: number }
  /** Closed by the operator; asks whether it was solved. */
  | { kind: "closed"; ticketId: number }
  /** Asks for a rating of 1 to 5. */
  | { kind: "ask_rating"; ticketId: number; solved: boolean }
  | { kind: "rated" }
  | { kind: "cancelled"; ticketId: number }
  | { kind: "nothing_to_cancel" }
  | { kind: "operators_only" }
  | { kind: "no_longer_operator" }
  // Short notices on a pressed button.
  | { kind: "offer_stale" }
  | { kind: "already_rated" }
  | { kind: "rating_asked" };

/** What a staff member (an operator or a supervisor) is told. */
export type StaffNotice =
  | {
      kind: "card";
      ticketId: number;
      language: Language;
      question: string;
      tried: readonly TriedIntent[];
    }
  | { kind: "card_taken"; ticketId: number; operatorName: string }
  | { kind: "card_cancelled"; ticketId: number }
  | { kind: "taken"; ticketId: number; language: Language }
  | {
      kind: "transcript";
      ticketId: number;
      question: string;
      tried: readonly TriedIntent[];
      lines: readonly TranscriptLine[];
    }
  /** A citizen's file from the ticket's history, shown after its transcript. */
  | { kind: "citizen_file"; ticketId: number; file: TicketFile }
  | {
      kind: "from_citizen";
      ticketId: number;
      text?: string;
      file?: TicketFile;
      refused?: RefusedFile;
    }
  | { kind: "already_taken"; ticketId: number; operatorName: string }
  | { kind: "ticket_closed"; ticketId: number }
  | { kind: "not_found" }
  | { kind: "not_operator" }
  | { kind: "not_supervisor" }
  | { kind: "off_shift" }
  | { kind: "queue_empty" }
  | { kind: "not_yours"; ticketId: number }
  | { kind: "no_current" }
  | { kind: "citizen_cancelled"; ticketId: number }
  | { kind: "citizen_blocked"; ticketId: number }
  | { kind: "not_delivered"; ticketId: number }
  /** A message of the desk's to this staff member was refused by their channel. */
  | { kind: "not_delivered_to_you"; ticketId?: number; error: string }
  /** Closed by this operator; when the question has words, asks which intent it was. */
  | {
      kind: "closed_by_you";
      ticketId: number;
      question?: string;
      choices?: readonly IntentChoice[];
    }
  /** The closing message once its topic is chosen (`title`; null: a new topic) or skipped. */
  | { kind: "topic_settled"; ticketId: number; chosen?: { title: string | null } }
  | { kind: "note_saved"; ticketId: number }
  | { kind: "note_usage" }
  | { kind: "kb_usage" }
  | { kind: "kb_choose"; ticketId: number; choices: readonly IntentChoice[] }
  | { kind: "kb_nothing" }
  | { kind: "kb_sent"; ticketId: number; title: string }
  | { kind: "transfer_usage"; onShift: readonly { staffId: number; name: string }[] }
  | { kind: "transferred_to"; ticketId: number; operatorName: string }
  | { kind: "transferred_to_queue"; ticketId: number }
  | { kind: "transferred_to_you"; ticketId: number; fromName: string }
  | { kind: "target_not_operator" }
  | { kind: "target_off_shift" }
  | { kind: "same_operator" }
  | {
      kind: "your_tickets";
      tickets: readonly { ticketId: number; question: string; current: boolean }[];
    }
  | { kind: "no_tickets" }
  | { kind: "switched"; ticketId: number }
  | { kind: "shift_on"; waiting: number }
  | { kind: "shift_off"; open: number }
  | { kind: "shift_state"; onShift: boolean }
  | {
      kind: "queue";
      waiting: number;
      oldestMinutes?: number;
      onShift: readonly { name: string; open: number }[];
    }
  | { kind: "stats"; report: ReportData }
  | { kind: "help" }
  | { kind: "reminder"; ticketId: number; minutes: number }
  | {
      kind: "reminder_digest";
      limitMinutes: number;
      tickets: readonly { ticketId: number; minutes: number }[];
    }
  | { kind: "topic_saved"; title: string | null }
  | { kind: "topic_skipped" }
  | { kind: "topic_already"; title: string | null }
  | { kind: "topic_not_yours"; ticketId: number }
  | { kind: "topic_not_closed"; ticketId: number }
  | { kind: "topic_no_question"; ticketId: number }
  | { kind: "topic_unknown"; intent: string }
  /** How to use /topic; `ticketId`: the operator's last closed ticket, if any. */
  | { kind: "topic_usage"; ticketId?: number };

/**
 * What the desk shows that it may change later, to find it again: a new
 * ticket's cards (edited once taken), the closing message's topic question
 * (edited once answered), the rating question (asked once), and the notices
 * that a message was not delivered (a failed notice is not noticed again).
 */
export type Shown = "card" | "topic" | "rating" | "undelivered";

/**
 * The tag of the row that carries a staff member's ticket message to the
 * citizen: the consoles read its delivery from it (Outbox.deliveries).
 */
export const deliveryTag = (messageId: number) => `${DELIVERY_TAG}${messageId}`;
/** What every deliveryTag starts with. */
export const DELIVERY_TAG = "message:";

/** One thing the desk says. */
export type DeskEffect =
  /** To a citizen, in their chat and language. */
  | {
      kind: "citizen";
      chatId: number;
      language: Language;
      notice: CitizenNotice;
      ticketId?: number;
      shown?: Shown;
    }
  /** To a staff member (an operator or a supervisor). */
  | {
      kind: "staff";
      /** The staff member's id (not a Telegram id: each channel finds its own way to them). */
      staffId: number;
      notice: StaffNotice;
      ticketId?: number;
      shown?: Shown;
    }
  /** Whatever a ticket's `shown` thing says now, everyone it was shown to sees this instead. */
  | { kind: "update"; ticketId: number; shown: "card" | "topic"; notice: StaffNotice };

/**
 * How the desk's effects reach people: built by the composition root for
 * each step, on that step's transaction, so what is said is queued with the
 * change it reports and both commit or neither does. The Telegram channel
 * renders and queues Telegram messages; the terminal chat's renders plain
 * text rows with the choices as actions, for the terminal to print.
 */
export interface DeskChannel {
  deliver(effect: DeskEffect): Promise<void>;
  /** Whether this ticket's `shown` thing was shown to anyone yet (the rating question, asked once). */
  wasShown(ticketId: number, shown: Shown): Promise<boolean>;
}

/** A short notice on a pressed button, for the presser. */
export type Toast =
  | { kind: "citizen"; notice: CitizenNotice }
  | { kind: "staff"; notice: StaffNotice };

/** What to answer a button press with. */
export interface PressAnswer {
  /** A short notice on the pressed button. */
  toast?: Toast;
  /** The pressed message's buttons are used up (or stale): remove them. */
  spent?: true;
}

export type { DeskAction };
