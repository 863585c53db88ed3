import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message } from "grammy/types";
import { afterAll, beforeAll } from "vitest";
import { type BotApiDouble, createBotApiDouble, textOf } from "../bot-api-double/index.ts";
import { type BotProcess, startBot, untilPolling } from "./bot-process.ts";

export const E2E_TOKEN = "123456:AAE-e2e-token-0123456789abcdef";

/**
 * A Bot API double and a temp folder for one test file, and the bot process
 * `launch` starts against them; all three go after the file's tests.
 *
 * @example const e2e = useBotProcess("e2e-inbox-"); await e2e.launch({ DATABASE_PATH: join(e2e.dir, "bot.sqlite") });
 */
export function useBotProcess(tempPrefix: string) {
  let double: BotApiDouble | undefined;
  let dir: string | undefined;
  let bot: BotProcess | undefined;
  beforeAll(async () => {
    double = createBotApiDouble({ token: E2E_TOKEN });
    await double.start();
    dir = mkdtempSync(join(tmpdir(), tempPrefix));
  });
  afterAll(async () => {
    await bot?.stop("SIGKILL");
    await double?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useBotProcess: used outside a test");
    return value;
  };
  return {
    get double() {
      return ready(double);
    },
    get dir() {
      return ready(dir);
    },
    /** What the bot printed so far (its log), or nothing before it is launched. */
    output: () => bot?.output() ?? "",
    /** Starts the bot (token and API root set) and resolves once it polls for updates. */
    async launch(
      env: Record<string, string>,
      options: Parameters<typeof startBot>[1] = {},
    ): Promise<BotProcess> {
      const api = ready(double);
      const since = api.calls.length;
      bot = startBot({ BOT_TOKEN: E2E_TOKEN, TELEGRAM_API_ROOT: api.apiRoot, ...env }, options);
      await untilPolling(bot, api.calls, since);
      return bot;
    },
  };
}

/**
 * What a bot asked again and again by askUntil needs: a flood limit above
 * the test's pace (the default, 20 messages a minute from one chat, drops a
 * busy machine's retries for a minute).
 */
export const ASKED_AGAIN = { RATE_LIMIT_PER_MINUTE: "600" } as const;

/**
 * Asks the bot `question` as `citizen` until its reply's text passes
 * `wanted` (a change made elsewhere reaches the bot a moment later: a
 * published file once it has reloaded, an incident at its next load);
 * fails after `timeoutMs` (20 s) with the last reply, and the end of the
 * bot's log when `log` gives it. Launch the bot with ASKED_AGAIN.
 *
 * @example await askUntil(double, citizen, "сайт не работает", (text) => text.startsWith("⚠️"));
 */
export async function askUntil(
  double: BotApiDouble,
  citizen: { id: number; first_name: string; language_code?: string },
  question: string,
  wanted: (text: string) => boolean,
  options: { timeoutMs?: number; log?: () => string } = {},
): Promise<Message> {
  const { timeoutMs = 20_000, log } = options;
  const until = Date.now() + timeoutMs;
  const failed = (message: string) =>
    new Error(log ? `${message}\nThe end of the bot's log:\n${log().slice(-6000)}` : message);
  for (;;) {
    const since = double.calls.length;
    double.sendText(citizen, question);
    // However busy the machine, a reply has the time left (10 s at least).
    const answer = await double
      .waitForMessage((m) => m.chat.id === citizen.id, {
        since,
        timeoutMs: Math.max(10_000, until - Date.now()),
      })
      .catch((error: Error) => {
        throw failed(error.message);
      });
    if (wanted(textOf(answer))) return answer;
    if (Date.now() > until) throw failed(`the bot still answers: ${textOf(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
