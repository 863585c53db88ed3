import type { PurgeCounts, PurgeOptions } from "../ports.ts";
import type { SqlClient } from "./client.ts";

/** What erased text reads as: the columns it replaces are NOT NULL or must keep a text or a file. */
export const ERASED_TEXT = "[удалено]";

const DAY = 24 * 60 * 60_000;

/** One kind of data to erase: the rows it concerns and what becomes of them (none: only counted). */
interface Step {
  kind: keyof PurgeCounts;
  table: string;
  where: string;
  change?: { set: string } | "delete";
}

/** Whether the suggestions table exists (before migration 4 it did not), in each engine's catalogue. */
const HAS_SUGGESTIONS = {
  sqlite: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'suggestions'",
  postgres: "SELECT 1 FROM information_schema.tables WHERE table_name = 'suggestions'",
} as const;

/** The steps in the order they run: each one's rows are found before an earlier step changes them. */
async function stepsFor(sql: SqlClient): Promise<Step[]> {
  // An open ticket is never touched, however old. A ticket's question is
  // erased in the same transaction as its messages (and a closed ticket gets
  // no new ones), so tickets erased before are skipped: a daily run reads
  // little more than what expired since the last one.
  const closedBefore = "state = 'closed' AND closed_at < :cutoff";
  const toErase = `SELECT id FROM tickets WHERE ${closedBefore} AND question IS DISTINCT FROM :erased`;
  const messages = `ticket_id IN (${toErase}) AND (text IS DISTINCT FROM :erased OR file_id IS NOT NULL)`;
  const hasSuggestions = (await sql.get(HAS_SUGGESTIONS[sql.engine])) !== undefined;
  return [
    { kind: "files", table: "ticket_messages", where: `${messages} AND file_id IS NOT NULL` },
    {
      kind: "messages",
      table: "ticket_messages",
      where: messages,
      change: { set: "text = :erased, file_id = NULL, file_kind = NULL" },
    },
    {
      kind: "tickets",
      table: "tickets",
      where: `${closedBefore} AND question IS DISTINCT FROM :erased`,
      change: { set: "question = :erased" },
    },
    {
      kind: "questions",
      table: "questions",
      where: "created_at < :cutoff AND text IS DISTINCT FROM :erased",
      change: { set: "text = :erased" },
    },
    // Operators' suggestions (migration 4) copy a closed ticket's question.
    ...(hasSuggestions
      ? [
          {
            kind: "suggestions",
            table: "suggestions",
            where: `(created_at < :cutoff OR ticket_id IN (SELECT id FROM tickets WHERE ${closedBefore}))
              AND question IS DISTINCT FROM :erased`,
            change: { set: "question = :erased" },
          } satisfies Step,
        ]
      : []),
    // Pending and sending rows are still to deliver; an open ticket's rows are
    // kept with it (its cards are edited when it is taken).
    {
      kind: "outbox",
      table: "outbox",
      where: `state IN ('sent', 'failed') AND created_at < :cutoff
        AND (ticket_id IS NULL OR ticket_id NOT IN (SELECT id FROM tickets WHERE state <> 'closed'))`,
      change: "delete",
    },
    {
      kind: "updates",
      table: "processed_updates",
      where: "processed_at < :updatesCutoff",
      change: "delete",
    },
    { kind: "inbox", table: "inbox", where: "received_at < :cutoff", change: "delete" },
    // The desk's recorded effects hold what was said (relayed texts among
    // it); once rendered they only feed the consoles live, for moments.
    {
      kind: "effects",
      table: "desk_effects",
      where: "rendered_at IS NOT NULL AND created_at < :updatesCutoff",
      change: "delete",
    },
    // Web console sessions over (ended, or unused for as long) and old
    // sign-in failure counts: nothing to keep them for.
    {
      kind: "sessions",
      table: "web_sessions",
      where: "ended_at < :updatesCutoff OR last_seen_at < :updatesCutoff",
      change: "delete",
    },
    {
      kind: "signInFailures",
      table: "sign_in_failures",
      where: "window_start < :updatesCutoff",
      change: "delete",
    },
  ];
}

/**
 * Erases personal data past the retention period, in one transaction: the
 * question and the messages' texts and file ids of tickets closed before
 * `now - olderThanMs` (replaced by "[удалено]"), the text of questions asked
 * before then, the copy of the question in operators' suggestions made
 * before then or about those tickets, sent and failed outbox rows created
 * before then, updates saved but never handled (given up) from before then,
 * and handled update ids and rendered desk effects older than
 * `updatesOlderThanMs`. Rows
 * stay, so counts, ratings, states, times, intents and the audit log are as
 * they were; open tickets and undelivered outbox rows are never touched.
 * Running it again erases nothing more. Returns how many rows of each kind it
 * erased (or would, with `dryRun`).
 *
 * @example await purgeExpired(db, { olderThanMs: 90 * 24 * 60 * 60_000 })
 */
export async function purgeExpired(sql: SqlClient, options: PurgeOptions): Promise<PurgeCounts> {
  const { olderThanMs, now = Date.now(), updatesOlderThanMs = 3 * DAY, dryRun = false } = options;
  if (!(olderThanMs >= 0 && updatesOlderThanMs >= 0)) {
    throw new RangeError(
      `purgeExpired needs periods of 0 ms or more, not olderThanMs ${olderThanMs} and updatesOlderThanMs ${updatesOlderThanMs}`,
    );
  }
  const params = {
    cutoff: now - olderThanMs,
    updatesCutoff: now - updatesOlderThanMs,
    erased: ERASED_TEXT,
  };
  // One transaction, which takes the write lock at once: what a real run
  // counts is what it erases.
  return sql.transaction(async (tx): Promise<PurgeCounts> => {
    const counts: PurgeCounts = {
      tickets: 0,
      messages: 0,
      files: 0,
      questions: 0,
      outbox: 0,
      updates: 0,
      inbox: 0,
      effects: 0,
      sessions: 0,
      signInFailures: 0,
      suggestions: null,
    };
    for (const { kind, table, where, change } of await stepsFor(tx)) {
      if (dryRun || change === undefined) {
        const row = await tx.get<{ n: number }>(
          `SELECT count(*) AS n FROM ${table} WHERE ${where}`,
          params,
        );
        counts[kind] = Number(row?.n ?? 0);
      } else {
        const text =
          change === "delete"
            ? `DELETE FROM ${table} WHERE ${where}`
            : `UPDATE ${table} SET ${change.set} WHERE ${where}`;
        counts[kind] = await tx.run(text, params);
      }
    }
    return counts;
  });
}
