import type Database from "better-sqlite3";

/** The file a connection was opened on, and which file it was (to notice it replaced). */
export interface DatabaseFile {
  path: string;
  dev: number;
  ino: number;
}

const files = new WeakMap<Database.Database, DatabaseFile>();

/** Remembers the file `db` was opened on (`openDatabase` does). */
export function rememberFile(db: Database.Database, file: DatabaseFile): void {
  files.set(db, file);
}

/** The file `db` was opened on by `openDatabase`; undefined for `":memory:"` or another opener. */
export function databaseFileOf(db: Database.Database): DatabaseFile | undefined {
  return files.get(db);
}
