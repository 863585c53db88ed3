// The handoff's storage ports: what each repository does, written once
// against the SQL port (handoff/sql/client.ts) for both engines; the
// implementations are in handoff/sql/.
import type { UnansweredQuestion } from "../knowledge/index.ts";
import type { Language } from "../knowledge/stem.ts";
import type { StorageMonitor } from "./database-probe.ts";
import type { DeskEffect, Shown } from "./effects.ts";
import type { Incident, IncidentChange, IncidentText } from "./incident-model.ts";
import type { ReportData, ReportPeriod } from "./report-figures.ts";

export type {
  DecisionCounts,
  DurationSummary,
  HistogramBucket,
  IncidentFigures,
  ReportData,
  ReportDay,
  ReportPeriod,
} from "./report-figures.ts";

import type {
  IntentGuess,
  MessageDirection,
  Ticket,
  TicketFile,
  TicketMessage,
  TicketState,
} from "./ticket-model.ts";

/** What an operator did (or tried to do: refusals carry `details.refused`). */
export type AuditAction =
  | "take"
  | "take_next"
  | "release"
  | "transfer"
  | "close"
  | "message"
  | "note"
  | "operator_add"
  | "operator_remove"
  | "shift_on"
  | "shift_off"
  /** A knowledge-base answer sent on a ticket (`details.intent`), besides its "message" row. */
  | "kb_answer"
  /** Which intent a closed ticket belonged to (`details.intent`, null: a new topic), or skipped. */
  | "topic"
  /** An operator made one of their tickets the current one (recorded when refused). */
  | "switch"
  /** A citizen said whether a closed ticket solved it (recorded when refused: not their ticket). */
  | "solved"
  /** A citizen rated a closed ticket (recorded when refused: not their ticket). */
  | "rate"
  /** An operator command (`details.command`) from someone who is not an operator: always refused. */
  | "command"
  /** A removed operator was told, on their next message, that they no longer are one. */
  | "removal_told"
  /** A tag put on a ticket or taken off (`details.tag`, `details.removed`). */
  | "tag"
  /** A knowledge file's draft saved (`details.file`, `details.intent`) or discarded (`details.discarded`). */
  | "kb_draft"
  /** Knowledge files published (`details.publication`, `details.files`; `details.restores`: a restore). */
  | "kb_publish"
  /** Unanswered questions decided (`details.decision`, `details.kind`, `details.intent`) or a decision undone (`details.undone`). */
  | "kb_unanswered"
  /** An operator's suggestion accepted or rejected (`details.suggestion`, `details.state`, `details.intent`). */
  | "kb_suggestion"
  /** An incident posted, updated or ended (`details.incident`; a post and an update: `details.intents`). */
  | "incident_post"
  | "incident_update"
  | "incident_end";

/** One row of the audit log. */
export interface AuditEntry {
  id: number;
  /**
   * The staff member who acted, or whose id an action was tried under (a
   * removed one's, in a refusal); null for someone who is not staff at all.
   */
  staffId: number | null;
  /** The Telegram user who acted, when they acted in Telegram (always so for someone not staff). */
  telegramUserId: number | null;
  action: AuditAction;
  ticketId: number | null;
  details: Record<string, unknown>;
  at: number;
  /** The channel it came from (the process's: "telegram", "web", "terminal"); null from a tool. */
  via: AuditChannel | null;
}

/** Where an audited action was done. */
export type AuditChannel = "telegram" | "web" | "terminal";

export interface AuditFilter {
  ticketId?: number;
  staffId?: number;
  /** Entries that name this Telegram user (refusals to someone not staff among them). */
  telegramUserId?: number;
  /** Only entries at or after this time (ms since the epoch). */
  since?: number;
}

/** The audit log of operator actions, written in the same transaction as the action. */
export interface AuditLog {
  /** Names the staff member who acted, or the Telegram user who tried (or both). */
  record(entry: {
    staffId?: number | null;
    telegramUserId?: number | null;
    action: AuditAction;
    ticketId?: number | null;
    details?: Record<string, unknown>;
  }): Promise<void>;
  /** Entries matching every given filter, oldest first. */
  entries(filter?: AuditFilter): Promise<AuditEntry[]>;
  /** The newest entry of an action that was not refused, on a ticket or by a staff member. */
  latest(
    action: AuditAction,
    of: { ticketId: number } | { staffId: number },
  ): Promise<AuditEntry | undefined>;
  /** A staff member's newest entry, whatever it was (refusals too): their last action. */
  lastBy(staffId: number): Promise<AuditEntry | undefined>;
}

export interface AuditLogOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** The channel every entry is recorded as coming from: the composition root's. */
  via?: AuditChannel;
}

/**
 * The desk's roles: a supervisor is an operator who may also act on anyone's
 * ticket and see the queue and stats.
 */
export type DeskRole = "operator" | "supervisor";
/**
 * The knowledge base's roles (the content studio): an editor edits drafts
 * and tries them; a publisher may also publish (Azure's split: writers edit
 * and test, owners deploy). Neither acts on tickets.
 */
export type ContentRole = "editor" | "publisher";
export type StaffRole = DeskRole | ContentRole;
export const STAFF_ROLES: readonly StaffRole[] = ["operator", "supervisor", "editor", "publisher"];

/** Whether a role works the desk: takes tickets, goes on shift, is told of new ones. */
export function isDeskRole(role: StaffRole | undefined): role is DeskRole {
  return role === "operator" || role === "supervisor";
}

/**
 * A person who answers citizens, with an id of their own. A Telegram user id
 * is one way to reach them (their private chat with the bot is their
 * console), a login another (the web console); either may be missing.
 */
export interface StaffMember {
  id: number;
  name: string;
  role: StaffRole;
  onShift: boolean;
  addedAt: number;
  /** When they were removed; null while they are staff. */
  removedAt: number | null;
  telegramUserId: number | null;
  login: string | null;
}

export interface StaffRow {
  id: number;
  name: string;
  role: StaffRole;
  on_shift: number;
  added_at: number;
  removed_at: number | null;
  telegram_user_id: number | null;
  login: string | null;
}

/** How a staff member is known when added: by Telegram, by login, or both. */
export type StaffKey =
  | { telegramUserId: number; login?: string }
  | { telegramUserId?: number; login: string };

export type RemoveStaffResult =
  /** `requeued`: the ids of their assigned tickets, now back in the queue. */
  | { ok: true; member: StaffMember; requeued: readonly number[] }
  | { ok: false; reason: "not_staff" };

export type SetShiftResult = { ok: true; member: StaffMember } | { ok: false; reason: "not_staff" };

/** The staff: who may take tickets, in which role, who is on shift, and how each is reached. */
export interface Staff {
  /**
   * Adds a staff member, or updates the name and role of the one known by
   * the Telegram id (else the login) given, bringing back a removed one, off
   * shift; a key given that they lack is linked to them. `created` says they
   * were not current staff before. `by` is the staff member who did it, for
   * the audit log.
   */
  add(
    member: StaffKey & { name: string; role: StaffRole },
    by?: number,
  ): Promise<{ member: StaffMember; created: boolean }>;
  /**
   * Removes a staff member: they go off shift and their assigned tickets go
   * back to the queue (tell those citizens and the on-shift operators).
   */
  remove(id: number, by?: number): Promise<RemoveStaffResult>;
  /** Anyone ever added, removed ones included. */
  get(id: number): Promise<StaffMember | undefined>;
  /** The staff member a Telegram user is, removed ones included. */
  byTelegram(telegramUserId: number): Promise<StaffMember | undefined>;
  /** The staff member with a login, removed ones included. */
  byLogin(login: string): Promise<StaffMember | undefined>;
  /** The role of a current staff member; undefined for anyone else (removed ones included). */
  roleOf(id: number): Promise<StaffRole | undefined>;
  /** The desk role of a current staff member who works the desk; undefined for anyone else. */
  deskRoleOf(id: number): Promise<DeskRole | undefined>;
  /** Renames a staff member (an operator added by Telegram id learns their first name). */
  rename(id: number, name: string): Promise<void>;
  /** Current staff by name; with `includeRemoved`, removed ones too. */
  list(options?: { includeRemoved?: boolean }): Promise<StaffMember[]>;
  /** Current staff on shift: whom to notify of a new ticket. */
  onShift(): Promise<StaffMember[]>;
  /** Puts a current member of the desk on or off shift; anyone else is not_staff. */
  setShift(id: number, onShift: boolean): Promise<SetShiftResult>;
}

export interface StaffOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** The channel its audited changes come from. */
  via?: AuditChannel;
}

/**
 * Extra parameters for the channel that sends the row, stored as JSON: for
 * Telegram, those of the send method (`parse_mode`, `reply_markup`,
 * `reply_parameters`…), passed as they are; for the terminal chat, the
 * choices under the message (scripts/chat-channel.ts).
 */
export type SendOptions = Readonly<Record<string, unknown>>;

/** A message to deliver, by the Telegram method that sends it. */
export type OutboxMessage =
  | { kind: "text"; text: string; options?: SendOptions }
  | { kind: "photo"; fileId: string; caption?: string; options?: SendOptions }
  | { kind: "document"; fileId: string; caption?: string; options?: SendOptions }
  /** `copyMessage`: relays a message as it is, files and captions included. */
  | { kind: "copy"; fromChatId: number; messageId: number; options?: SendOptions }
  /**
   * `editMessageText` of a message this outbox sent before to the same chat
   * (row `outboxId`); skipped if that row was never delivered.
   */
  | { kind: "edit"; outboxId: number; text: string; options?: SendOptions };

export type OutboxState = "pending" | "sending" | "sent" | "failed";

/** One row of the outbox. */
export interface OutboxItem {
  id: number;
  chatId: number;
  message: OutboxMessage;
  ticketId: number | null;
  /** What the row is for, to find it again (e.g. "card": a new-ticket card). */
  tag: string | null;
  state: OutboxState;
  /** Failed attempts so far; a 429 is not one (`postpone`: Telegram only said "later"). */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** The Telegram message id, once sent (routes an operator's reply to its ticket). */
  messageId: number | null;
  createdAt: number;
  sentAt: number | null;
}

/**
 * Messages still to deliver to Telegram, kept in SQLite so a crash loses none.
 *
 * Delivery is at least once: a row is claimed (`sending`), sent, then marked
 * `sent`. If the process dies after Telegram accepted the message but before
 * `markSent` committed, `recoverStale` puts the row back to `pending` and it
 * is sent again. That window, one send per crash, is the only way to get a
 * duplicate; nothing is ever lost.
 *
 * Order: a chat's rows are claimed one at a time, oldest first; while an
 * older row of a chat is pending (waiting for a retry too) or being sent, its
 * newer rows wait. Different chats go in parallel.
 */
export interface Outbox {
  /**
   * Adds a message to deliver and returns its id. A single INSERT on the
   * client it is given: build the outbox on the `tx` of the transaction that
   * makes the change it reports, so both commit or neither does.
   */
  enqueue(item: {
    chatId: number;
    message: OutboxMessage;
    ticketId?: number;
    tag?: string;
  }): Promise<number>;
  /**
   * Claims the oldest row that is due at `now` and whose chat has no older
   * row pending or being sent: marks it `sending` and returns it. With
   * `chatId`, only that chat's rows (a terminal console reads its own).
   */
  claimNext(now?: number, chatId?: number): Promise<OutboxItem | undefined>;
  /** Telegram accepted it. Returns false if the row was not being sent or pending. */
  markSent(id: number, messageId?: number): Promise<boolean>;
  /** A transient failure: back to pending, tried again after `retryAfterMs`. */
  markRetry(id: number, error: string, retryAfterMs: number): Promise<boolean>;
  /**
   * Telegram asked to wait (429 with retry_after): back to pending, tried
   * again after `delayMs`, without counting a failed attempt (attempts set
   * the backoff and when to give up). Returns false if the row was not being sent.
   */
  postpone(id: number, error: string, delayMs: number): Promise<boolean>;
  /** A permanent failure (blocked by the user, bad request): never tried again. */
  markFailed(id: number, error: string): Promise<boolean>;
  /**
   * Puts rows claimed (`sending`) more than `olderThanMs` ago back to
   * `pending`, and returns how many. Call it with 0 at start-up, before the
   * delivery worker starts: every `sending` row then was left by a crash.
   * While a worker runs, only a threshold longer than any send may be used,
   * or a slow send is sent twice.
   */
  recoverStale(olderThanMs: number): Promise<number>;
  /**
   * Several processes: puts rows being sent by a process not seen for
   * `aliveWithinMs` (instances) back to `pending`, and returns how many. A
   * live process's rows are never touched, whatever their age; rows claimed
   * without a process are left to `recoverStale`.
   */
  recoverOrphans(aliveWithinMs: number): Promise<number>;
  /** How long the oldest undelivered row has waited, in ms; 0 when none waits. */
  lag(): Promise<number>;
  get(id: number): Promise<OutboxItem | undefined>;
  /** The ticket of a message the outbox delivered to `chatId` (an operator replied to it). */
  ticketOfMessage(chatId: number, messageId: number): Promise<number | undefined>;
  /** A ticket's rows with a tag, oldest first (e.g. its cards, to edit them). */
  tagged(ticketId: number, tag: string): Promise<OutboxItem[]>;
  /**
   * How far each staff message of the ticket got to the citizen, by ticket
   * message id (the rows tagged with deliveryTag). A message without a row
   * is not queued yet (said by another process) or its row was purged.
   */
  deliveries(ticketId: number): Promise<Map<number, OutboxState>>;
  /** Rows in a state, oldest first; "undelivered": pending or sending. */
  inState(state: OutboxState | "undelivered"): Promise<OutboxItem[]>;
  /** Rows a process is sending now (`instance` as claimed), oldest first: after its kill -9, its sends in flight. */
  sendingBy(instance: string): Promise<OutboxItem[]>;
  /** The highest Telegram message id recorded for a chat's sent rows; 0 when none. */
  lastMessageId(chatId: number): Promise<number>;
}

export interface OutboxOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** The process claiming rows (instances), recorded on each claimed row. Defaults to none. */
  instance?: string;
  /**
   * The least time between two rows sent to one chat, in ms: a chat's next row
   * is claimed no sooner after its last was sent. Defaults to 0 (as fast as
   * claimed); the bot paces Telegram's chats (TELEGRAM_CHAT_GAP_MS).
   */
  chatGapMs?: number;
}

/** A question the bot answered, clarified or escalated, as stored (text already masked). */
export interface QuestionRecord {
  chatId: number;
  text: string;
  language: Language;
  decision: "answer" | "clarify" | "escalate";
  intent: string | null;
  confidence: number;
  candidates: readonly { intent: string; score: number }[];
}

/** What a 👍/👎 press did to the answer's feedback. */
export type FeedbackOutcome = "recorded" | "changed" | "unchanged";

/**
 * The bot's own state in SQLite: chats, handled updates, feedback, questions.
 *
 * Bookkeeping never stops an answer: when the database fails (disk full, I/O
 * error, read-only or deleted file, damaged pages), `wasHandled`, `markHandled`,
 * the chat's language and blocked mark, feedback and the question log read as
 * "nothing known" and skip their write, and the failure goes to the storage
 * monitor (logged once, shown by /healthz); a citizen may then get an answer
 * twice, never none. Other errors (bugs) still throw. `saveUpdates` and
 * `takeUnhandledUpdates` throw on any failure: an update must not be confirmed
 * to Telegram unless it is saved.
 */
export interface Store {
  /** Whether an update was handled before (Telegram redelivers after a restart). */
  wasHandled(updateId: number): Promise<boolean>;
  /** Records an update as handled, after its reply went out (it leaves the inbox). */
  markHandled(updateId: number): Promise<void>;
  /**
   * Records an update as handled unless it already is, and says whether this
   * call did. Inside a desk step's transaction: a second handler of the same
   * update (Telegram delivered it again while the first still worked) waits
   * for the first's commit and gets false. Throws on any failure, unlike
   * `markHandled`: the step must not go on unclaimed.
   */
  claimHandled(updateId: number): Promise<boolean>;
  /**
   * Keeps a fetched batch of updates until each is handled (before Telegram is
   * told it arrived). Throws when they cannot be saved, also when the file was
   * deleted while the bot ran.
   */
  saveUpdates(updates: readonly { update_id: number }[]): Promise<void>;
  /**
   * Updates saved but not handled (a crash came between), oldest first, each
   * counted as replayed once more; those replayed `maxReplays` times already
   * are left out (an update that crashes the bot must not do it forever).
   */
  takeUnhandledUpdates(maxReplays: number): Promise<unknown[]>;
  languageOf(chatId: number): Promise<Language | undefined>;
  setLanguage(chatId: number, language: Language): Promise<void>;
  /** The citizen blocked the bot (Telegram answered 403): stop sending to them. */
  markBlocked(chatId: number): Promise<void>;
  /** They wrote again: they unblocked the bot. */
  markActive(chatId: number): Promise<void>;
  isBlocked(chatId: number): Promise<boolean>;
  /**
   * 👍/👎 on an answer. With `answerMessageId` (the answer's Telegram message)
   * an answer has one feedback, the latest: "unchanged" says this press
   * repeats it, "changed" that it replaced another.
   */
  recordFeedback(
    chatId: number,
    intent: string,
    helpful: boolean,
    answerMessageId?: number,
  ): Promise<FeedbackOutcome>;
  recordQuestion(question: QuestionRecord): Promise<void>;
  feedback(): Promise<{ chatId: number; intent: string; helpful: boolean; createdAt: number }[]>;
  questions(): Promise<(QuestionRecord & { createdAt: number })[]>;
  /** The chat's latest question, if asked at or after `sinceMs` (what a new ticket carries). */
  lastQuestion(
    chatId: number,
    sinceMs: number,
  ): Promise<(QuestionRecord & { createdAt: number }) | undefined>;
  /**
   * The questions not answered well since `sinceMs`: escalated or clarified
   * then, or answered and rated 👎 then (the chat's latest question answered
   * with the rated intent at or before the rating).
   */
  unansweredQuestions(sinceMs: number): Promise<UnansweredRecords>;
}

export interface StoreOptions {
  /** The clock, for tests. Defaults to Date.now. */
  now?: () => number;
  /** Told of storage failures and of writes that worked. Defaults to a monitor of its own that logs nothing. */
  storage?: StorageMonitor;
}

/** Where a suggestion is: waiting for content staff, or decided. */
export type SuggestionState = "pending" | "accepted" | "rejected";

/** An operator's word on which intent a closed ticket's question belonged to. */
export interface Suggestion {
  id: number;
  ticketId: number;
  /** The ticket's question, personal data masked as the ticket has it. */
  question: string;
  language: Language;
  /** The intent it belongs to; null: a new topic no intent covers. */
  intent: string | null;
  operatorId: number;
  createdAt: number;
  state: SuggestionState;
  decidedAt: number | null;
}

/** What an operator suggests for a ticket. */
export interface NewSuggestion {
  ticketId: number;
  question: string;
  language: Language;
  intent: string | null;
  operatorId: number;
}

export type RecordSuggestionResult =
  | { ok: true; suggestion: Suggestion }
  /** `suggestion`: the one recorded before for the ticket. */
  | { ok: false; reason: "already_recorded"; suggestion: Suggestion };

export type DecideSuggestionResult =
  | { ok: true; suggestion: Suggestion }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "already_decided"; suggestion: Suggestion };

/** Operators' suggestions, one per ticket, and content staff's decisions on them. */
export interface Suggestions {
  /** Records a ticket's suggestion; a ticket has at most one, the first. */
  record(suggestion: NewSuggestion): Promise<RecordSuggestionResult>;
  get(id: number): Promise<Suggestion | undefined>;
  ofTicket(ticketId: number): Promise<Suggestion | undefined>;
  /** Pending suggestions, oldest first; `all` adds the decided ones. */
  list(options?: { all?: boolean }): Promise<Suggestion[]>;
  /** Marks a pending suggestion accepted or rejected. */
  decide(id: number, state: "accepted" | "rejected"): Promise<DecideSuggestionResult>;
}

export interface SuggestionsOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
}

/** What the bot knows when a citizen confirms they want an operator. */
export interface NewTicket {
  chatId: number;
  language: Language;
  /** The citizen's question, personal data already masked. */
  question: string;
  /** What the bot tried, best first. */
  topIntents: readonly IntentGuess[];
}

/** What a message carries: text, a file, or both (a caption). */
export interface MessageContent {
  ticketId: number;
  text?: string;
  file?: TicketFile;
  /** The Telegram message id in the sender's chat. */
  telegramMessageId?: number;
}

/** A message to record: the citizen's, an operator's to the citizen, or an internal note. */
export type NewTicketMessage =
  | (MessageContent & { direction: "citizen" })
  | (MessageContent & { direction: "operator" | "note"; operatorId: number });

/** Why an operator may not act on a ticket. */
export type ActRefusal = "not_found" | "closed" | "not_assigned" | "not_operator" | "not_yours";

export type OpenTicketResult =
  /** `position`: 1 is next in line. */
  | { ok: true; ticket: Ticket; position: number }
  | { ok: false; reason: "already_open"; ticket: Ticket };

export type TakeResult =
  | { ok: true; ticket: Ticket }
  /** `ticket` says who has it. */
  | { ok: false; reason: "already_taken"; ticket: Ticket }
  | { ok: false; reason: "not_found" | "closed" | "not_operator" | "off_shift" };

export type TakeNextResult =
  | { ok: true; ticket: Ticket }
  | { ok: false; reason: "queue_empty" | "not_operator" | "off_shift" };

export type ReleaseResult =
  | { ok: true; ticket: Ticket; previousOperatorId: number; position: number }
  | { ok: false; reason: ActRefusal };

export type TransferResult =
  | { ok: true; ticket: Ticket; previousOperatorId: number }
  | {
      ok: false;
      reason: ActRefusal | "target_not_operator" | "target_off_shift" | "same_operator";
    };

export type CloseResult = { ok: true; ticket: Ticket } | { ok: false; reason: ActRefusal };

export type RateResult =
  | { ok: true; ticket: Ticket }
  | {
      ok: false;
      reason: "not_found" | "not_yours" | "not_closed" | "already_rated" | "invalid_rating";
    };

export type CancelResult =
  /** `ticket.operatorId` is the operator to tell, or null if it was still waiting. */
  { ok: true; ticket: Ticket } | { ok: false; reason: "no_open_ticket" };

export type AddMessageResult =
  /** `ticket` says where to relay it: its state and operator. */
  { ok: true; message: TicketMessage; ticket: Ticket } | { ok: false; reason: ActRefusal };

/**
 * Tickets and their life. Every change is one transaction on the service's
 * client (a savepoint when that client is a transaction's), so a caller can
 * build the service on its `tx` and commit a ticket change with its outbox
 * rows. Operator
 * actions, refused ones included, write an audit row in the same transaction.
 *
 * Who may do what: only current operators take, release, transfer, close and
 * write; taking needs them on shift; acting on an assigned ticket needs it to
 * be theirs, unless they are a supervisor.
 */
export interface TicketService {
  /** Opens a waiting ticket; a citizen has at most one open (waiting or assigned) ticket. */
  openTicket(ticket: NewTicket): Promise<OpenTicketResult>;
  /** Gives a waiting ticket to an operator; of two operators taking it at once, exactly one wins. */
  takeTicket(ticketId: number, operatorId: number): Promise<TakeResult>;
  /** Takes the ticket that has waited longest. */
  takeNext(operatorId: number): Promise<TakeNextResult>;
  /** Puts an assigned ticket back in the queue, in its original place. */
  release(ticketId: number, operatorId: number): Promise<ReleaseResult>;
  /** Hands an assigned ticket to another on-shift operator, or back to the queue. */
  transfer(ticketId: number, fromOperatorId: number, to: number | "queue"): Promise<TransferResult>;
  /** Closes an assigned ticket; the citizen may then rate it. */
  close(ticketId: number, operatorId: number): Promise<CloseResult>;
  /** The citizen rates a closed ticket of theirs 1 to 5, once, and may say whether it was solved. */
  rate(
    ticketId: number,
    citizenChatId: number,
    rating: number,
    solved?: boolean,
  ): Promise<RateResult>;
  /** The citizen leaves: their open ticket, waiting or assigned, is closed. */
  cancel(citizenChatId: number): Promise<CancelResult>;
  /** Records a message of the conversation (the caller relays it through the outbox). */
  addMessage(message: NewTicketMessage): Promise<AddMessageResult>;
  ticket(ticketId: number): Promise<Ticket | undefined>;
  /** The citizen's waiting or assigned ticket. */
  openTicketOf(citizenChatId: number): Promise<Ticket | undefined>;
  /** An operator's assigned tickets, taken first first. */
  ticketsOf(operatorId: number): Promise<Ticket[]>;
  /** Waiting tickets, the one that has waited longest first. */
  queue(): Promise<Ticket[]>;
  /** A waiting ticket's place in the queue (1 is next); undefined unless it is waiting. */
  positionOf(ticketId: number): Promise<number | undefined>;
  /** The median wait of recently taken tickets in minutes; undefined before any was taken. */
  expectedWaitMinutes(): Promise<number | undefined>;
  /** Figures since a moment, e.g. today's midnight. */
  stats(sinceMs: number): Promise<TicketStats>;
  /** A ticket's latest message from one side (e.g. the citizen's), if any. */
  lastMessage(ticketId: number, direction: MessageDirection): Promise<TicketMessage | undefined>;
  /** Waiting tickets opened at or before `sinceMs`, the oldest first (to remind operators of). */
  overdue(sinceMs: number): Promise<{ id: number; createdAt: number }[]>;
  /** When operators were last reminded of a ticket still waiting; null when never. */
  lastReminderAt(): Promise<number | null>;
  /** Records that operators were reminded of these tickets at `at`. */
  markReminded(ticketIds: readonly number[], at: number): Promise<void>;
  /** The id of the chat's latest ticket, in any state (an offer made before it is stale). */
  latestTicketIdOf(chatId: number): Promise<number | undefined>;
  /** Messages recorded in a ticket more than once (same ticket, direction and text): relayed twice. */
  recordedTwice(): Promise<{ ticketId: number; direction: string; text: string; copies: number }[]>;
  /** The ticket and all its messages, notes included, oldest first. */
  transcript(ticketId: number): Promise<{ ticket: Ticket; messages: TicketMessage[] } | undefined>;
}

export interface TicketServiceOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** How many of the last taken tickets the expected wait looks at. Defaults to 50. */
  waitSample?: number;
  /** The channel its audited actions come from. */
  via?: AuditChannel;
}

/** Supervisor figures since a moment (e.g. today's midnight), up to another (now by default). */
export interface TicketStats {
  /** Tickets opened since. */
  opened: number;
  /** Tickets closed since, by operators or cancelled by citizens. */
  closed: number;
  /** Tickets cancelled by citizens since. */
  cancelled: number;
  /** Waiting in the queue now. */
  waiting: number;
  /** With an operator now. */
  assigned: number;
  /** Median time from opening to an operator first taking it, of tickets first taken since. */
  medianWaitMs: number | undefined;
  /** Median time from first taking to closing, of tickets operators closed since. */
  medianHandlingMs: number | undefined;
  /** Mean rating (1-5) of tickets closed since and rated. */
  averageRating: number | undefined;
  rated: number;
  /** Citizens who said the problem was solved, and who said it was not. */
  solved: number;
  unsolved: number;
}

export interface TicketStatistics {
  /**
   * The median wait of the last tickets operators took, in whole minutes
   * rounded up (at least 1); undefined before any ticket was taken.
   */
  expectedWaitMinutes(): Promise<number | undefined>;
  /** Figures for `sinceMs` ≤ time < `untilMs` (the waiting and assigned counts are now's). */
  stats(sinceMs: number, untilMs?: number): Promise<TicketStats>;
  /** Each wait (opening to first taking, ms) of tickets first taken in the period, shortest first. */
  waits(sinceMs: number, untilMs?: number): Promise<number[]>;
  /** Each handling time (first taking to closing, ms) of tickets operators closed in the period, shortest first. */
  handlings(sinceMs: number, untilMs?: number): Promise<number[]>;
}

export interface TicketStatisticsOptions {
  /** How many of the last taken tickets the expected wait looks at. Defaults to 50. */
  waitSample?: number;
}

/** How many tickets are in each state now. */
export type TicketCounts = Record<TicketState, number>;

/** How many rows `purgeExpired` erased or deleted (or would, on a dry run). */
export interface PurgeCounts {
  /** Closed tickets whose question was erased. */
  tickets: number;
  /** Messages of those tickets (citizen's, operator's, notes) whose text or file was erased. */
  messages: number;
  /** Of those messages, the ones that carried a file (its file id is gone). */
  files: number;
  /** Questions to the bot whose text was erased. */
  questions: number;
  /** Sent or failed outbox rows deleted: their payloads held relayed texts and file ids. */
  outbox: number;
  /** Handled update ids forgotten (no personal data; they only pile up). */
  updates: number;
  /**
   * Saved updates never handled (given up after crashing the bot on every
   * replay) older than the retention period: they hold citizens' messages.
   */
  inbox: number;
  /** The desk's effects, rendered, deleted after the handled-update period (they hold what was said). */
  effects: number;
  /** Web console sessions ended or unused for the handled-update period, deleted. */
  sessions: number;
  /** Sign-in failure counts of windows that long over, deleted. */
  signInFailures: number;
  /**
   * Operators' suggestions whose copy of the ticket's question was erased;
   * null when the database has no `suggestions` table (before migration 4).
   */
  suggestions: number | null;
}

export interface PurgeOptions {
  /**
   * The retention period: what tickets closed, questions asked and outbox
   * rows created before `now - olderThanMs` hold of personal data goes.
   */
  olderThanMs: number;
  /** The moment to count back from. Defaults to Date.now(). */
  now?: number;
  /**
   * Handled update ids older than this are forgotten. Defaults to 3 days
   * (Telegram keeps an undelivered update 24 hours at most).
   */
  updatesOlderThanMs?: number;
  /** Count what would go and change nothing. Defaults to false. */
  dryRun?: boolean;
}

/** An unanswered question as stored: the text is masked; `at` is when it was asked, or rated 👎. */
export interface UnansweredRecord extends UnansweredQuestion {
  /** The question's row (questions.id): what a content decision marks. */
  id: number;
  chatId: number;
  language: Language;
  /** The intent answered (and rated 👎); null for an escalated or clarified question. */
  intent: string | null;
}

export interface UnansweredRecords {
  /** Oldest first. */
  questions: UnansweredRecord[];
  /**
   * 👎 given in the period with no answered question to match (the answer
   * was picked from the menu or from a clarification's choices).
   */
  unmatchedFeedback: number;
  /** Questions left out because the retention purge erased their text. */
  erased: number;
}

/** Which ticket an operator's plain messages go to, when they chose one (`/tickets`, a switch, a take). */
export interface OperatorFocus {
  /** The ticket the operator chose last; undefined when they never chose one. */
  of(operatorId: number): Promise<number | undefined>;
  /** Makes `ticketId` the operator's current ticket. */
  set(operatorId: number, ticketId: number): Promise<void>;
}

/** Every repository of the handoff, on one client. */
/** How a staff member signs in to the web console (what the console stores; it hashes). */
export interface StaffCredentials {
  staffId: number;
  /** The argon2id hash of their password; null until they set one. */
  passwordHash: string | null;
  /** Their TOTP secret (base32), once they began setting up a second factor. */
  totpSecret: string | null;
  /** When they confirmed it with a code: from then on sign-in asks for one. */
  totpEnabledAt: number | null;
}

/** A signed-in staff member's session, as the console finds it from the cookie. */
export interface WebSession {
  staffId: number;
  /** The token every state-changing request must carry (CSRF). */
  csrfToken: string;
  createdAt: number;
}

/**
 * Staff accounts for the web console: credentials, one-time invitations,
 * server-side sessions (any process serves any request) and the sign-in
 * rate limit's counts. Tokens are stored hashed (`tokenHash`).
 */
export interface StaffAccounts {
  /** A one-time invitation to set a password, until `expiresAt`; their earlier unused ones end. */
  invite(staffId: number, tokenHash: string, expiresAt: number): Promise<void>;
  /** The staff member an unused, unexpired invitation is for, used up now; undefined otherwise. */
  redeemInvite(tokenHash: string): Promise<number | undefined>;
  /** The staff member an unused, unexpired invitation is for, leaving it unused (to check a password first). */
  pendingInvite(tokenHash: string): Promise<number | undefined>;
  credentialsOf(staffId: number): Promise<StaffCredentials | undefined>;
  setPassword(staffId: number, passwordHash: string): Promise<void>;
  /** Keeps a TOTP secret; `enabled`: confirmed by a code (null secret: second factor off). */
  setTotp(staffId: number, secret: string | null, enabled: boolean): Promise<void>;
  openSession(staffId: number, tokenHash: string, csrfToken: string): Promise<void>;
  /**
   * The session of a cookie's token: not ended, used within `limits.idleMs`,
   * opened within `limits.maxAgeMs` (if given), of current staff. Its last
   * use becomes now unless `touch` is false (a page refreshing by itself is
   * no use: it must not keep an unattended session alive). Undefined otherwise.
   */
  session(
    tokenHash: string,
    idleMs: number,
    options?: { maxAgeMs?: number; touch?: boolean },
  ): Promise<WebSession | undefined>;
  endSession(tokenHash: string): Promise<void>;
  /** Ends every session of a staff member (removed, or a new password); returns how many. */
  endSessionsOf(staffId: number): Promise<number>;
  /** Counts one more failed sign-in under `key`; returns the window's count. */
  recordFailure(key: string, windowMs: number): Promise<number>;
  /** Takes one back (an attempt counted before it was known to succeed). */
  forgiveFailure(key: string): Promise<void>;
  /**
   * Spends a TOTP time step: true when it is later than the last one the
   * member used, so a code works once (a replayed code is refused).
   */
  useTotpStep(staffId: number, step: number): Promise<boolean>;
  clearFailures(key: string): Promise<void>;
}

/** What a ticket's tag may be: a word or two of letters, digits, dashes and underscores. */
export const TAG = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,31}$/u;

/** The tags staff put on tickets ("vip", "повторно", "паспорт"), for finding and counting them. */
export interface TicketTags {
  of(ticketId: number): Promise<string[]>;
  /** Adds a tag (lowercased); false when the ticket had it already. Throws on a tag that is not TAG. */
  add(ticketId: number, tag: string, by: number): Promise<boolean>;
  /** Takes a tag off; false when the ticket did not have it. */
  remove(ticketId: number, tag: string, by: number): Promise<boolean>;
}

/** One effect the desk said, as recorded. */
export interface RecordedEffect {
  id: number;
  effect: DeskEffect;
  createdAt: number;
  /** When a bot process rendered it to Telegram; null while it waits for one. */
  renderedAt: number | null;
}

/**
 * What the desk said, recorded in the step that said it: for the channels
 * outside the process that said it. A web console's steps wait here for a
 * bot process to render them to Telegram (in order); the bot's own are
 * recorded as rendered; every console follows the feed for live updates.
 */
export interface DeskEffects {
  /** Records an effect; `rendered`: the step's own channel delivered it (the bot's steps). Returns its id. */
  record(effect: DeskEffect, options: { rendered: boolean }): Promise<number>;
  /**
   * The oldest effects not rendered yet, up to `limit`, locked until this
   * transaction ends (another process asking meanwhile waits, then finds
   * them rendered): call it in the transaction that renders them.
   */
  claimUnrendered(limit: number): Promise<RecordedEffect[]>;
  markRendered(ids: readonly number[]): Promise<void>;
  /** Whether any effect waits for rendering (cheap: an index). */
  anyUnrendered(): Promise<boolean>;
  /** The effects after `id`, oldest first, up to `limit`: a console's feed. */
  after(id: number, limit: number): Promise<RecordedEffect[]>;
  /** The newest effect's id (0 for none): where a console's feed starts. */
  latestId(): Promise<number>;
  /** Whether a ticket's `shown` thing was said to anyone (the rating question, asked once). */
  wasShown(ticketId: number, shown: Shown): Promise<boolean>;
  /** The ticket messages (their ids) that a staff member said and no channel has rendered yet. */
  unrenderedMessages(ticketId: number): Promise<Set<number>>;
}

/** A knowledge file as an editor left it: its whole text, not yet published. */
export interface ContentDraft {
  file: string;
  text: string;
  editedBy: number;
  editedAt: number;
}

/** A file a publication wrote: its text before (null: new) and after (null: removed, by a restore). */
export interface PublishedFile {
  name: string;
  before: string | null;
  after: string | null;
}

export interface Publication {
  id: number;
  publishedBy: number;
  publishedAt: number;
  files: PublishedFile[];
  /** The publication whose earlier texts this one brought back (a restore). */
  restores: number | null;
}

/** The content studio's store: drafts of knowledge files, and what each publication changed. */
export interface ContentDrafts {
  list(): Promise<ContentDraft[]>;
  get(file: string): Promise<ContentDraft | undefined>;
  /**
   * Keeps a file's draft text in place of `replacing`: the draft text its
   * editor started from, or null for none. False, and nothing changed, when
   * the draft is not that any more (another editor saved in between).
   */
  save(file: string, text: string, editedBy: number, replacing: string | null): Promise<boolean>;
  discard(file: string): Promise<void>;
  /** Records a publication and, with it, ends the drafts of the files it wrote; returns its id. */
  recordPublication(
    publishedBy: number,
    files: readonly PublishedFile[],
    restores?: number,
  ): Promise<number>;
  /** The newest publications first. */
  publications(limit: number): Promise<Publication[]>;
  publication(id: number): Promise<Publication | undefined>;
}

/** What content staff did with unanswered questions. */
export type UnansweredDecisionKind = "added" | "new_topic" | "ignored";

export interface UnansweredDecision {
  id: number;
  kind: UnansweredDecisionKind;
  /** The intent the questions were added to ("added"). */
  intent: string | null;
  /** The examples added, each in its language ("added"): an undo takes them out again. */
  examples: readonly { language: Language; text: string }[];
  decidedBy: number;
  decidedAt: number;
  undoneBy: number | null;
  undoneAt: number | null;
  /** How many questions it marked. */
  questions: number;
}

/** A question an active decision took: with its text, so that the same text asked again is taken too. */
export interface MarkedQuestion {
  questionId: number;
  decisionId: number;
  /** The stored (masked) text; the retention purge's placeholder once erased. */
  text: string;
}

/**
 * Content staff's decisions on the unanswered questions' page: each marks
 * the questions it took, so they leave the page; an undo brings them back.
 */
export interface UnansweredDecisions {
  /** Records a decision on existing questions (ids of other rows are ignored); returns its id, or undefined if none exists. */
  decide(input: {
    kind: UnansweredDecisionKind;
    questionIds: readonly number[];
    decidedBy: number;
    intent?: string;
    examples?: readonly { language: Language; text: string }[];
  }): Promise<number | undefined>;
  /** Ends an active decision; false if there is none such (unknown, or undone already). */
  undo(id: number, by: number): Promise<boolean>;
  get(id: number): Promise<UnansweredDecision | undefined>;
  /** The newest decisions first, active and undone. */
  recent(limit: number): Promise<UnansweredDecision[]>;
  /** The questions the active decisions took. */
  marked(): Promise<MarkedQuestion[]>;
}

/** Incidents: posted by staff, shown to citizens until ended. */
export interface Incidents {
  post(text: IncidentText, by: number): Promise<Incident>;
  /** Replaces an active incident's text; refused when it is gone or ended. */
  update(id: number, text: IncidentText, by: number): Promise<IncidentChange>;
  /** Ends an active incident; refused when it is gone or already ended. */
  end(id: number, by: number): Promise<IncidentChange>;
  get(id: number): Promise<Incident | undefined>;
  /** The incidents not ended, oldest posted first. */
  active(): Promise<Incident[]>;
  /** The ended incidents, the latest ended first, up to `limit`. */
  ended(limit: number): Promise<Incident[]>;
}

export interface Repositories {
  store: Store;
  tickets: TicketService;
  staff: Staff;
  outbox: Outbox;
  effects: DeskEffects;
  accounts: StaffAccounts;
  tags: TicketTags;
  suggestions: Suggestions;
  audit: AuditLog;
  focus: OperatorFocus;
  reports: ReportFigures;
  content: ContentDrafts;
  unanswered: UnansweredDecisions;
  incidents: Incidents;
}

/** The managers' report figures (and the supervisors' /stats) for a period. */
export interface ReportFigures {
  collect(period: ReportPeriod): Promise<ReportData>;
}

export interface RepositoriesOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** The store's storage monitor. Defaults to one of its own that logs nothing. */
  storage?: StorageMonitor;
  /** This process among those sharing the database (the outbox records it on rows it claims). */
  instance?: string;
  /** The channel this process's audited actions come from (the bot: telegram, the console: web). */
  via?: AuditChannel;
  /** The outbox's least gap between two rows sent to one chat (OutboxOptions.chatGapMs). */
  chatGapMs?: number;
}
