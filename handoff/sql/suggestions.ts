import type { Language } from "../../knowledge/stem.ts";
import type { Suggestion, SuggestionState, Suggestions, SuggestionsOptions } from "../ports.ts";
import type { SqlClient } from "./client.ts";

interface SuggestionRow {
  id: number;
  ticket_id: number;
  question: string;
  language: Language;
  intent: string | null;
  operator_id: number;
  created_at: number;
  state: SuggestionState;
  decided_at: number | null;
}

const toSuggestion = (row: SuggestionRow): Suggestion => ({
  id: row.id,
  ticketId: row.ticket_id,
  question: row.question,
  language: row.language,
  intent: row.intent,
  operatorId: row.operator_id,
  createdAt: row.created_at,
  state: row.state,
  decidedAt: row.decided_at,
});

// ON CONFLICT DO NOTHING makes "first one wins" atomic: of two presses at
// once, the second inserts nothing and reads the first's row.
const INSERT = `INSERT INTO suggestions (ticket_id, question, language, intent, operator_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING RETURNING *`;
const BY_ID = "SELECT * FROM suggestions WHERE id = ?";
const BY_TICKET = "SELECT * FROM suggestions WHERE ticket_id = ?";
const PENDING = "SELECT * FROM suggestions WHERE state = 'pending' ORDER BY id";
const ALL = "SELECT * FROM suggestions ORDER BY id";
const DECIDE_PENDING = `UPDATE suggestions SET state = ?, decided_at = ?
  WHERE id = ? AND state = 'pending' RETURNING *`;

/**
 * The suggestions on `sql`. Each call is one statement, so it commits with
 * the transaction whose client it is given (the desk records a suggestion
 * with its audit row and its messages).
 *
 * @example
 * const suggestions = createSuggestions(db);
 * for (const s of await suggestions.list()) console.log(s.id, s.intent ?? "new topic", s.question);
 * await suggestions.decide(3, "accepted");
 */
export function createSuggestions(sql: SqlClient, options: SuggestionsOptions = {}): Suggestions {
  const { now = Date.now } = options;
  const get = async (id: number) => {
    const row = await sql.get<SuggestionRow>(BY_ID, [id]);
    return row ? toSuggestion(row) : undefined;
  };
  const ofTicket = async (ticketId: number) => {
    const row = await sql.get<SuggestionRow>(BY_TICKET, [ticketId]);
    return row ? toSuggestion(row) : undefined;
  };

  return {
    record: async (input) => {
      const row = await sql.get<SuggestionRow>(INSERT, [
        input.ticketId,
        input.question,
        input.language,
        input.intent,
        input.operatorId,
        now(),
      ]);
      if (row) return { ok: true, suggestion: toSuggestion(row) };
      return {
        ok: false,
        reason: "already_recorded",
        suggestion: (await ofTicket(input.ticketId)) as Suggestion,
      };
    },
    get,
    ofTicket,
    list: async (options = {}) =>
      (await sql.all<SuggestionRow>(options.all ? ALL : PENDING)).map(toSuggestion),
    decide: async (id, state) => {
      const row = await sql.get<SuggestionRow>(DECIDE_PENDING, [state, now(), id]);
      if (row) return { ok: true, suggestion: toSuggestion(row) };
      const existing = await get(id);
      return existing
        ? { ok: false, reason: "already_decided", suggestion: existing }
        : { ok: false, reason: "not_found" };
    },
  };
}
