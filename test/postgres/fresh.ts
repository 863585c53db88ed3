import { inject } from "vitest";
import {
  openPostgres,
  type PostgresDatabase,
  type PostgresOptions,
} from "../../handoff/postgres/client.ts";
import { migratePostgres } from "../../handoff/postgres/migrations.ts";

let made = 0;
/** This test process's template with the schema up to date, made at its first use. */
let template: Promise<string> | undefined;

const withUrlPath = (base: string, name: string) => {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.href;
};

async function onServer(work: (server: PostgresDatabase) => Promise<void>) {
  const server = openPostgres(inject("postgresUrl"), { max: 1 });
  try {
    await work(server);
  } finally {
    await server.close();
  }
}

function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `template_${process.pid}_${Date.now().toString(36)}`;
    await onServer((server) => server.exec(`CREATE DATABASE ${name}`));
    const db = openPostgres(withUrlPath(inject("postgresUrl"), name), { max: 1 });
    try {
      await migratePostgres(db);
    } finally {
      await db.close();
    }
    return name;
  })();
  return template;
}

export interface FreshPostgresOptions extends PostgresOptions {
  /** With the schema up to date (copied from a migrated template: fast). Defaults to false: empty. */
  migrated?: boolean;
}

/**
 * A new database on the tests' PostgreSQL server, and its URL: empty, or
 * with the bot's schema (`migrated`). `drop` closes the client and removes
 * the database (on the run's own server, which goes with the run, it is
 * only closed: dropping costs more than making).
 */
export async function freshPostgres(options: FreshPostgresOptions = {}): Promise<{
  db: PostgresDatabase;
  url: string;
  drop: () => Promise<void>;
}> {
  const { migrated = false, ...clientOptions } = options;
  const name = `t_${process.pid}_${Date.now().toString(36)}_${++made}`;
  const from = migrated ? ` TEMPLATE ${await migratedTemplate()}` : "";
  await onServer((server) => server.exec(`CREATE DATABASE ${name}${from}`));
  const url = withUrlPath(inject("postgresUrl"), name);
  const db = openPostgres(url, clientOptions);
  return {
    db,
    url,
    drop: async () => {
      await db.close();
      if (inject("postgresEphemeral")) return;
      await onServer((server) => server.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
