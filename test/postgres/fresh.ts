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
/** Databases with the schema that tests of this process are done with, emptied: handed out again. */
const spare: string[] = [];

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

async function created(migrated: boolean): Promise<string> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${++made}`;
  const from = migrated ? ` TEMPLATE ${await migratedTemplate()}` : "";
  await onServer((server) => server.exec(`CREATE DATABASE ${name}${from}`));
  return name;
}

/**
 * What a database handed out as new must match: its schema (the tables,
 * columns, indexes and constraints) and the migrations it records.
 */
async function stateOf(db: PostgresDatabase): Promise<string> {
  const row = await db.get<{ state: string }>(
    `SELECT concat_ws(';',
       (SELECT string_agg(concat_ws(' ', table_name, column_name, data_type, is_nullable, column_default), ','
               ORDER BY table_name, column_name)
          FROM information_schema.columns WHERE table_schema = 'public'),
       (SELECT string_agg(indexdef, ',' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public'),
       (SELECT string_agg(pg_get_constraintdef(c.oid), ',' ORDER BY 1)
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'),
       (SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations)
     ) AS state`,
  );
  return row?.state ?? "";
}

/** The template's state and its tables to empty; none when a table but the migrations' record has rows there. */
let templateFacts: Promise<{ state: string; tables: string[] } | undefined> | undefined;

function factsOfTemplate() {
  templateFacts ??= (async () => {
    const url = withUrlPath(inject("postgresUrl"), await migratedTemplate());
    const db = openPostgres(url, { max: 1 });
    try {
      const tables = (
        await db.all<{ name: string }>(
          "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1",
        )
      ).map((table) => table.name);
      const rows = await db.get<{ n: number }>(
        `SELECT (${tables.map((table) => `(SELECT count(*) FROM ${table})`).join(" + ")})::int AS n`,
      );
      return rows?.n === 0 ? { state: await stateOf(db), tables } : undefined;
    } finally {
      await db.close();
    }
  })();
  return templateFacts;
}

/**
 * Empties a migrated database a test is done with (every table but the
 * migrations' record; identities start again at 1), if it can then pass for
 * a new copy of the template: nobody else is connected to it and its schema
 * and migrations are the template's. False when it cannot.
 */
async function emptied(url: string): Promise<boolean> {
  const template = await factsOfTemplate();
  if (!template) return false;
  const db = openPostgres(url, { max: 1 });
  try {
    const others = await db.get<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    if (others?.n !== 0 || (await stateOf(db)) !== template.state) return false;
    await db.exec(`TRUNCATE ${template.tables.join(", ")} RESTART IDENTITY`);
    return true;
  } catch {
    return false;
  } finally {
    await db.close();
  }
}

export interface FreshPostgresOptions extends PostgresOptions {
  /** With the schema up to date (copied from a migrated template: fast). Defaults to false: empty. */
  migrated?: boolean;
}

/**
 * A new database on the tests' PostgreSQL server, and its URL: empty, or
 * with the bot's schema (`migrated`). `drop` closes the client and removes
 * the database (on the run's own server, which goes with the run, it is
 * only closed: dropping costs more than making). A database with the schema
 * is emptied instead, when nobody else is connected to it and its schema is
 * still the template's, and is the next one this process hands out: a
 * TRUNCATE costs less than a CREATE DATABASE, which copies every catalog.
 */
export async function freshPostgres(options: FreshPostgresOptions = {}): Promise<{
  db: PostgresDatabase;
  url: string;
  drop: () => Promise<void>;
}> {
  const { migrated = false, ...clientOptions } = options;
  const name = (migrated && spare.pop()) || (await created(migrated));
  const url = withUrlPath(inject("postgresUrl"), name);
  const db = openPostgres(url, clientOptions);
  return {
    db,
    url,
    drop: async () => {
      await db.close();
      if (migrated && (await emptied(url))) {
        spare.push(name);
        return;
      }
      if (inject("postgresEphemeral")) return;
      await onServer((server) => server.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
