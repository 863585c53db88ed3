// Which database, read from the environment: pure, no driver, so that
// configuration modules may read it without loading the adapters.

/** Where the bot keeps its SQLite file unless DATABASE_PATH says otherwise. */
export const DEFAULT_DATABASE_PATH = "./data/bot.sqlite";

/**
 * The bot's database file as the command-line tools find it: DATABASE_PATH,
 * else the bot's default (without validating the rest of the environment).
 *
 * @example databasePathOf(process.env) // "./data/bot.sqlite"
 */
export function databasePathOf(env: Readonly<Record<string, string | undefined>>): string {
  return env.DATABASE_PATH?.trim() || DEFAULT_DATABASE_PATH;
}

/** Where the bot keeps its data: the SQLite file, or a PostgreSQL server several processes share. */
export type DatabaseConfig =
  | { engine: "sqlite"; path: string }
  | {
      engine: "postgres";
      url: string;
      /** Connections this process opens at most (DATABASE_POOL_SIZE). */
      poolSize: number;
    };

/**
 * The database as the command-line tools find it: DATABASE_URL (PostgreSQL)
 * if set, else the SQLite file at DATABASE_PATH or the bot's default, without
 * validating the rest of the environment.
 *
 * @example databaseOf(process.env) // { engine: "sqlite", path: "./data/bot.sqlite" }
 */
export function databaseOf(env: Readonly<Record<string, string | undefined>>): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    const poolSize = Number(env.DATABASE_POOL_SIZE ?? "");
    return {
      engine: "postgres",
      url,
      poolSize: Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= 100 ? poolSize : 10,
    };
  }
  return { engine: "sqlite", path: databasePathOf(env) };
}
