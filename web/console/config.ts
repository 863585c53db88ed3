import { fileURLToPath } from "node:url";
import { type DatabaseConfig, databaseOf } from "../../handoff/storage/config.ts";

/** The web console's settings, read from the environment. */
export interface ConsoleConfig {
  /** Where it listens: CONSOLE_HOST (default 127.0.0.1, behind a proxy) and CONSOLE_PORT (8080). */
  host: string;
  port: number;
  /** How people reach it (CONSOLE_URL): the origin every request must come from, the links' base. */
  publicUrl: string;
  /**
   * Without CONSOLE_URL, on this machine: http://127.0.0.1:PORT works as
   * well as http://localhost:PORT (the address it prints beside the URL).
   */
  alsoOrigins: string[];
  /** Cookies marked Secure: the public URL is https. */
  secureCookies: boolean;
  /** A session unused this long ends (CONSOLE_IDLE_MINUTES, default 30). */
  idleMs: number;
  database: DatabaseConfig;
  /** The knowledge folder (KNOWLEDGE_DIR), else the repository's intents/. */
  knowledgeDir: string | undefined;
  /** Behind a reverse proxy (CONSOLE_TRUST_PROXY=1): its one hop's X-Forwarded-For gives the address. */
  trustProxy: boolean;
  /** The bot's token (BOT_TOKEN), to fetch citizens' files on the server; without it they are only listed. */
  botToken: string | undefined;
  /** The Bot API's root (TELEGRAM_API_ROOT), as the bot's. */
  telegramApiRoot: string | undefined;
  /** The development set a publication is measured on (CONTENT_DEV_SET), else the repository's. */
  devSet: string;
}

/** The repository's development set (test/fixtures/eval-dev.jsonl). */
export const DEFAULT_DEV_SET = fileURLToPath(
  new URL("../../test/fixtures/eval-dev.jsonl", import.meta.url),
);

/** A setting that cannot be used: one line that names it and what to do. */
export class ConsoleConfigError extends Error {
  override readonly name = "ConsoleConfigError";
}

/**
 * The console's settings from `env`; throws ConsoleConfigError naming the
 * first unusable one.
 *
 * @example consoleConfigOf({ CONSOLE_PORT: "8080" }).publicUrl // "http://localhost:8080"
 */
export function consoleConfigOf(env: Readonly<Record<string, string | undefined>>): ConsoleConfig {
  const port = Number(env.CONSOLE_PORT?.trim() || "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConsoleConfigError(`CONSOLE_PORT must be a port number, not "${env.CONSOLE_PORT}"`);
  }
  const publicUrl = (env.CONSOLE_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new ConsoleConfigError(
      `CONSOLE_URL must be a URL such as https://console.example.org, not "${publicUrl}"`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConsoleConfigError(`CONSOLE_URL must be http or https, not ${url.protocol}`);
  }
  const idleMinutes = Number(env.CONSOLE_IDLE_MINUTES?.trim() || "30");
  if (!(idleMinutes >= 1 && idleMinutes <= 24 * 60)) {
    throw new ConsoleConfigError(
      `CONSOLE_IDLE_MINUTES must be 1 to 1440, not "${env.CONSOLE_IDLE_MINUTES}"`,
    );
  }
  return {
    host: env.CONSOLE_HOST?.trim() || "127.0.0.1",
    port,
    publicUrl: url.origin,
    alsoOrigins: env.CONSOLE_URL?.trim() ? [] : [`http://127.0.0.1:${port}`],
    secureCookies: url.protocol === "https:",
    idleMs: idleMinutes * 60_000,
    database: databaseOf(env),
    knowledgeDir: env.KNOWLEDGE_DIR?.trim() || undefined,
    trustProxy: env.CONSOLE_TRUST_PROXY?.trim() === "1",
    botToken: env.BOT_TOKEN?.trim() || undefined,
    telegramApiRoot: env.TELEGRAM_API_ROOT?.trim() || undefined,
    devSet: env.CONTENT_DEV_SET?.trim() || DEFAULT_DEV_SET,
  };
}
