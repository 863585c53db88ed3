import pg from "pg";
import type { SqlClient, SqlDatabase, SqlParams, SqlValue } from "../sql/client.ts";
import { toPositional } from "./placeholders.ts";

export interface PostgresOptions {
  /** Connections in the pool. Defaults to 10. */
  max?: number;
  /** How long to wait for a connection, in ms, before a query fails. Defaults to 10,000. */
  connectionTimeoutMs?: number;
  /** Told of a connection that failed while idle (the server restarted); the pool replaces it. */
  onIdleError?: (error: Error) => void;
  /** The name the server shows for these connections (pg_stat_activity). Defaults to "gosuslugi-bot". */
  applicationName?: string;
}

/** The PostgreSQL client, with the pool under it for what only PostgreSQL has (LISTEN, advisory locks). */
export interface PostgresDatabase extends SqlDatabase {
  readonly engine: "postgres";
  readonly pool: pg.Pool;
}

/**
 * int8 (ids, counts, millisecond timestamps) and numeric (sums) come back as
 * numbers, as SQLite gives them; both stay far below 2^53 here.
 */
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) {
      return (value: string) => (value === null ? null : Number(value));
    }
    return pg.types.getTypeParser(oid, format as "text");
  }) as typeof pg.types.getTypeParser,
};

/** Each statement's rewritten text and value order, by its SQLite-placeholder text. */
const rewritten = new Map<string, ReturnType<typeof toPositional>>();
function prepared(
  text: string,
  params: SqlParams | undefined,
): { text: string; values: SqlValue[] } {
  let shape = rewritten.get(text);
  if (!shape) {
    shape = toPositional(text);
    rewritten.set(text, shape);
  }
  if (params === undefined) return { text: shape.text, values: [] };
  const values = shape.order.map((key) => {
    const value =
      typeof key === "number"
        ? (params as readonly SqlValue[])[key]
        : (params as Readonly<Record<string, SqlValue>>)[key];
    if (value === undefined) throw new Error(`No value for the parameter ${key} of: ${text}`);
    return value;
  });
  return { text: shape.text, values };
}

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

function queriesOn(target: Queryable) {
  const query = async <Row>(text: string, params: SqlParams | undefined) => {
    const statement = prepared(text, params);
    return (await target.query(statement.text, statement.values)) as unknown as pg.QueryResult<
      Row & pg.QueryResultRow
    >;
  };
  return {
    all: async <Row>(text: string, params?: SqlParams) =>
      (await query<Row>(text, params)).rows as Row[],
    get: async <Row>(text: string, params?: SqlParams) =>
      (await query<Row>(text, params)).rows[0] as Row | undefined,
    run: async (text: string, params?: SqlParams) => (await query(text, params)).rowCount ?? 0,
    exec: async (text: string) => {
      await target.query(text);
    },
  };
}

/**
 * A `SqlClient` over a pg pool. A statement outside a transaction runs on any
 * pooled connection; a transaction holds one connection from BEGIN to COMMIT
 * (READ COMMITTED: the repositories' statements are written to be correct
 * under it), and nests as savepoints. A connection broken in a transaction
 * is dropped from the pool, never reused.
 *
 * @example const db = openPostgres(process.env.DATABASE_URL);
 */
export function openPostgres(url: string, options: PostgresOptions = {}): PostgresDatabase {
  const {
    max = 10,
    connectionTimeoutMs = 10_000,
    onIdleError,
    applicationName = "gosuslugi-bot",
  } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectionTimeoutMs,
    application_name: applicationName,
    types,
  });
  // An idle connection's error (a server restart) must not end the process.
  pool.on("error", (error) => onIdleError?.(error));

  let savepoints = 0;
  const inside = (client: pg.PoolClient): SqlClient => {
    const client_: SqlClient = {
      engine: "postgres",
      inTransaction: true,
      ...queriesOn(client),
      transaction: async (work) => {
        const name = `sp_${++savepoints}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const value = await work(client_);
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return value;
        } catch (error) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw error;
        }
      },
    };
    return client_;
  };

  return {
    engine: "postgres",
    inTransaction: false,
    pool,
    ...queriesOn(pool),
    transaction: async (work) => {
      const client = await pool.connect();
      // A connection whose ROLLBACK failed is broken: released with the error, the pool drops it.
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const value = await work(inside(client));
        await client.query("COMMIT");
        return value;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
