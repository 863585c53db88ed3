import type { PostgresDatabase } from "./client.ts";

/**
 * PostgreSQL's schema changes in order; `schema_migrations` records each one
 * that ran. A migration is never edited once released: add a new one. The
 * first is the SQLite schema as of its migration 7, in PostgreSQL's types
 * (BIGINT for ids and millisecond times, identity columns for the rows the
 * database numbers); a later schema change adds one migration here and one
 * to the SQLite list.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE chats (
    chat_id BIGINT PRIMARY KEY,
    language TEXT CHECK (language IN ('ru', 'en')),
    blocked_at BIGINT,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE processed_updates (
    update_id BIGINT PRIMARY KEY,
    processed_at BIGINT NOT NULL
  );
  CREATE TABLE feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    intent TEXT NOT NULL,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    created_at BIGINT NOT NULL,
    message_id BIGINT
  );
  CREATE INDEX feedback_by_time ON feedback (created_at);
  CREATE UNIQUE INDEX feedback_per_answer ON feedback (chat_id, message_id)
    WHERE message_id IS NOT NULL;
  CREATE TABLE questions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    language TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('answer', 'clarify', 'escalate')),
    intent TEXT,
    confidence DOUBLE PRECISION NOT NULL,
    candidates TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX questions_by_time ON questions (created_at);
  CREATE INDEX questions_by_chat ON questions (chat_id, id);
  CREATE TABLE operators (
    user_id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    on_shift INTEGER NOT NULL DEFAULT 0 CHECK (on_shift IN (0, 1)),
    added_at BIGINT NOT NULL,
    removed_at BIGINT
  );
  CREATE TABLE tickets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('ru', 'en')),
    question TEXT NOT NULL,
    top_intents TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'assigned', 'closed')),
    operator_id BIGINT,
    created_at BIGINT NOT NULL,
    assigned_at BIGINT,
    first_assigned_at BIGINT,
    closed_at BIGINT,
    closed_by TEXT CHECK (closed_by IN ('operator', 'citizen')),
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    solved INTEGER CHECK (solved IN (0, 1)),
    reminded_at BIGINT,
    CHECK (state <> 'assigned' OR operator_id IS NOT NULL),
    CHECK (state <> 'waiting' OR operator_id IS NULL),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
  );
  CREATE UNIQUE INDEX tickets_one_open_per_chat ON tickets (chat_id) WHERE state <> 'closed';
  CREATE INDEX tickets_by_state ON tickets (state, created_at);
  CREATE INDEX tickets_by_operator ON tickets (operator_id, state);
  CREATE INDEX tickets_by_time ON tickets (created_at);
  CREATE INDEX tickets_by_first_assignment ON tickets (first_assigned_at);
  CREATE TABLE ticket_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    direction TEXT NOT NULL CHECK (direction IN ('citizen', 'operator', 'note')),
    operator_id BIGINT,
    text TEXT,
    file_id TEXT,
    file_kind TEXT CHECK (file_kind IN ('photo', 'document')),
    telegram_message_id BIGINT,
    created_at BIGINT NOT NULL,
    CHECK (text IS NOT NULL OR file_id IS NOT NULL),
    CHECK ((file_id IS NULL) = (file_kind IS NULL))
  );
  CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id, id);
  CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    ticket_id BIGINT,
    details TEXT NOT NULL,
    at BIGINT NOT NULL
  );
  CREATE INDEX audit_log_by_ticket ON audit_log (ticket_id, id);
  CREATE INDEX audit_log_by_operator ON audit_log (operator_id, id);
  CREATE INDEX audit_log_by_time ON audit_log (at);
  CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'document', 'copy', 'edit')),
    payload TEXT NOT NULL,
    ticket_id BIGINT,
    tag TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_at BIGINT,
    last_error TEXT,
    message_id BIGINT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
  );
  CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
  CREATE INDEX outbox_by_chat ON outbox (chat_id, state, id);
  CREATE INDEX outbox_by_sent_message ON outbox (chat_id, message_id) WHERE message_id IS NOT NULL;
  CREATE INDEX outbox_by_tag ON outbox (ticket_id, tag) WHERE tag IS NOT NULL;
  CREATE INDEX outbox_pending ON outbox (state, id);
  CREATE TABLE operator_focus (
    operator_id BIGINT PRIMARY KEY,
    ticket_id BIGINT NOT NULL
  );
  CREATE TABLE suggestions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL UNIQUE REFERENCES tickets (id),
    question TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('ru', 'en')),
    intent TEXT,
    operator_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    decided_at BIGINT,
    CHECK ((state = 'pending') = (decided_at IS NULL))
  );
  CREATE INDEX suggestions_by_state ON suggestions (state, id);
  CREATE TABLE inbox (
    update_id BIGINT PRIMARY KEY,
    payload TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    replays INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    written_at BIGINT NOT NULL
  );
  `,
  // 2: SQLite's 8 (several processes: instances, periodic runs, the outbox row's sender).
  `
  CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
  );
  CREATE TABLE periodic_runs (
    name TEXT PRIMARY KEY,
    last_run_at BIGINT NOT NULL,
    instance TEXT NOT NULL
  );
  ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
  `,
  // 3: SQLite's 9 (the shared flood limit).
  `
  CREATE TABLE flood_counts (
    chat_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    notified_window BIGINT,
    PRIMARY KEY (chat_id, kind)
  );
  `,
  // 4: SQLite's 10 (staff with an id of their own, the audit log's actor).
  // The ids taken over from Telegram stay; new staff are numbered after them.
  `
  ALTER TABLE operators RENAME TO staff;
  ALTER TABLE staff RENAME COLUMN user_id TO id;
  ALTER TABLE staff ADD COLUMN telegram_user_id BIGINT, ADD COLUMN login TEXT;
  UPDATE staff SET telegram_user_id = id;
  CREATE UNIQUE INDEX staff_by_telegram ON staff (telegram_user_id);
  CREATE UNIQUE INDEX staff_by_login ON staff (login);
  ALTER TABLE staff ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
  SELECT setval(pg_get_serial_sequence('staff', 'id'), COALESCE((SELECT max(id) FROM staff), 0) + 1, false);
  ALTER TABLE audit_log RENAME COLUMN operator_id TO staff_id;
  ALTER TABLE audit_log ALTER COLUMN staff_id DROP NOT NULL;
  ALTER TABLE audit_log ADD COLUMN telegram_user_id BIGINT;
  UPDATE audit_log SET telegram_user_id = staff_id;
  UPDATE audit_log SET staff_id = NULL WHERE staff_id NOT IN (SELECT id FROM staff);
  ALTER TABLE audit_log ADD CHECK (staff_id IS NOT NULL OR telegram_user_id IS NOT NULL);
  ALTER INDEX audit_log_by_operator RENAME TO audit_log_by_staff;
  `,
  // 5: SQLite's 11 (the desk's effects, for channels in other processes).
  `
  CREATE TABLE desk_effects (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    effect TEXT NOT NULL,
    ticket_id BIGINT,
    staff_id BIGINT,
    shown TEXT,
    created_at BIGINT NOT NULL,
    rendered_at BIGINT
  );
  CREATE INDEX desk_effects_unrendered ON desk_effects (id) WHERE rendered_at IS NULL;
  CREATE INDEX desk_effects_shown ON desk_effects (ticket_id, shown) WHERE shown IS NOT NULL;
  CREATE INDEX desk_effects_by_time ON desk_effects (created_at);
  `,
  // 6: SQLite's 12 (staff accounts for the web console): a password (argon2id, hashed by
  // the console) and a TOTP secret per staff member, one-time invitations to
  // set the password (only the token's hash kept), server-side sessions (only
  // the cookie token's hash kept; removing a staff member ends theirs), and
  // failed sign-ins counted per key for the rate limit, shared by processes.
  `
  CREATE TABLE staff_credentials (
    staff_id BIGINT PRIMARY KEY,
    password_hash TEXT,
    totp_secret TEXT,
    totp_enabled_at BIGINT,
    totp_last_step BIGINT,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE staff_invites (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
  );
  CREATE INDEX staff_invites_by_staff ON staff_invites (staff_id);
  CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at BIGINT
  );
  CREATE INDEX web_sessions_by_staff ON web_sessions (staff_id);
  CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL
  );
  ALTER TABLE audit_log ADD COLUMN via TEXT;
  CREATE TABLE ticket_tags (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL,
    tag TEXT NOT NULL,
    added_by BIGINT,
    added_at BIGINT NOT NULL,
    UNIQUE (ticket_id, tag)
  );
  CREATE INDEX ticket_tags_by_tag ON ticket_tags (tag);
  `,
  // 7: a chat's rows are sent at most one a second (Telegram's limit for
  // one chat); the claim asks when the chat's last row was sent.
  `
  CREATE INDEX outbox_chat_sent ON outbox (chat_id, sent_at);
  `,
  // 8: SQLite's 14 (content staff: editors and publishers). The role's check
  // kept the name it had when the table was operators.
  `
  ALTER TABLE staff DROP CONSTRAINT operators_role_check;
  ALTER TABLE staff ADD CONSTRAINT staff_role_check
    CHECK (role IN ('operator', 'supervisor', 'editor', 'publisher'));
  `,
  // 9: SQLite's 15 (the content studio): drafts of knowledge files (the whole edited
  // text of each, by whom and when), and each publication with the files it
  // changed, before and after, so that any of them can be restored.
  `
  CREATE TABLE kb_drafts (
    file TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    edited_by BIGINT NOT NULL,
    edited_at BIGINT NOT NULL
  );
  CREATE TABLE kb_publications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    published_by BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    files TEXT NOT NULL,
    restores BIGINT
  );
  `,
  // 10: SQLite's 16: what content staff decided about unanswered questions.
  `
  CREATE TABLE kb_unanswered_decisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('added', 'new_topic', 'ignored')),
    intent TEXT,
    examples TEXT,
    decided_by BIGINT NOT NULL,
    decided_at BIGINT NOT NULL,
    undone_by BIGINT,
    undone_at BIGINT
  );
  CREATE TABLE kb_unanswered_marks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES kb_unanswered_decisions (id),
    question_id BIGINT NOT NULL,
    UNIQUE (decision_id, question_id)
  );
  CREATE INDEX kb_unanswered_marks_by_question ON kb_unanswered_marks (question_id);
  `,
  // 11: SQLite's 17 (incidents: a notice the bot puts first in the answers
  // of the intents it concerns until it is ended).
  `
  CREATE TABLE incidents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_ru TEXT NOT NULL,
    notice_en TEXT,
    broken TEXT NOT NULL,
    since BIGINT NOT NULL,
    expected_fix TEXT,
    intents TEXT NOT NULL,
    posted_by BIGINT NOT NULL,
    posted_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    ended_by BIGINT,
    ended_at BIGINT,
    CHECK ((ended_at IS NULL) = (ended_by IS NULL))
  );
  CREATE INDEX incidents_active ON incidents (ended_at) WHERE ended_at IS NULL;
  CREATE INDEX incidents_by_posting ON incidents (posted_at);
  `,
];

/** The advisory lock migrations run under (one key for this application's schema). */
const MIGRATION_LOCK = 727_001;

/** A database whose schema is newer than this code, or otherwise unfit to use. */
export class PostgresSchemaError extends Error {
  override readonly name = "PostgresSchemaError";
}

/**
 * Brings the schema up to date under a session advisory lock, so processes
 * starting together take turns: the first applies what is missing, each
 * migration in its own transaction with its `schema_migrations` row, and the
 * others then find nothing left to do. A schema newer than this code knows is
 * refused. Returns the versions it applied.
 *
 * @example await migratePostgres(db);
 */
export async function migratePostgres(
  db: PostgresDatabase,
  migrations: readonly string[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const connection = await db.pool.connect();
  try {
    await connection.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await connection.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version INTEGER PRIMARY KEY,
           applied_at BIGINT NOT NULL
         )`,
      );
      const { rows } = await connection.query<{ version: number | null }>(
        "SELECT max(version) AS version FROM schema_migrations",
      );
      const current = Number(rows[0]?.version ?? 0);
      if (current > migrations.length) {
        throw new PostgresSchemaError(
          `the database has schema version ${current}, newer than this code knows (${migrations.length}): run the newer version of the bot, or restore a backup made by this one`,
        );
      }
      const applied: number[] = [];
      for (let version = current + 1; version <= migrations.length; version++) {
        await connection.query("BEGIN");
        try {
          await connection.query(migrations[version - 1] as string);
          await connection.query(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            [version, Date.now()],
          );
          await connection.query("COMMIT");
        } catch (error) {
          await connection.query("ROLLBACK");
          throw error;
        }
        applied.push(version);
      }
      return applied;
    } finally {
      await connection.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    connection.release();
  }
}
