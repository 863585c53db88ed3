import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compiledProgram } from "../compiled-programs.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The real program (`npm start`'s code) as one child process. It runs as
 * `node --import tsx bot/main.ts`, not through the `tsx` CLI: the CLI starts
 * the program as a child of its own, so a signal to the CLI's pid (SIGKILL
 * above all, which it cannot relay) would leave the bot itself running.
 * Under vitest it runs the run's compiled copy of the same sources
 * (test/compiled-programs.ts) unless `throughTsx` asks for tsx.
 */
export interface BotProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `bot/main.ts` (or `program`: scripts/start.ts, npm start's
 * launcher) with the given environment (on top of a clean one).
 * `throughTsx`: run the source through tsx even when the test run compiled
 * the program. Defaults to false.
 */
export function startBot(
  env: Record<string, string>,
  options: { throughTsx?: boolean; program?: string } = {},
): BotProcess {
  const { throughTsx = false, program: entry = "bot/main.ts" } = options;
  const compiled = throughTsx ? undefined : compiledProgram(entry);
  const program = compiled ? [compiled] : ["--import", "tsx", entry];
  const child = spawn(process.execPath, program, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      LOG_LEVEL: "silent",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Resolves once the bot is polling: a getUpdates call at index `since` or
 * later in `calls` (the double's live list). Rejects with the bot's output if
 * it exits first or has not polled within `timeoutMs` (default 20 s).
 *
 * @example const since = double.calls.length; const bot = startBot(env); await untilPolling(bot, double.calls, since);
 */
export async function untilPolling(
  bot: BotProcess,
  calls: readonly { method: string }[],
  since: number,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = since;
  for (;;) {
    for (; seen < calls.length; seen++) if (calls[seen]?.method === "getUpdates") return;
    if (bot.child.exitCode !== null || bot.child.signalCode !== null)
      throw new Error(`the bot exited before polling:\n${bot.output()}`);
    if (Date.now() > deadline) throw new Error(`the bot did not start polling:\n${bot.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
