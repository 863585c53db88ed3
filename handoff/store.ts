import type { Database } from "better-sqlite3";
import { openDatabase } from "./database.ts";
import { createStorageMonitor, type StorageMonitor } from "./database-probe.ts";
import { prepareUnansweredQuery, type UnansweredRecords } from "./unanswered-questions.ts";

export type Language = "ru" | "en";

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
  wasHandled(updateId: number): boolean;
  /** Records an update as handled, after its reply went out (it leaves the inbox). */
  markHandled(updateId: number): void;
  /**
   * Keeps a fetched batch of updates until each is handled (before Telegram is
   * told it arrived). Throws when they cannot be saved, also when the file was
   * deleted while the bot ran.
   */
  saveUpdates(updates: readonly { update_id: number }[]): void;
  /**
   * Updates saved but not handled (a crash came between), oldest first, each
   * counted as replayed once more; those replayed `maxReplays` times already
   * are left out (an update that crashes the bot must not do it forever).
   */
  takeUnhandledUpdates(maxReplays: number): unknown[];
  languageOf(chatId: number): Language | undefined;
  setLanguage(chatId: number, language: Language): void;
  /** The citizen blocked the bot (Telegram answered 403): stop sending to them. */
  markBlocked(chatId: number): void;
  /** They wrote again: they unblocked the bot. */
  markActive(chatId: number): void;
  isBlocked(chatId: number): boolean;
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
  ): FeedbackOutcome;
  recordQuestion(question: QuestionRecord): void;
  feedback(): { chatId: number; intent: string; helpful: boolean; createdAt: number }[];
  questions(): (QuestionRecord & { createdAt: number })[];
  /** The chat's latest question, if asked at or after `sinceMs` (what a new ticket carries). */
  lastQuestion(
    chatId: number,
    sinceMs: number,
  ): (QuestionRecord & { createdAt: number }) | undefined;
  /**
   * The questions not answered well since `sinceMs`: escalated or clarified
   * then, or answered and rated 👎 then (the chat's latest question answered
   * with the rated intent at or before the rating).
   */
  unansweredQuestions(sinceMs: number): UnansweredRecords;
  close(): void;
}

export interface StoreOptions {
  /** The clock, for tests. Defaults to Date.now. */
  now?: () => number;
  /** Told of storage failures and of writes that worked. Defaults to a monitor of its own that logs nothing. */
  storage?: StorageMonitor;
}

/**
 * Opens (creating it if needed) the SQLite database at `path`, in WAL mode,
 * and brings its schema up to date. `":memory:"` gives a private in-memory
 * database. Given a connection from `openDatabase` instead, the store shares
 * it with the tickets and the outbox; `close()` closes it either way.
 *
 * @example const store = createStore("./data/bot.sqlite");
 */
export function createStore(path: string | Database, options: StoreOptions = {}): Store {
  const db = typeof path === "string" ? openDatabase(path) : path;
  const { now = Date.now, storage = createStorageMonitor(db) } = options;
  /** Runs bookkeeping; a storage failure gives `fallback` instead (see Store). */
  const keep = <T>(work: () => T, fallback: T, writes: boolean): T => {
    try {
      const result = work();
      if (writes) storage.wrote();
      return result;
    } catch (error) {
      if (!storage.observe(error)) throw error;
      return fallback;
    }
  };
  const write = (work: () => void) => keep(work, undefined, true);

  const handled = db.prepare<[number], { update_id: number }>(
    "SELECT update_id FROM processed_updates WHERE update_id = ?",
  );
  const saveUpdate = db.prepare<[number, string, number]>(
    "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const leaveInbox = db.prepare<[number]>("DELETE FROM inbox WHERE update_id = ?");
  const unhandled = db.prepare<[number], { update_id: number; payload: string }>(
    `SELECT update_id, payload FROM inbox
     WHERE replays < ? AND update_id NOT IN (SELECT update_id FROM processed_updates)
     ORDER BY update_id`,
  );
  const countReplay = db.prepare<[number]>(
    "UPDATE inbox SET replays = replays + 1 WHERE update_id = ?",
  );
  const saveBatch = db.transaction((updates: readonly { update_id: number }[]) => {
    for (const update of updates) saveUpdate.run(update.update_id, JSON.stringify(update), now());
  });
  const takeUnhandled = db.transaction((maxReplays: number) =>
    unhandled.all(maxReplays).map((row) => {
      countReplay.run(row.update_id);
      return JSON.parse(row.payload) as unknown;
    }),
  );
  const markHandled = db.prepare(
    "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
  );
  const getChat = db.prepare<[number], { language: Language | null; blocked_at: number | null }>(
    "SELECT language, blocked_at FROM chats WHERE chat_id = ?",
  );
  const upsertLanguage = db.prepare(
    `INSERT INTO chats (chat_id, language, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`,
  );
  const upsertBlocked = db.prepare(
    `INSERT INTO chats (chat_id, blocked_at, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (chat_id) DO UPDATE SET blocked_at = excluded.blocked_at, updated_at = excluded.updated_at`,
  );
  const insertFeedback = db.prepare(
    `INSERT INTO feedback (chat_id, intent, helpful, created_at, message_id) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (chat_id, message_id) WHERE message_id IS NOT NULL
     DO UPDATE SET intent = excluded.intent, helpful = excluded.helpful, created_at = excluded.created_at`,
  );
  const feedbackOn = db.prepare<[number, number], { helpful: number }>(
    "SELECT helpful FROM feedback WHERE chat_id = ? AND message_id = ?",
  );
  const insertQuestion = db.prepare(
    `INSERT INTO questions (chat_id, text, language, decision, intent, confidence, candidates, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const allFeedback = db.prepare<
    [],
    { chat_id: number; intent: string; helpful: number; created_at: number }
  >("SELECT chat_id, intent, helpful, created_at FROM feedback ORDER BY id");
  type QuestionRow = {
    chat_id: number;
    text: string;
    language: Language;
    decision: QuestionRecord["decision"];
    intent: string | null;
    confidence: number;
    candidates: string;
    created_at: number;
  };
  const allQuestions = db.prepare<[], QuestionRow>("SELECT * FROM questions ORDER BY id");
  const latestQuestion = db.prepare<[number, number], QuestionRow>(
    "SELECT * FROM questions WHERE chat_id = ? AND created_at >= ? ORDER BY id DESC LIMIT 1",
  );
  const toQuestion = (row: QuestionRow) => ({
    chatId: row.chat_id,
    text: row.text,
    language: row.language,
    decision: row.decision,
    intent: row.intent,
    confidence: row.confidence,
    candidates: JSON.parse(row.candidates) as QuestionRecord["candidates"],
    createdAt: row.created_at,
  });

  const isBlocked = (chatId: number) =>
    keep(() => getChat.get(chatId)?.blocked_at != null, false, false);

  return {
    wasHandled: (updateId) => keep(() => handled.get(updateId) !== undefined, false, false),
    markHandled: (updateId) => {
      storage.checkFile();
      write(() => {
        markHandled.run(updateId, now());
        leaveInbox.run(updateId);
      });
    },
    saveUpdates: (updates) => {
      storage.checkFile();
      if (updates.length === 0) return;
      try {
        saveBatch.immediate(updates);
      } catch (error) {
        storage.observe(error);
        throw error;
      }
      storage.wrote();
    },
    takeUnhandledUpdates: (maxReplays) => takeUnhandled.immediate(maxReplays),
    languageOf: (chatId) =>
      keep(() => getChat.get(chatId)?.language ?? undefined, undefined, false),
    setLanguage: (chatId, language) =>
      write(() => {
        upsertLanguage.run(chatId, language, now());
      }),
    markBlocked: (chatId) =>
      write(() => {
        upsertBlocked.run(chatId, now(), now());
      }),
    markActive: (chatId) => {
      if (isBlocked(chatId)) write(() => upsertBlocked.run(chatId, null, now()));
    },
    isBlocked,
    // On a storage fault the press reads as recorded, so the citizen's flow
    // (an operator offered after 👎) goes on and meets the fault plainly.
    recordFeedback: (chatId, intent, helpful, answerMessageId) =>
      keep(
        (): FeedbackOutcome => {
          const before =
            answerMessageId === undefined ? undefined : feedbackOn.get(chatId, answerMessageId);
          if (before && before.helpful === (helpful ? 1 : 0)) return "unchanged";
          insertFeedback.run(chatId, intent, helpful ? 1 : 0, now(), answerMessageId ?? null);
          return before ? "changed" : "recorded";
        },
        "recorded",
        true,
      ),
    recordQuestion: (q) =>
      write(() => {
        insertQuestion.run(
          q.chatId,
          q.text,
          q.language,
          q.decision,
          q.intent,
          q.confidence,
          JSON.stringify(q.candidates),
          now(),
        );
      }),
    feedback: () =>
      allFeedback.all().map((row) => ({
        chatId: row.chat_id,
        intent: row.intent,
        helpful: row.helpful === 1,
        createdAt: row.created_at,
      })),
    questions: () => allQuestions.all().map(toQuestion),
    lastQuestion: (chatId, sinceMs) => {
      const row = latestQuestion.get(chatId, sinceMs);
      return row && toQuestion(row);
    },
    unansweredQuestions: prepareUnansweredQuery(db),
    close: () => db.close(),
  };
}
