// The soak's bot processes: one long-polling process, or several in webhook
// mode behind the round-robin proxy, as behind a load balancer.
import type { BotApiDouble } from "../test/bot-api-double/index.ts";
import { type BotProcess, startBot, untilPolling } from "../test/e2e/bot-process.ts";
import { freePort } from "../test/free-port.ts";
import { createRoundRobinProxy, type RoundRobinProxy } from "./soak-proxy.ts";

const WEBHOOK_SECRET = "soak-webhook-secret-0123456789";

/** The processes of a run, each in a slot that keeps its port across a restart. */
export interface SoakFleet {
  readonly mode: "polling" | "webhook";
  /** The process now in each slot (a killed one until its restart). */
  readonly processes: readonly BotProcess[];
  /** Every process started, in order, restarted ones too (for their output). */
  readonly started: readonly BotProcess[];
  /** Starts every slot's process (webhook: all at once; they take turns at the migrations); resolves once each takes updates. */
  start(): Promise<void>;
  /** Starts the slot's process again (after its kill); resolves once it takes updates. */
  restart(slot: number): Promise<BotProcess>;
  /** Webhook requests the proxy passed to another process because theirs was down. */
  passedOn(): number;
  /** SIGTERM to each (SIGKILL for one still running after 15 s), then the proxy closes. */
  stop(): Promise<void>;
}

export interface SoakFleetOptions {
  /** Processes. Defaults to 1; more than one needs a shared database (PostgreSQL). */
  instances?: number;
  /** Webhook mode behind the proxy. Defaults to true with more than one process. */
  webhook?: boolean;
  /** How long a process may take to start. Defaults to 60000. */
  startTimeoutMs?: number;
}

/**
 * The fleet against `double`, each process with `env` (the token, the API
 * root, the database). Long polling waits for a getUpdates; webhook mode
 * gives each process a port behind the proxy (WEBHOOK_URL) and waits for
 * its setWebhook.
 *
 * @example const fleet = createSoakFleet(double, env, { instances: 3 }); await fleet.start();
 */
export function createSoakFleet(
  double: BotApiDouble,
  env: Record<string, string>,
  options: SoakFleetOptions = {},
): SoakFleet {
  const { instances = 1, webhook = instances > 1, startTimeoutMs = 60_000 } = options;
  const processes: BotProcess[] = [];
  const started: BotProcess[] = [];
  const ports: number[] = [];
  let proxy: RoundRobinProxy | undefined;
  let proxyPort = 0;
  let passed = 0;

  const spawn = (slot: number): BotProcess => {
    const port = ports[slot];
    const bot = startBot(
      webhook && port !== undefined
        ? {
            ...env,
            WEBHOOK_URL: `http://127.0.0.1:${proxyPort}`,
            WEBHOOK_SECRET,
            PORT: String(port),
          }
        : env,
    );
    processes[slot] = bot;
    started.push(bot);
    return bot;
  };

  /** Resolves once `bots` have set the webhook (each does at the end of its start), `since` the launch. */
  const setWebhooks = async (bots: readonly BotProcess[], since: number) => {
    const exited = bots.map((bot) =>
      bot.exited.then(() => {
        throw new Error(`a bot process exited while starting:\n${bot.output()}`);
      }),
    );
    const set = double.waitFor(
      () =>
        double.calls
          .slice(since)
          .filter((c) => c.method === "setWebhook" && c.response?.ok === true).length >=
        bots.length,
      { since, timeoutMs: startTimeoutMs },
    );
    await Promise.race([set, ...exited]).catch((error: Error) => {
      throw new Error(`${error.message}\n${bots.map((bot) => bot.output()).join("\n")}`);
    });
  };

  const launch = async (slot: number): Promise<BotProcess> => {
    const since = double.calls.length;
    const bot = spawn(slot);
    if (webhook) await setWebhooks([bot], since);
    else await untilPolling(bot, double.calls, since, startTimeoutMs);
    return bot;
  };

  return {
    mode: webhook ? "webhook" : "polling",
    processes,
    started,
    async start() {
      if (webhook) {
        for (let slot = 0; slot < instances; slot++) ports.push(await freePort());
        const targets = ports.map((port) => `http://127.0.0.1:${port}`);
        const answered = createRoundRobinProxy(() => targets);
        proxy = answered;
        proxyPort = await answered.listen();
      }
      if (!webhook) {
        await launch(0);
        return;
      }
      const since = double.calls.length;
      const bots = Array.from({ length: instances }, (_, slot) => spawn(slot));
      await setWebhooks(bots, since);
    },
    restart: (slot) => launch(slot),
    passedOn: () => proxy?.passedOn() ?? passed,
    async stop() {
      await Promise.all(processes.map((bot) => stopGently(bot)));
      passed = proxy?.passedOn() ?? 0;
      await proxy?.close();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM, and SIGKILL if the bot has not stopped within 15 s. */
async function stopGently(bot: BotProcess): Promise<void> {
  const stopped = await Promise.race([bot.stop("SIGTERM").then(() => true), sleep(15_000)]);
  if (!stopped) await bot.stop("SIGKILL");
}
