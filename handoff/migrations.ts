import type { Database } from "better-sqlite3";

/**
 * Schema changes in order; `PRAGMA user_version` records how many ran. A
 * migration is never edited once released: add a new one.
 */
const MIGRATIONS: readonly string[] = [
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
