import type { Language } from "../../knowledge/stem.ts";
import type { UnansweredRecord, UnansweredRecords } from "../ports.ts";
import type { SqlClient } from "./client.ts";
import { ERASED_TEXT } from "./retention.ts";

type Row = {
  id: number;
  chat_id: number;
  text: string;
  language: Language;
  intent: string | null;
  reason: UnansweredRecord["reason"];
  at: number;
};

// A 👎 rates the chat's latest question answered with that intent at or
// before the feedback: ids grow with time, so the chat's questions are read
// backwards by the questions_by_chat index (chat_id, id) until one fits.
const RATED_QUESTION = `
  SELECT id FROM questions
  WHERE chat_id = f.chat_id AND decision = 'answer' AND intent = f.intent
    AND created_at <= f.created_at
  ORDER BY id DESC LIMIT 1`;

const SELECT = `
  SELECT id, chat_id, text, language, intent,
    CASE decision WHEN 'escalate' THEN 'escalated' ELSE 'clarified' END AS reason,
    created_at AS at
  FROM questions
  WHERE created_at >= :since AND decision IN ('escalate', 'clarify')
  UNION ALL
  SELECT q.id, q.chat_id, q.text, q.language, q.intent, 'unhelpful' AS reason, MAX(f.created_at) AS at
  FROM feedback f JOIN questions q ON q.id = (${RATED_QUESTION})
  WHERE f.created_at >= :since AND f.helpful = 0
  GROUP BY q.id
  ORDER BY at`;
const UNMATCHED = `
  SELECT COUNT(*) AS n FROM feedback f
  WHERE f.created_at >= :since AND f.helpful = 0 AND NOT EXISTS (${RATED_QUESTION})`;

/**
 * The questions the bot did not answer well since a time: escalated and
 * clarified questions asked then (by the questions_by_time index), and
 * answered questions rated 👎 then (by feedback_by_time), each question once
 * however many times it was rated.
 *
 * @example const unanswered = await unansweredQuestions(db, Date.now() - 7 * DAY);
 */
export async function unansweredQuestions(
  sql: SqlClient,
  sinceMs: number,
): Promise<UnansweredRecords> {
  const rows = await sql.all<Row>(SELECT, { since: sinceMs });
  const questions = rows
    .filter((row) => row.text !== ERASED_TEXT)
    .map((row) => ({
      id: Number(row.id),
      chatId: row.chat_id,
      text: row.text,
      language: row.language,
      intent: row.intent,
      reason: row.reason,
      at: row.at,
    }));
  const unmatched = await sql.get<{ n: number }>(UNMATCHED, { since: sinceMs });
  return {
    questions,
    unmatchedFeedback: Number(unmatched?.n ?? 0),
    erased: rows.length - questions.length,
  };
}
