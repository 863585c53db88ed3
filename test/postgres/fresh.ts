import { inject } from "vitest";
import {
  openPostgres,
  type PostgresDatabase,
  type PostgresOptions,
} from "../../handoff/postgres/client.ts";

let made = 0;

/**
 * A new, empty database on the tests' PostgreSQL server, and its URL; the
 * returned `drop` closes the client and removes the database.
 */
export async function freshPostgres(options: PostgresOptions = {}): Promise<{
  db: PostgresDatabase;
  url: string;
  drop: () => Promise<void>;
}> {
  const admin = new URL(inject("postgresUrl"));
  const name = `t_${process.pid}_${Date.now().toString(36)}_${++made}`;
  const server = openPostgres(admin.href, { max: 1 });
  try {
    await server.exec(`CREATE DATABASE ${name}`);
  } finally {
    await server.close();
  }
  const url = new URL(admin.href);
  url.pathname = `/${name}`;
  const db = openPostgres(url.href, options);
  return {
    db,
    url: url.href,
    drop: async () => {
      await db.close();
      const cleanup = openPostgres(admin.href, { max: 1 });
      try {
        await cleanup.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.close();
      }
    },
  };
}
