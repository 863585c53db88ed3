// The SQLite adapter of the handoff's SQL port: better-sqlite3 behind
// `SqlClient`, and what only SQLite has (opening a file with its checks and
// migrations, online backup). Only composition roots and tools pick it.
export { type BackupOptions, type BackupResult, backupDatabase } from "./backup.ts";
export { type SqliteDatabase, sqliteClient } from "./client.ts";
export {
  DatabaseError,
  type DatabaseErrorCode,
  type DatabaseFile,
  databaseFileOf,
  type OpenDatabaseOptions,
  openDatabase,
  openSqlite,
} from "./database.ts";
export { MIGRATIONS, migrate } from "./migrations.ts";
