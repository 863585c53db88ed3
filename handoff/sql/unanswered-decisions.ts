import type {
  MarkedQuestion,
  UnansweredDecision,
  UnansweredDecisionKind,
  UnansweredDecisions,
} from "../ports.ts";
import type { SqlClient } from "./client.ts";

interface DecisionRow {
  id: number;
  kind: UnansweredDecisionKind;
  intent: string | null;
  examples: string | null;
  decided_by: number;
  decided_at: number;
  undone_by: number | null;
  undone_at: number | null;
  questions: number;
}

const toDecision = (row: DecisionRow): UnansweredDecision => ({
  id: Number(row.id),
  kind: row.kind,
  intent: row.intent,
  examples: row.examples ? JSON.parse(row.examples) : [],
  decidedBy: Number(row.decided_by),
  decidedAt: Number(row.decided_at),
  undoneBy: row.undone_by === null ? null : Number(row.undone_by),
  undoneAt: row.undone_at === null ? null : Number(row.undone_at),
  questions: Number(row.questions),
});

const INSERT = `INSERT INTO kb_unanswered_decisions (kind, intent, examples, decided_by, decided_at)
  VALUES (?, ?, ?, ?, ?) RETURNING id`;
// Only questions that exist: a forged id marks nothing. In batches, so
// that a cluster of thousands is a few statements.
const MARK_BATCH = 500;
const mark = (count: number) => `INSERT INTO kb_unanswered_marks (decision_id, question_id)
  SELECT ?, id FROM questions WHERE id IN (${Array(count).fill("?").join(", ")})`;
const SELECT = `SELECT d.*,
    (SELECT COUNT(*) FROM kb_unanswered_marks m WHERE m.decision_id = d.id) AS questions
  FROM kb_unanswered_decisions d`;
const MARKED = `SELECT m.question_id, m.decision_id, q.text FROM kb_unanswered_marks m
  JOIN kb_unanswered_decisions d ON d.id = m.decision_id
  JOIN questions q ON q.id = m.question_id
  WHERE d.undone_at IS NULL`;

/**
 * Content staff's decisions on unanswered questions, on `sql`: one row a
 * decision, one mark for each question it took. Each call is one or a few
 * statements; the console runs a decision with its draft and audit row in
 * one transaction.
 *
 * @example
 * const id = await createUnansweredDecisions(tx).decide({ kind: "ignored", questionIds: [4, 9], decidedBy: 2 });
 */
export function createUnansweredDecisions(
  sql: SqlClient,
  options: { now?: () => number } = {},
): UnansweredDecisions {
  const { now = Date.now } = options;
  const get = async (id: number) => {
    const row = await sql.get<DecisionRow>(`${SELECT} WHERE d.id = ?`, [id]);
    return row ? toDecision(row) : undefined;
  };
  return {
    decide: async ({ kind, questionIds, decidedBy, intent, examples }) => {
      const row = await sql.get<{ id: number }>(INSERT, [
        kind,
        intent ?? null,
        examples && examples.length > 0 ? JSON.stringify(examples) : null,
        decidedBy,
        now(),
      ]);
      const id = Number(row?.id);
      const unique = [...new Set(questionIds)];
      let marked = 0;
      for (let at = 0; at < unique.length; at += MARK_BATCH) {
        const batch = unique.slice(at, at + MARK_BATCH);
        marked += await sql.run(mark(batch.length), [id, ...batch]);
      }
      if (marked > 0) return id;
      // Nothing it could take: no decision either.
      await sql.run("DELETE FROM kb_unanswered_decisions WHERE id = ?", [id]);
      return undefined;
    },
    undo: async (id, by) =>
      (await sql.run(
        "UPDATE kb_unanswered_decisions SET undone_by = ?, undone_at = ? WHERE id = ? AND undone_at IS NULL",
        [by, now(), id],
      )) > 0,
    get,
    recent: async (limit) =>
      (await sql.all<DecisionRow>(`${SELECT} ORDER BY d.id DESC LIMIT ?`, [limit])).map(toDecision),
    marked: async () =>
      (await sql.all<{ question_id: number; decision_id: number; text: string }>(MARKED)).map(
        (row): MarkedQuestion => ({
          questionId: Number(row.question_id),
          decisionId: Number(row.decision_id),
          text: row.text,
        }),
      ),
  };
}
