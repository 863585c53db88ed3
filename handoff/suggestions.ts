import type { Database } from "better-sqlite3";
import type { Language } from "./store.ts";

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
  record(suggestion: NewSuggestion): RecordSuggestionResult;
  get(id: number): Suggestion | undefined;
  ofTicket(ticketId: number): Suggestion | undefined;
  /** Pending suggestions, oldest first; `all` adds the decided ones. */
  list(options?: { all?: boolean }): Suggestion[];
  /** Marks a pending suggestion accepted or rejected. */
  decide(id: number, state: "accepted" | "rejected"): DecideSuggestionResult;
}

export interface SuggestionsOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
}

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

/**
 * The suggestions on `db` (from `openDatabase`). Each call is one statement,
 * so it joins the caller's transaction (the desk records a suggestion with
 * its audit row and its messages).
 *
 * @example
 * const suggestions = createSuggestions(db);
 * for (const s of suggestions.list()) console.log(s.id, s.intent ?? "new topic", s.question);
 * suggestions.decide(3, "accepted");
 */
export function createSuggestions(db: Database, options: SuggestionsOptions = {}): Suggestions {
  const { now = Date.now } = options;
  // ON CONFLICT DO NOTHING makes "first one wins" atomic: of two presses at
  // once, the second inserts nothing and reads the first's row.
  const insert = db.prepare<
    [number, string, Language, string | null, number, number],
    SuggestionRow
  >(
    `INSERT INTO suggestions (ticket_id, question, language, intent, operator_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING RETURNING *`,
  );
  const byId = db.prepare<[number], SuggestionRow>("SELECT * FROM suggestions WHERE id = ?");
  const byTicket = db.prepare<[number], SuggestionRow>(
    "SELECT * FROM suggestions WHERE ticket_id = ?",
  );
  const pending = db.prepare<[], SuggestionRow>(
    "SELECT * FROM suggestions WHERE state = 'pending' ORDER BY id",
  );
  const all = db.prepare<[], SuggestionRow>("SELECT * FROM suggestions ORDER BY id");
  const decidePending = db.prepare<[SuggestionState, number, number], SuggestionRow>(
    `UPDATE suggestions SET state = ?, decided_at = ?
     WHERE id = ? AND state = 'pending' RETURNING *`,
  );

  const get = (id: number) => {
    const row = byId.get(id);
    return row ? toSuggestion(row) : undefined;
  };
  const ofTicket = (ticketId: number) => {
    const row = byTicket.get(ticketId);
    return row ? toSuggestion(row) : undefined;
  };

  return {
    record: (input) => {
      const row = insert.get(
        input.ticketId,
        input.question,
        input.language,
        input.intent,
        input.operatorId,
        now(),
      );
      if (row) return { ok: true, suggestion: toSuggestion(row) };
      return {
        ok: false,
        reason: "already_recorded",
        suggestion: ofTicket(input.ticketId) as Suggestion,
      };
    },
    get,
    ofTicket,
    list: (options = {}) => (options.all ? all : pending).all().map(toSuggestion),
    decide: (id, state) => {
      const row = decidePending.get(state, now(), id);
      if (row) return { ok: true, suggestion: toSuggestion(row) };
      const existing = get(id);
      return existing
        ? { ok: false, reason: "already_decided", suggestion: existing }
        : { ok: false, reason: "not_found" };
    },
  };
}
