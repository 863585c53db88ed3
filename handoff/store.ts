import type { Language } from "../knowledge/stem.ts";
import { createStorageMonitor, type StorageMonitor } from "./database-probe.ts";
import type { SqlClient } from "./sql/client.ts";
import { type UnansweredRecords, unansweredQuestions } from "./unanswered-questions.ts";

export type { Language } from "../knowledge/stem.ts";

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

const HANDLED = "SELECT update_id FROM processed_updates WHERE update_id = ?";
const SAVE_UPDATE =
  "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
const LEAVE_INBOX = "DELETE FROM inbox WHERE update_id = ?";
const UNHANDLED = `SELECT update_id, payload FROM inbox
  WHERE replays < ? AND update_id NOT IN (SELECT update_id FROM processed_updates)
  ORDER BY update_id`;
const COUNT_REPLAY = "UPDATE inbox SET replays = replays + 1 WHERE update_id = ?";
const MARK_HANDLED =
  "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?) ON CONFLICT DO NOTHING";
const GET_CHAT = "SELECT language, blocked_at FROM chats WHERE chat_id = ?";
const UPSERT_LANGUAGE = `INSERT INTO chats (chat_id, language, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`;
const UPSERT_BLOCKED = `INSERT INTO chats (chat_id, blocked_at, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (chat_id) DO UPDATE SET blocked_at = excluded.blocked_at, updated_at = excluded.updated_at`;
const INSERT_FEEDBACK = `INSERT INTO feedback (chat_id, intent, helpful, created_at, message_id) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (chat_id, message_id) WHERE message_id IS NOT NULL
  DO UPDATE SET intent = excluded.intent, helpful = excluded.helpful, created_at = excluded.created_at`;
const FEEDBACK_ON = "SELECT helpful FROM feedback WHERE chat_id = ? AND message_id = ?";
const INSERT_QUESTION = `INSERT INTO questions (chat_id, text, language, decision, intent, confidence, candidates, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const ALL_FEEDBACK = "SELECT chat_id, intent, helpful, created_at FROM feedback ORDER BY id";
const ALL_QUESTIONS = "SELECT * FROM questions ORDER BY id";
const LATEST_QUESTION =
  "SELECT * FROM questions WHERE chat_id = ? AND created_at >= ? ORDER BY id DESC LIMIT 1";

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

/**
 * The store on `sql` (the database, or a step's transaction: `markHandled`
 * then commits with the step's change). Cheap to build: SQL text only.
 *
 * @example const store = createStore(db); if (!(await store.wasHandled(updateId))) …
 */
export function createStore(sql: SqlClient, options: StoreOptions = {}): Store {
  const { now = Date.now, storage = createStorageMonitor() } = options;
  /** Runs bookkeeping; a storage failure gives `fallback` instead (see Store). */
  const keep = async <T>(work: () => Promise<T>, fallback: T, writes: boolean): Promise<T> => {
    try {
      const result = await work();
      if (writes) storage.wrote();
      return result;
    } catch (error) {
      if (!storage.observe(error)) throw error;
      return fallback;
    }
  };
  const write = (work: () => Promise<unknown>) =>
    keep(
      async () => {
        await work();
      },
      undefined,
      true,
    );
  const chat = (chatId: number) =>
    sql.get<{ language: Language | null; blocked_at: number | null }>(GET_CHAT, [chatId]);
  const isBlocked = (chatId: number) =>
    keep(async () => (await chat(chatId))?.blocked_at != null, false, false);

  return {
    wasHandled: (updateId) =>
      keep(async () => (await sql.get(HANDLED, [updateId])) !== undefined, false, false),
    markHandled: async (updateId) => {
      storage.checkFile();
      await write(async () => {
        await sql.run(MARK_HANDLED, [updateId, now()]);
        await sql.run(LEAVE_INBOX, [updateId]);
      });
    },
    saveUpdates: async (updates) => {
      storage.checkFile();
      if (updates.length === 0) return;
      try {
        await sql.transaction(async (tx) => {
          for (const update of updates) {
            await tx.run(SAVE_UPDATE, [update.update_id, JSON.stringify(update), now()]);
          }
        });
      } catch (error) {
        storage.observe(error);
        throw error;
      }
      storage.wrote();
    },
    takeUnhandledUpdates: (maxReplays) =>
      sql.transaction(async (tx) => {
        const rows = await tx.all<{ update_id: number; payload: string }>(UNHANDLED, [maxReplays]);
        const updates: unknown[] = [];
        for (const row of rows) {
          await tx.run(COUNT_REPLAY, [row.update_id]);
          updates.push(JSON.parse(row.payload) as unknown);
        }
        return updates;
      }),
    languageOf: (chatId) =>
      keep(async () => (await chat(chatId))?.language ?? undefined, undefined, false),
    setLanguage: (chatId, language) =>
      write(() => sql.run(UPSERT_LANGUAGE, [chatId, language, now()])),
    markBlocked: (chatId) => write(() => sql.run(UPSERT_BLOCKED, [chatId, now(), now()])),
    markActive: async (chatId) => {
      if (await isBlocked(chatId))
        await write(() => sql.run(UPSERT_BLOCKED, [chatId, null, now()]));
    },
    isBlocked,
    // On a storage fault the press reads as recorded, so the citizen's flow
    // (an operator offered after 👎) goes on and meets the fault plainly.
    recordFeedback: (chatId, intent, helpful, answerMessageId) =>
      keep(
        async (): Promise<FeedbackOutcome> => {
          const before =
            answerMessageId === undefined
              ? undefined
              : await sql.get<{ helpful: number }>(FEEDBACK_ON, [chatId, answerMessageId]);
          if (before && before.helpful === (helpful ? 1 : 0)) return "unchanged";
          await sql.run(INSERT_FEEDBACK, [
            chatId,
            intent,
            helpful ? 1 : 0,
            now(),
            answerMessageId ?? null,
          ]);
          return before ? "changed" : "recorded";
        },
        "recorded",
        true,
      ),
    recordQuestion: (q) =>
      write(() =>
        sql.run(INSERT_QUESTION, [
          q.chatId,
          q.text,
          q.language,
          q.decision,
          q.intent,
          q.confidence,
          JSON.stringify(q.candidates),
          now(),
        ]),
      ),
    feedback: async () =>
      (
        await sql.all<{ chat_id: number; intent: string; helpful: number; created_at: number }>(
          ALL_FEEDBACK,
        )
      ).map((row) => ({
        chatId: row.chat_id,
        intent: row.intent,
        helpful: row.helpful === 1,
        createdAt: row.created_at,
      })),
    questions: async () => (await sql.all<QuestionRow>(ALL_QUESTIONS)).map(toQuestion),
    lastQuestion: async (chatId, sinceMs) => {
      const row = await sql.get<QuestionRow>(LATEST_QUESTION, [chatId, sinceMs]);
      return row && toQuestion(row);
    },
    unansweredQuestions: (sinceMs) => unansweredQuestions(sql, sinceMs),
  };
}
