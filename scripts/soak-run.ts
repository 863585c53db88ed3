// One soak run: the real bot process against the Bot API double, many
// citizens and operators talking through it for a bounded time while faults
// are injected, then the ledger of every relayed message.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CITIZEN_TEXTS, OPERATOR_TEXTS } from "../bot/desk/index.ts";
import { escapeHtml } from "../knowledge/index.ts";
import {
  type ApiCall,
  type BotApiDouble,
  createBotApiDouble,
} from "../test/bot-api-double/index.ts";
import { type BotProcess, startBot, untilPolling } from "../test/e2e/bot-process.ts";
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
/** c17-m42: the 42nd message of the 17th ticket's citizen; o17-m42: the 42nd of its operator. */
const TOKEN_PATTERN = /\b[co]\d+-m\d+\b/g;
const HAS_TOKEN = /\b[co]\d+-m\d+\b/;
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
  /** Messages a second, both ways together. Defaults to 200. */
  rate?: number;
  /** How long the bot may take to deliver what is left after the traffic, in ms. Defaults to 180000. */
  settleTimeoutMs?: number;
  /** Told what the run is doing, a line at a time. Defaults to nothing. */
  progress?: (line: string) => void;
}

export interface SoakResult {
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
  /** When the kill came (ms into the traffic) and how long until the new process polled. */
  kill?: { atMs: number; downMs: number };
  /** Outbox rows in 'sending' right after the kill, and the relayed tokens among them. */
  inFlight: { rows: number; tokens: string[] };
  /** Updates the double delivered more than once (their confirmation died with the bot). */
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
  /** The database, kept when the run is not clean. */
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
    rate = 200,
    settleTimeoutMs = 180_000,
    progress = () => undefined,
  } = options;
  const dir = mkdtempSync(join(tmpdir(), "soak-"));
  const database = join(dir, "bot.sqlite");
  const double = createBotApiDouble({ token: TOKEN });
  await double.start();
  const operators = makeUsers(operatorCount, 610_001, "Оператор");
  const citizens = makeUsers(citizenCount, 710_001, "Гражданин");
  const env = {
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: double.apiRoot,
    DATABASE_PATH: database,
    OPERATOR_IDS: operators.map((o) => o.id).join(","),
    // The flood limit is a feature that drops messages on purpose; the soak is about the relay.
    RATE_LIMIT_PER_MINUTE: "1000000",
    LOG_LEVEL: "warn",
  };
  const processes: BotProcess[] = [];
  const launch = async () => {
    const since = double.calls.length;
    const bot = startBot(env);
    processes.push(bot);
    await untilPolling(bot, double.calls, since, SETUP_WAIT_MS);
    return bot;
  };

  let bot: BotProcess | undefined;
  let probe: SoakProbe | undefined;
  let result: SoakResult | undefined;
  try {
    bot = await launch();
    probe = openSoakProbe(database);
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
    const plan = planFaults(durationMs, seed);
    const faults = { tooManyRequests: 0, serverErrors: 0, drops: 0, dropped: 0 };
    let inFlight: string[] = [];
    let inFlightRows = 0;
    let kill: SoakResult["kill"];

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
          // Updates pile up behind a held poll for a moment and come as one
          // batch; the poll that would confirm that batch is held too, so the
          // killed bot gets the whole batch again after the restart (handled
          // already: it must relay none of it twice).
          const gather = double.hold("getUpdates");
          const confirm = double.hold("getUpdates");
          await gather.waitForHeld(1, { timeoutMs: SETUP_WAIT_MS });
          await sleep(300);
          const released = gather.release();
          await confirm.waitForHeld(1, { timeoutMs: SETUP_WAIT_MS });
          // And the worst moment for the outbox: the double has just accepted
          // a relay the bot has not recorded yet. Its row stays 'sending'.
          await double
            .waitFor(
              (c) =>
                c.method === "sendMessage" &&
                c.response?.ok === true &&
                HAS_TOKEN.test(String(c.params.text)),
              { since: double.calls.length, timeoutMs: 5000 },
            )
            .catch(() => undefined);
          const killedAt = Date.now();
          await bot?.stop("SIGKILL");
          confirm.drop();
          const rows = await quiet.sending();
          inFlightRows = rows.length;
          inFlight = rows.flatMap((row) => row.text?.match(TOKEN_PATTERN) ?? []);
          const batch = (await released)[0]?.response;
          const unconfirmed = batch?.ok ? (batch.result as unknown[]).length : 0;
          progress(
            `${at}: kill -9 with ${unconfirmed} update(s) delivered but not confirmed; ` +
              `${rows.length} outbox row(s) in flight` +
              (inFlight.length > 0 ? ` (${inFlight.join(", ")})` : ""),
          );
          bot = await launch();
          kill = { atMs: killedAt - start, downMs: Date.now() - killedAt };
          progress(`polling again after ${(kill.downMs / 1000).toFixed(1)} s`);
          return;
        }
      }
    };

    const injectAll = async () => {
      for (const event of plan) {
        await sleep(start + event.at - Date.now());
        await inject(event);
      }
    };

    const [emitted] = await Promise.all([traffic(), injectAll()]);
    const trafficMs = Date.now() - start;
    progress(`traffic done: ${emitted} messages; waiting for the bot to deliver the rest`);
    const settled = await settle(settleTimeoutMs);
    progress(
      settled.settled
        ? `settled after ${(settled.ms / 1000).toFixed(1)} s`
        : `not settled after ${(settled.ms / 1000).toFixed(1)} s: ${await quiet.undelivered()} row(s) left`,
    );

    const calls = double.calls.slice(trafficFrom);
    const strays = collectReceipts(calls, expected);
    const streams = conversations.flatMap((c) => Object.values(c.streams));
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
      kill !== undefined;
    result = {
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
      inFlight: { rows: inFlightRows, tokens: inFlight },
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
    if (bot) await stopGently(bot);
    await probe?.close();
    await double.stop();
    if (result?.clean) rmSync(dir, { recursive: true, force: true });
    else if (result) {
      result.keptDir = dir;
      result.botOutput = processes
        .map(
          (p, i) => `--- bot process ${i + 1} ---\n${p.output().split("\n").slice(-40).join("\n")}`,
        )
        .join("\n");
    } else rmSync(dir, { recursive: true, force: true });
  }
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

/** SIGTERM, and SIGKILL if the bot has not stopped within 15 s. */
async function stopGently(bot: BotProcess): Promise<void> {
  const stopped = await Promise.race([bot.stop("SIGTERM").then(() => true), sleep(15_000)]);
  if (!stopped) await bot.stop("SIGKILL");
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
    const quiet = double.pendingUpdates.length === 0 && (await probe.undelivered()) === 0;
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
