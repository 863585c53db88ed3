import type { Database } from "better-sqlite3";

/**
 * Schema changes in order; `PRAGMA user_version` records how many ran. A
 * migration is never edited once released: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE chats (
    chat_id INTEGER PRIMARY KEY,
    language TEXT CHECK (language IN ('ru', 'en')),
    blocked_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    processed_at INTEGER NOT NULL
  );
  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    intent TEXT NOT NULL,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    created_at INTEGER NOT NULL
  );
  CREATE INDEX feedback_by_time ON feedback (created_at);
  CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    language TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('answer', 'clarify', 'escalate')),
    intent TEXT,
    confidence REAL NOT NULL,
    candidates TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX questions_by_time ON questions (created_at);
  `,
  // 2: operator handoff. Tickets, their messages, operators, the audit log of
  // operator actions and the outbox of messages still to deliver.
  `
  CREATE TABLE operators (
    user_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    on_shift INTEGER NOT NULL DEFAULT 0 CHECK (on_shift IN (0, 1)),
    added_at INTEGER NOT NULL,
    removed_at INTEGER
  );
  CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('ru', 'en')),
    question TEXT NOT NULL,
    top_intents TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'assigned', 'closed')),
    operator_id INTEGER,
    created_at INTEGER NOT NULL,
    assigned_at INTEGER,
    first_assigned_at INTEGER,
    closed_at INTEGER,
    closed_by TEXT CHECK (closed_by IN ('operator', 'citizen')),
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    solved INTEGER CHECK (solved IN (0, 1)),
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
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    direction TEXT NOT NULL CHECK (direction IN ('citizen', 'operator', 'note')),
    operator_id INTEGER,
    text TEXT,
    file_id TEXT,
    file_kind TEXT CHECK (file_kind IN ('photo', 'document')),
    telegram_message_id INTEGER,
    created_at INTEGER NOT NULL,
    CHECK (text IS NOT NULL OR file_id IS NOT NULL),
    CHECK ((file_id IS NULL) = (file_kind IS NULL))
  );
  CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id, id);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    operator_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    ticket_id INTEGER,
    details TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX audit_log_by_ticket ON audit_log (ticket_id, id);
  CREATE INDEX audit_log_by_operator ON audit_log (operator_id, id);
  CREATE INDEX audit_log_by_time ON audit_log (at);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'document', 'copy')),
    payload TEXT NOT NULL,
    ticket_id INTEGER,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_at INTEGER,
    last_error TEXT,
    message_id INTEGER,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
  CREATE INDEX outbox_by_chat ON outbox (chat_id, state, id);
  CREATE INDEX outbox_by_sent_message ON outbox (chat_id, message_id) WHERE message_id IS NOT NULL;
  `,
  // 3: the operator console. The outbox can edit a message it sent before
  // (a ticket card becomes "taken") and tags rows (which rows are cards), and
  // claims the oldest pending row by index however long the backlog;
  // tickets remember when the queue was reminded of them; each operator has
  // a current ticket their plain messages go to; a ticket finds the chat's
  // last question.
  `
  CREATE TABLE outbox_v3 (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'document', 'copy', 'edit')),
    payload TEXT NOT NULL,
    ticket_id INTEGER,
    tag TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_at INTEGER,
    last_error TEXT,
    message_id INTEGER,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  INSERT INTO outbox_v3 (id, chat_id, kind, payload, ticket_id, state, attempts, next_attempt_at,
    claimed_at, last_error, message_id, created_at, sent_at)
  SELECT id, chat_id, kind, payload, ticket_id, state, attempts, next_attempt_at,
    claimed_at, last_error, message_id, created_at, sent_at FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_v3 RENAME TO outbox;
  CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
  CREATE INDEX outbox_by_chat ON outbox (chat_id, state, id);
  CREATE INDEX outbox_by_sent_message ON outbox (chat_id, message_id) WHERE message_id IS NOT NULL;
  CREATE INDEX outbox_by_tag ON outbox (ticket_id, tag) WHERE tag IS NOT NULL;
  CREATE INDEX outbox_pending ON outbox (state, id);
  ALTER TABLE tickets ADD COLUMN reminded_at INTEGER;
  CREATE INDEX questions_by_chat ON questions (chat_id, id);
  CREATE TABLE operator_focus (
    operator_id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL
  );
  `,
  // 4: operators' suggestions. After closing a ticket an operator says which
  // intent its question belonged to (intent NULL: a new topic); content staff
  // accept one (the question becomes an example) or reject it. One per ticket.
  `
  CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets (id),
    question TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('ru', 'en')),
    intent TEXT,
    operator_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    decided_at INTEGER,
    CHECK ((state = 'pending') = (decided_at IS NULL))
  );
  CREATE INDEX suggestions_by_state ON suggestions (state, id);
  `,
  // 5: the inbox. Long polling confirms a batch of updates when it asks for
  // the next one, so each batch is saved here first and an update leaves
  // when it is handled: one confirmed but not yet handled at a crash is
  // handled after the restart instead of lost.
  `
  CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    replays INTEGER NOT NULL DEFAULT 0
  );
  `,
  // 6: one row /healthz rewrites, so its probe is a real committed write on
  // the bot's connection (a rolled-back one never meets a full disk).
  `
  CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    written_at INTEGER NOT NULL
  );
  `,
  // 7: one feedback per answer, the latest. The answer is the message the
  // 👍/👎 buttons were on; rows from before have no message and stay as they are.
  `
  ALTER TABLE feedback ADD COLUMN message_id INTEGER;
  CREATE UNIQUE INDEX feedback_per_answer ON feedback (chat_id, message_id)
    WHERE message_id IS NOT NULL;
  `,
  // 8: several processes on one database. Each running bot process has a row
  // it keeps fresh (instances); an outbox row being sent names its process, so
  // only a dead process's rows are taken back; periodic work (reminders,
  // retention) records its last run, so it runs once a period, not once per process.
  `
  CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
  );
  CREATE TABLE periodic_runs (
    name TEXT PRIMARY KEY,
    last_run_at INTEGER NOT NULL,
    instance TEXT NOT NULL
  );
  ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
  `,
  // 9: the citizens' flood limit shared by every process: a chat's messages
  // (and presses) counted per minute, and whether it was told this minute.
  `
  CREATE TABLE flood_counts (
    chat_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    notified_window INTEGER,
    PRIMARY KEY (chat_id, kind)
  );
  `,
  // 10: staff with an id of their own. The operators become staff members:
  // a Telegram user id is one way to reach them (telegram_user_id), a login
  // another (the web console). Existing operators keep their id, now a staff
  // id, with their Telegram id beside it; new ones are numbered by the
  // database. The audit log names the staff member who acted, or, for someone
  // who is not staff (a refusal), only the Telegram user who tried.
  `
  ALTER TABLE operators RENAME TO staff;
  ALTER TABLE staff RENAME COLUMN user_id TO id;
  ALTER TABLE staff ADD COLUMN telegram_user_id INTEGER;
  ALTER TABLE staff ADD COLUMN login TEXT;
  UPDATE staff SET telegram_user_id = id;
  CREATE UNIQUE INDEX staff_by_telegram ON staff (telegram_user_id);
  CREATE UNIQUE INDEX staff_by_login ON staff (login);
  CREATE TABLE audit_log_10 (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER,
    telegram_user_id INTEGER,
    action TEXT NOT NULL,
    ticket_id INTEGER,
    details TEXT NOT NULL,
    at INTEGER NOT NULL,
    CHECK (staff_id IS NOT NULL OR telegram_user_id IS NOT NULL)
  );
  INSERT INTO audit_log_10 (id, staff_id, telegram_user_id, action, ticket_id, details, at)
    SELECT id, CASE WHEN operator_id IN (SELECT id FROM staff) THEN operator_id END,
      operator_id, action, ticket_id, details, at
    FROM audit_log;
  DROP TABLE audit_log;
  ALTER TABLE audit_log_10 RENAME TO audit_log;
  CREATE INDEX audit_log_by_ticket ON audit_log (ticket_id, id);
  CREATE INDEX audit_log_by_staff ON audit_log (staff_id, id);
  CREATE INDEX audit_log_by_time ON audit_log (at);
  `,
  // 11: what the desk said, as effects in its own words (JSON), for the
  // channels that are not in the process that said it: a web console's step
  // is rendered to Telegram by a bot process (rendered_at set then; the bot's
  // own steps render at once), and every console follows the feed live.
  `
  CREATE TABLE desk_effects (
    id INTEGER PRIMARY KEY,
    effect TEXT NOT NULL,
    ticket_id INTEGER,
    staff_id INTEGER,
    shown TEXT,
    created_at INTEGER NOT NULL,
    rendered_at INTEGER
  );
  CREATE INDEX desk_effects_unrendered ON desk_effects (id) WHERE rendered_at IS NULL;
  CREATE INDEX desk_effects_shown ON desk_effects (ticket_id, shown) WHERE shown IS NOT NULL;
  CREATE INDEX desk_effects_by_time ON desk_effects (created_at);
  `,
  // 12: staff accounts for the web console: a password (argon2id, hashed by
  // the console) and a TOTP secret per staff member, one-time invitations to
  // set the password (only the token's hash kept), server-side sessions (only
  // the cookie token's hash kept; removing a staff member ends theirs), and
  // failed sign-ins counted per key for the rate limit, shared by processes;
  // the channel each audited action came from (telegram, web, terminal); and
  // the tags operators put on tickets.
  `
  CREATE TABLE staff_credentials (
    staff_id INTEGER PRIMARY KEY,
    password_hash TEXT,
    totp_secret TEXT,
    totp_enabled_at INTEGER,
    totp_last_step INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE staff_invites (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE INDEX staff_invites_by_staff ON staff_invites (staff_id);
  CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ended_at INTEGER
  );
  CREATE INDEX web_sessions_by_staff ON web_sessions (staff_id);
  CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL
  );
  ALTER TABLE audit_log ADD COLUMN via TEXT;
  CREATE TABLE ticket_tags (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    tag TEXT NOT NULL,
    added_by INTEGER,
    added_at INTEGER NOT NULL,
    UNIQUE (ticket_id, tag)
  );
  CREATE INDEX ticket_tags_by_tag ON ticket_tags (tag);
  `,
  // 13: a chat's rows are sent at most one a second (Telegram's limit for
  // one chat); the claim asks when the chat's last row was sent.
  `
  CREATE INDEX outbox_chat_sent ON outbox (chat_id, sent_at);
  `,
  // 14: content staff (the knowledge base's editors and publishers) beside
  // the desk's operators and supervisors. SQLite changes a CHECK only by
  // building the table again; nothing references staff by a foreign key.
  `
  CREATE TABLE staff_14 (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'editor', 'publisher')),
    on_shift INTEGER NOT NULL DEFAULT 0 CHECK (on_shift IN (0, 1)),
    added_at INTEGER NOT NULL,
    removed_at INTEGER,
    telegram_user_id INTEGER,
    login TEXT
  );
  INSERT INTO staff_14 (id, name, role, on_shift, added_at, removed_at, telegram_user_id, login)
    SELECT id, name, role, on_shift, added_at, removed_at, telegram_user_id, login FROM staff;
  DROP TABLE staff;
  ALTER TABLE staff_14 RENAME TO staff;
  CREATE UNIQUE INDEX staff_by_telegram ON staff (telegram_user_id);
  CREATE UNIQUE INDEX staff_by_login ON staff (login);
  `,
  // 15: the content studio: drafts of knowledge files (the whole edited
  // text of each, by whom and when), and each publication with the files it
  // changed, before and after, so that any of them can be restored.
  `
  CREATE TABLE kb_drafts (
    file TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    edited_by INTEGER NOT NULL,
    edited_at INTEGER NOT NULL
  );
  CREATE TABLE kb_publications (
    id INTEGER PRIMARY KEY,
    published_by INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    files TEXT NOT NULL,
    restores INTEGER
  );
  `,
  // 16: what content staff decided about unanswered questions: added as
  // examples to an intent, a new topic, or ignored; each decision marks
  // the questions it took, and an undo ends it.
  `
  CREATE TABLE kb_unanswered_decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('added', 'new_topic', 'ignored')),
    intent TEXT,
    examples TEXT,
    decided_by INTEGER NOT NULL,
    decided_at INTEGER NOT NULL,
    undone_by INTEGER,
    undone_at INTEGER
  );
  CREATE TABLE kb_unanswered_marks (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES kb_unanswered_decisions (id),
    question_id INTEGER NOT NULL,
    UNIQUE (decision_id, question_id)
  );
  CREATE INDEX kb_unanswered_marks_by_question ON kb_unanswered_marks (question_id);
  `,
  // 17: incidents (the portal itself broken): a notice staff post, which the
  // bot puts first in the answers of the intents it concerns and in the
  // greeting until it is ended. `intents` is a JSON array of intent ids;
  // `expected_fix` free text ("к 18:00").
  `
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    notice_ru TEXT NOT NULL,
    notice_en TEXT,
    broken TEXT NOT NULL,
    since INTEGER NOT NULL,
    expected_fix TEXT,
    intents TEXT NOT NULL,
    posted_by INTEGER NOT NULL,
    posted_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    ended_by INTEGER,
    ended_at INTEGER,
    CHECK ((ended_at IS NULL) = (ended_by IS NULL))
  );
  CREATE INDEX incidents_active ON incidents (ended_at) WHERE ended_at IS NULL;
  CREATE INDEX incidents_by_posting ON incidents (posted_at);
  `,
];

/** Brings the database schema up to date; each migration runs in its own transaction. */
export function migrate(db: Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
