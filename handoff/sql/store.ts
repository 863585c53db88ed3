import type { Language } from "../../knowledge/stem.ts";
import { createStorageMonitor } from "../database-probe.ts";
import type { FeedbackOutcome, QuestionRecord, Store, StoreOptions } from "../ports.ts";
import type { SqlClient } from "./client.ts";
import { unansweredQuestions } from "./unanswered-questions.ts";

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
    claimHandled: async (updateId) => {
      const claimed = (await sql.run(MARK_HANDLED, [updateId, now()])) > 0;
      if (claimed) await sql.run(LEAVE_INBOX, [updateId]);
      return claimed;
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
