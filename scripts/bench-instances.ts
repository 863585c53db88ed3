// The bot's throughput with 1, 2 and 3 processes on one PostgreSQL database:
// the real program (bot/main.ts) in webhook mode behind the soak's
// round-robin proxy, against the Bot API double, which delivers up to 40
// updates at once as Telegram does. Part of `npm run bench`.
import { fileURLToPath } from "node:url";
import { createBotApiDouble } from "../test/bot-api-double/index.ts";
import { type BenchServer, benchPostgresServer } from "./bench-postgres.ts";
import { createSoakDatabase } from "./soak-database.ts";
import { createSoakFleet } from "./soak-fleet.ts";

const TOKEN = "123456:AAE-bench-token-0123456789abcdef";

export interface InstancesBenchOptions {
  /** Process counts to measure, in order. Defaults to [1, 2, 3]. */
  counts?: readonly number[];
  /** Questions, each from its own citizen, sent at once. Defaults to 1,500. */
  messages?: number;
  /** Questions sent first, not measured (the processes warm up). Defaults to 300. */
  warmUp?: number;
}

/** One measurement: `processes` processes answering `messages` citizens. */
export interface InstancesRun {
  processes: number;
  messages: number;
  perSecond: number;
}

/**
 * Measures each process count on its own new database on `serverUrl`:
 * every citizen asks one question, and the run ends when each has a reply.
 *
 * @example const runs = await benchInstances(server.url, ["телефон горячей линии"]);
 */
export async function benchInstances(
  serverUrl: string,
  questions: readonly string[],
  options: InstancesBenchOptions = {},
): Promise<InstancesRun[]> {
  const { counts = [1, 2, 3], messages = 1500, warmUp = 300 } = options;
  const runs: InstancesRun[] = [];
  for (const processes of counts) {
    const database = await createSoakDatabase("postgres", serverUrl);
    const double = createBotApiDouble({ token: TOKEN });
    await double.start();
    const fleet = createSoakFleet(
      double,
      {
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: double.apiRoot,
        ...database.env,
        RATE_LIMIT_PER_MINUTE: "1000000",
        LOG_LEVEL: "error",
      },
      { instances: processes, webhook: true },
    );
    try {
      await fleet.start();
      let nextCitizen = 100_000;
      const ask = async (count: number) => {
        const waiting = new Set<number>();
        for (let i = 0; i < count; i++) {
          const id = nextCitizen++;
          waiting.add(id);
          double.sendText(
            { id, first_name: `Citizen ${id}`, language_code: "ru" },
            questions[i % questions.length] ?? "телефон",
          );
        }
        const started = performance.now();
        let seen = double.calls.length;
        while (waiting.size > 0) {
          for (; seen < double.calls.length; seen++) {
            const call = double.calls[seen];
            if (call?.method === "sendMessage") waiting.delete(Number(call.params.chat_id));
          }
          if (performance.now() - started > 300_000)
            throw new Error(`${waiting.size} citizens had no reply after 5 minutes`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return performance.now() - started;
      };
      await ask(warmUp);
      const elapsed = await ask(messages);
      runs.push({ processes, messages, perSecond: (messages / elapsed) * 1000 });
    } finally {
      await fleet.stop();
      await double.stop();
      await database.remove();
    }
  }
  return runs;
}

/** The runs as lines: updates/s and the ratio to one process. */
export function formatInstancesBench(runs: readonly InstancesRun[]): string {
  const one = runs.find((run) => run.processes === 1)?.perSecond;
  const asked = runs[0]?.messages ?? 0;
  const head = `${asked.toLocaleString("en-US")} questions from as many citizens at once, up to 40 delivered at a time (as Telegram's webhook), each answered from the knowledge base:`;
  return [
    head,
    ...runs.map((run) => {
      const ratio = one ? ` (${(run.perSecond / one).toFixed(2)}× one process)` : "";
      return `  ${run.processes} process${run.processes === 1 ? "" : "es"}: ${run.perSecond.toFixed(0)} updates/s${ratio}`;
    }),
  ].join("\n");
}

/**
 * The bench on benchPostgresServer's server, printed; a PostgreSQL server
 * that cannot be had is said instead.
 */
export async function benchInstancesOnPostgres(
  print: (text: string) => void,
  questions: readonly string[],
  options: InstancesBenchOptions = {},
): Promise<InstancesRun[] | undefined> {
  let server: BenchServer;
  try {
    server = await benchPostgresServer();
  } catch (error) {
    print(`(no PostgreSQL to bench on: ${(error as Error).message})`);
    return undefined;
  }
  try {
    const runs = await benchInstances(server.url, questions, options);
    print(formatInstancesBench(runs));
    return runs;
  } finally {
    await server.stop();
  }
}

// Run alone (npx tsx scripts/bench-instances.ts): this part of npm run bench.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchInstancesOnPostgres((text) => console.log(text), ["телефон горячей линии"]);
}
