import { z } from "zod";
import {
  type DatabaseConfig,
  DEFAULT_DATABASE_PATH,
  databaseOf,
  databasePathOf,
} from "../handoff/storage/config.ts";

// The database's settings are every composition root's (handoff/storage);
// the tools read them from here, beside the bot's other settings.
export { type DatabaseConfig, DEFAULT_DATABASE_PATH, databaseOf, databasePathOf };

/**
 * Telegram asks bots not to send one chat more than a message a second (more
 * draws 429s); grammY's throttler keeps the same least gap for a private
 * chat. The outbox the delivery claims from keeps it (CHAT_GAP_MS).
 */
export const TELEGRAM_CHAT_GAP_MS = 1000;

const POSTGRES_URL = /^postgres(ql)?:\/\//;

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const userIds = () =>
  z
    .string()
    .trim()
    .default("")
    .transform((value, context) => {
      const ids = value === "" ? [] : value.split(/[\s,]+/);
      const bad = ids.filter((id) => !/^[1-9]\d{0,15}$/.test(id));
      if (bad.length > 0) {
        context.addIssue({
          code: "custom",
          message: `must be Telegram user ids separated by commas, not "${bad.join(", ")}"`,
        });
      }
      return ids.map(Number);
    });

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

const configSchema = z
  .object({
    BOT_TOKEN: optionalText.pipe(
      z
        .string()
        .regex(/^\d+:[\w-]{20,}$/, {
          error: "BOT_TOKEN does not look like a token from @BotFather (digits:letters)",
        })
        .optional(),
    ),
    DATABASE_PATH: z.string().trim().min(1).default(DEFAULT_DATABASE_PATH),
    DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(POSTGRES_URL, {
          error:
            "DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)",
        })
        .refine((url) => URL.canParse(url), {
          error: "DATABASE_URL is not a URL: postgres://user:password@host:5432/database",
        })
        .optional(),
    ),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    KNOWLEDGE_DIR: optionalText,
    TELEGRAM_API_ROOT: z
      .url({ protocol: /^https?$/, error: "TELEGRAM_API_ROOT must be an http(s) URL" })
      .default("https://api.telegram.org"),
    WEBHOOK_URL: optionalText.pipe(
      z
        .url({ protocol: /^https?$/, error: "WEBHOOK_URL must be an https:// URL" })
        .refine((url) => url.startsWith("https://") || LOOPBACK.test(url), {
          error:
            "WEBHOOK_URL must be https:// (plain http only for a local Bot API server on loopback)",
        })
        .optional(),
    ),
    WEBHOOK_SECRET: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, {
          error: "WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -",
        })
        .optional(),
    ),
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    HEALTH_PORT: optionalText.pipe(
      z.coerce.number<string | undefined>().int().min(1).max(65535).optional(),
    ),
    HEALTH_HOST: z.string().trim().min(1).default("127.0.0.1"),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
    OPERATOR_IDS: userIds(),
    SUPERVISOR_IDS: userIds(),
    WAIT_REMINDER_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
    CHAT_GAP_MS: z.coerce.number().int().min(0).max(60_000).default(TELEGRAM_CHAT_GAP_MS),
    RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
  })
  .refine((env) => !env.WEBHOOK_URL || env.WEBHOOK_SECRET, {
    error:
      "WEBHOOK_SECRET is required with WEBHOOK_URL: Telegram sends it back so forged calls are refused",
    path: ["WEBHOOK_SECRET"],
  })
  .refine((env) => !env.WEBHOOK_URL || env.HEALTH_PORT !== env.PORT, {
    error: "HEALTH_PORT must differ from PORT, which the webhook server listens on",
    path: ["HEALTH_PORT"],
  });

/** The bot's configuration, read from environment variables once in main. */
export interface Config {
  /** Undefined when not set: main explains how to get one. */
  botToken: string | undefined;
  /** The SQLite file; with DATABASE_URL it is not used. */
  databasePath: string;
  /** Which database, and where: PostgreSQL when DATABASE_URL is set, else SQLite at `databasePath`. */
  database: DatabaseConfig;
  knowledgeDir: string | undefined;
  telegramApiRoot: string;
  /** Webhook mode when set; long polling otherwise. */
  webhook: { url: string; secret: string; port: number } | undefined;
  /** `/healthz` and `/metrics` are served on this address when set (HEALTH_PORT). */
  health: { port: number; host: string } | undefined;
  rateLimitPerMinute: number;
  /**
   * Telegram user ids made operators (or supervisors) at start-up, in
   * addition to those added with `npm run admin -- operators add`.
   */
  operatorIds: readonly number[];
  supervisorIds: readonly number[];
  /** A ticket waiting longer than this reminds the operators on shift and the supervisors. */
  waitReminderMinutes: number;
  /** The least gap between two messages the outbox sends one chat, in ms (Telegram's second). */
  chatGapMs: number;
  /** Texts and file ids of tickets closed, and questions asked, longer ago than this are erased. */
  retentionDays: number;
  logLevel: z.infer<typeof configSchema>["LOG_LEVEL"];
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/**
 * Validates the environment into a Config. Pure: the caller passes the
 * environment. Each error names the variable and what it must be.
 *
 * @example createConfig({ BOT_TOKEN: "123:abc..." })
 */
export function createConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map(
        (issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`,
      ),
    };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      botToken: e.BOT_TOKEN,
      databasePath: e.DATABASE_PATH,
      database: e.DATABASE_URL
        ? { engine: "postgres", url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
        : { engine: "sqlite", path: e.DATABASE_PATH },
      knowledgeDir: e.KNOWLEDGE_DIR,
      telegramApiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
      webhook:
        e.WEBHOOK_URL && e.WEBHOOK_SECRET
          ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET, port: e.PORT }
          : undefined,
      health: e.HEALTH_PORT ? { port: e.HEALTH_PORT, host: e.HEALTH_HOST } : undefined,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      operatorIds: e.OPERATOR_IDS,
      supervisorIds: e.SUPERVISOR_IDS,
      waitReminderMinutes: e.WAIT_REMINDER_MINUTES,
      chatGapMs: e.CHAT_GAP_MS,
      retentionDays: e.RETENTION_DAYS,
      logLevel: e.LOG_LEVEL,
    },
  };
}
