// The bot's entry point (npm start): the only place that reads the
// environment, opens files and starts the network.

import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Api } from "grammy";
import type { Logger } from "pino";
import {
  createEffectsRenderer,
  createFloodCounts,
  createIncidents,
  createInstances,
  createLocalSignals,
  createPeriodicRuns,
  createTicketCounts,
  type DeliveryWorker,
  defaultOperatorName,
  EFFECTS_SIGNAL,
  followIncidents,
  openHandoff,
  purgeExpired,
  recordingChannel,
  type Staff,
} from "../handoff/index.ts";
import {
  createPostgresSignals,
  leadWith,
  type PostgresDatabase,
} from "../handoff/postgres/index.ts";
import { openStorage, shownUrl } from "../handoff/storage/index.ts";
import { DEFAULT_KNOWLEDGE_FOLDER, formatIssue } from "../knowledge/index.ts";
import { abortWith, createBot } from "./bot.ts";
import { type Config, createConfig } from "./config.ts";
import { createTelegramChannel, fitMessage } from "./desk/index.ts";
import { createHealthServer } from "./health.ts";
import { describeReload, openKnowledgeSource, type ReloadResult } from "./knowledge-source.ts";
import { describeListenError } from "./listen-error.ts";
import { createLogger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { type Polling, startPolling } from "./polling.ts";
import { createTelegramDelivery } from "./telegram-send.ts";
import {
  callUntilAnswered,
  deleteWebhookAdvice,
  registerCommands,
  setWebhookAdvice,
  type TelegramLink,
  tokenAdvice,
} from "./telegram-startup.ts";
import { TEXTS } from "./texts.ts";
import { createWebhookServer } from "./webhook-server.ts";

const NO_TOKEN = `BOT_TOKEN is not set.

To run the bot on Telegram:
  1. Open @BotFather in Telegram, send /newbot and follow the steps.
  2. Start the bot with the token it gives you:  BOT_TOKEN=123456:ABC... npm start

To try the bot without Telegram, in this terminal:  npm run chat
`;

/** The session advisory lock the poller holds on PostgreSQL (any number unique to this application). */
const POLLER_LOCK = 727_002;
/** How often the desk's effects are looked at without a signal (a web console's, to render). */
const EFFECTS_POLL_MS = 1_000;
/**
 * How often the active incidents are loaded without a signal: on SQLite the
 * console is another process, so this poll is how a change arrives; on
 * PostgreSQL the signal is, and this the backstop.
 */
const INCIDENTS_POLL_MS = { sqlite: 1_000, postgres: 5_000 } as const;
/** The signal a process sends when it reloaded the knowledge base at a supervisor's word. */
const RELOAD_SIGNAL = "knowledge_reload";
/** Processes reloading one change (the same result, the same knowledge base) within this time tell the supervisors once. */
const RELOAD_NOTICE_MS = 10_000;
/** How often a process says it is alive (instances), and looks for a dead one's half-sent rows. */
const HEARTBEAT_MS = 2_000;
/** A process not heard from for this long is dead: its half-sent outbox rows go again. */
const ORPHAN_AFTER_MS = 6_000;
/** Longer than any send can take: a row claimed this long ago is sent again whoever claimed it. */
const STALE_SEND_MS = 3 * 60_000;
/**
 * After SIGTERM, updates in hand and the outbox get this long; then every
 * Bot API call still in flight is abandoned (what it was for is done again
 * after the restart). Under Docker's and Kubernetes' 10 s before SIGKILL.
 */
const SHUTDOWN_DEADLINE_MS = 8_000;
/** How long the work in hand gets to end once its Bot API calls are abandoned. */
const ABANDON_GRACE_MS = 1_000;

/** One step of the shutdown, undoing one step of the start-up; run newest first. */
interface Closer {
  name: string;
  close(): void | Promise<void>;
}

type Started = { ok: true } | { ok: false; message: string } | { ok: false; message?: undefined };

async function main(): Promise<number> {
  const configured = createConfig(process.env);
  if (!configured.ok) {
    process.stderr.write(`Configuration error:\n  ${configured.errors.join("\n  ")}\n`);
    return 1;
  }
  const { config } = configured;
  if (!config.botToken) {
    process.stderr.write(NO_TOKEN);
    return 1;
  }
  const log = createLogger(config.logLevel);

  // Listened for from the very start: a stop asked for while the bot waits
  // for Telegram ends the waiting.
  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    log.info({ signal }, "stopping: finishing updates in hand");
    stopping.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // Aborted at the shutdown deadline: every Bot API call in flight ends.
  const abandon = new AbortController();

  const closers: Closer[] = [];
  let started: Started;
  try {
    started = await start(config, config.botToken, log, closers, {
      stopping: stopping.signal,
      abandon: abandon.signal,
    });
  } catch (error) {
    // An I/O failure before the bot runs (the database file above all): its
    // message names the file and what to do; a stack would only hide it.
    started = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  if (started.ok) {
    await new Promise<void>((resolve) => {
      if (stopping.signal.aborted) resolve();
      stopping.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
  // Also after a failed start: ends what the start-up began in the background.
  stopping.abort();
  const clean = await closeAll(closers, log, abandon);
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  if (!started.ok && started.message !== undefined) {
    process.stderr.write(`Cannot start: ${started.message}\n`);
    return 1;
  }
  log.info("stopped");
  return clean ? 0 : 1;
}

/**
 * Starts the bot, pushing onto `closers` how to undo each step. The ports
 * are taken before anything else starts, so that a port in use stops the bot
 * before it talks to Telegram or sends a message; then Telegram is waited for
 * (each failed try logged, /healthz answering 503 meanwhile).
 */
async function start(
  config: Config,
  token: string,
  log: Logger,
  closers: Closer[],
  signals: { stopping: AbortSignal; abandon: AbortSignal },
): Promise<Started> {
  const { stopping, abandon } = signals;
  const opened = openKnowledgeSource(config.knowledgeDir ?? DEFAULT_KNOWLEDGE_FOLDER, log);
  if (!opened.ok) {
    log.fatal({ issues: opened.issues.map(formatIssue) }, "the knowledge base has errors");
    return {
      ok: false,
      message: "the knowledge base has errors (logged above): fix them and start again.",
    };
  }
  const knowledge = opened.source;
  closers.push({ name: "knowledge", close: () => knowledge.close() });
  let worker: DeliveryWorker | undefined;
  const database = await openStorage(config.database, {
    onIdleError: (error) =>
      log.warn(
        { error: error.message },
        "a PostgreSQL connection failed while idle; the pool opens another",
      ),
  });
  log.info(
    config.database.engine === "sqlite"
      ? { engine: "sqlite", path: config.database.path }
      : { engine: "postgres", url: shownUrl(config.database.url), pool: config.database.poolSize },
    "database open",
  );
  /** This process, among those sharing the database (periodic work runs in one of them). */
  const instance = randomUUID();
  const periodic = createPeriodicRuns(database);
  // Wake-ups between the processes sharing the database (within one on SQLite).
  const wakeUps =
    config.database.engine === "postgres" && database.engine === "postgres"
      ? createPostgresSignals(database as PostgresDatabase, config.database.url, {
          onBroken: (error) => log.warn({ error: error.message }, "the signal session broke"),
        })
      : createLocalSignals();
  closers.push({ name: "signals", close: () => wakeUps.close() });
  /** Other processes may share the database (PostgreSQL); on SQLite this one is alone. */
  const shared = config.database.engine === "postgres";
  const instances = createInstances(database);
  if (shared) await instances.register({ id: instance, host: hostname(), pid: process.pid });
  // The incidents the console posts, in memory for every answer and ticket card (started below).
  const incidents = followIncidents(() => createIncidents(database).active(), wakeUps, {
    pollMs: INCIDENTS_POLL_MS[config.database.engine],
    onError: (error) => {
      if (!handoff.storage.observe(error)) log.error({ error }, "loading the incidents failed");
    },
  });
  const telegramChannel = createTelegramChannel({
    knowledge: knowledge.current,
    incidents: incidents.current,
  });
  const handoff = openHandoff(database, {
    instance,
    via: "telegram",
    knowledge: knowledge.current,
    // Recorded too: the web consoles follow what was said, live.
    channel: recordingChannel(telegramChannel),
    log,
    onEnqueued: () => worker?.wake(),
    waitLimitMs: config.waitReminderMinutes * 60_000,
    chatGapMs: config.chatGapMs,
  });
  closers.push({ name: "database", close: () => handoff.close() });
  // Alive while its row is fresh: the rows it is sending are its own. A clean
  // stop removes the row, so others need not wait for it to go stale. Alone
  // on SQLite, nobody reads it: no row, no beat.
  const aliveTimer = shared
    ? setInterval(() => {
        instances
          .heartbeat(instance)
          .then((known) =>
            known
              ? undefined
              : instances.register({ id: instance, host: hostname(), pid: process.pid }),
          )
          .catch((error) => {
            if (!handoff.storage.observe(error)) log.error({ error }, "instance heartbeat failed");
          });
      }, HEARTBEAT_MS)
    : undefined;
  closers.push({
    name: "instance",
    close: async () => {
      clearInterval(aliveTimer);
      if (shared) await instances.leave(instance);
    },
  });
  await seedOperators(handoff.staff, config.operatorIds, config.supervisorIds);
  await incidents.start();
  closers.push({ name: "incidents", close: () => incidents.stop() });
  // Metrics are kept only to be served, with /healthz, on HEALTH_PORT.
  const metrics = config.health
    ? createMetrics({
        ticketCounts: createTicketCounts(handoff.db),
        outboxLagMs: () => handoff.outbox.lag(),
      })
    : undefined;

  let link: TelegramLink = { reachable: false, reason: "not tried yet" };
  if (config.health && metrics) {
    const health = createHealthServer(
      {
        db: handoff.db,
        storage: handoff.storage,
        outbox: handoff.outbox,
        metrics,
        telegram: () => link,
      },
      config.health,
    );
    try {
      await health.listen();
    } catch (error) {
      return {
        ok: false,
        message: describeListenError(error, "HEALTH_PORT", config.health.port, config.health.host),
      };
    }
    closers.push({ name: "health server", close: () => health.close() });
    log.info(config.health, "serving /healthz and /metrics");
  }
  const webhook = config.webhook
    ? createWebhookServer(log, { port: config.webhook.port, secret: config.webhook.secret })
    : undefined;
  if (webhook && config.webhook) {
    try {
      await webhook.listen();
    } catch (error) {
      return { ok: false, message: describeListenError(error, "PORT", config.webhook.port) };
    }
    closers.push({ name: "webhook server", close: () => webhook.close() });
  }

  // The calls the bot cannot start without, made without auto-retry: each
  // failed try is logged here, with the next one's time.
  const startupApi = new Api(token, { apiRoot: config.telegramApiRoot, timeoutSeconds: 30 });
  if (metrics) startupApi.config.use(metrics.telegramTransformer("bot"));
  startupApi.config.use(abortWith(abandon));
  const retry = { signal: stopping, onLink: (next: TelegramLink) => (link = next) };
  const me = await callUntilAnswered("getMe", (s) => startupApi.getMe(s), log, tokenAdvice, retry);
  if (!me.ok) return me.kind === "stopped" ? { ok: false } : { ok: false, message: me.message };

  const bot = createBot(
    {
      knowledge: knowledge.current,
      handoff,
      log,
      rateLimitPerMinute: config.rateLimitPerMinute,
      incidents: incidents.current,
      // Several processes count a flooding chat together, in the database.
      ...(config.database.engine === "postgres"
        ? {
            floodLimits: {
              messages: createFloodCounts(database, "message", config.rateLimitPerMinute),
              presses: createFloodCounts(database, "press", config.rateLimitPerMinute),
            },
          }
        : {}),
      // A supervisor's /reload reaches every process sharing the database.
      reloadKnowledge: async () => {
        const result = await knowledge.reload();
        void wakeUps.publish(RELOAD_SIGNAL, instance).catch(() => {});
        return result;
      },
      ...(metrics ? { metrics } : {}),
    },
    { token, apiRoot: config.telegramApiRoot, botInfo: me.value, signal: abandon },
  );
  // The command menus are cosmetic: set in the background, tried again later.
  const commands = registerCommands(
    [
      (s) => startupApi.setMyCommands(TEXTS.ru.commands, {}, s),
      (s) => startupApi.setMyCommands(TEXTS.en.commands, { language_code: "en" }, s),
    ],
    log,
    { signal: stopping },
  );
  closers.push({ name: "bot commands", close: async () => void (await commands) });

  // Relayed messages leave through the outbox and its delivery worker.
  const delivery = createTelegramDelivery({
    token,
    apiRoot: config.telegramApiRoot,
    outbox: handoff.outbox,
    onFailed: (item, error, blocked) => handoff.desk.undeliverable(item, error, blocked),
    log,
    storage: handoff.storage,
    configureApi: (api) => {
      if (metrics) api.config.use(metrics.telegramTransformer("delivery"));
      api.config.use(abortWith(abandon));
    },
  });
  worker = delivery;
  // Rows a crash left half-sent go again (at least once, never lost). On
  // SQLite this process is the only one, so every row being sent at its
  // start was left by a crash. On PostgreSQL other processes may be sending
  // right now: only the rows of a process gone silent (no heartbeat for
  // ORPHAN_AFTER_MS) are taken back, here and every few seconds, and any row
  // claimed longer ago than a send can take (the API client gives up after 60 s).
  const recover = async () => {
    const recovered = shared
      ? (await handoff.outbox.recoverOrphans(ORPHAN_AFTER_MS)) +
        (await handoff.outbox.recoverStale(STALE_SEND_MS))
      : await handoff.outbox.recoverStale(0);
    if (recovered > 0) log.warn({ recovered }, "outbox rows left by a crash will be sent again");
  };
  await recover();
  const recovery = shared
    ? setInterval(() => {
        recover().catch((error) => {
          if (!handoff.storage.observe(error)) log.error({ error }, "outbox recovery failed");
        });
      }, HEARTBEAT_MS)
    : undefined;
  delivery.start();
  closers.push({
    name: "outbox",
    // What is due now goes out before the database closes, up to the deadline.
    close: async () => {
      await delivery.stop();
      while (!abandon.aborted && (await delivery.deliverOnce()) !== "idle") {}
    },
  });

  // What a web console said waits in the desk's effects: rendered to
  // Telegram here, in order, at its signal, with a poll as the backstop (a
  // console on the same SQLite file is another process: no signal reaches).
  const effects = createEffectsRenderer({
    db: database,
    repositories: handoff.repositories,
    channel: telegramChannel,
    onEnqueued: () => worker?.wake(),
  });
  let rendering: Promise<unknown> | undefined;
  const renderEffects = () => {
    rendering ??= effects
      .renderPending()
      .catch((error) => {
        if (!handoff.storage.observe(error)) log.error({ error }, "rendering desk effects failed");
      })
      .finally(() => {
        rendering = undefined;
      });
  };
  const effectsTimer = setInterval(renderEffects, EFFECTS_POLL_MS);
  const unsubscribeEffects = wakeUps.subscribe(EFFECTS_SIGNAL, renderEffects);
  closers.push({
    name: "desk effects",
    close: async () => {
      clearInterval(effectsTimer);
      unsubscribeEffects();
      await rendering;
    },
  });

  // Periodic work runs once a period however many processes share the
  // database: the one whose timer asks first after the period gets it.
  const reminders = setInterval(async () => {
    try {
      if (!(await periodic.claim("wait-reminders", 55_000, instance))) return;
      await handoff.desk.remindOverdue();
    } catch (error) {
      if (!handoff.storage.observe(error)) log.error({ error }, "wait reminders failed");
    }
  }, 60_000);
  // Retention: personal data older than RETENTION_DAYS goes now and once a day.
  const purge = async () => {
    try {
      if (!(await periodic.claim("retention-purge", 86_400_000 - 60_000, instance))) return;
      const erased = await purgeExpired(handoff.db, {
        olderThanMs: config.retentionDays * 86_400_000,
      });
      // Processes gone a day ago (killed, their machine lost) leave their rows behind.
      const forgotten = await instances.forgetDead(86_400_000);
      log.info({ erased, forgotten, retentionDays: config.retentionDays }, "retention purge done");
    } catch (error) {
      handoff.storage.observe(error);
      log.error({ error }, "retention purge failed");
    }
  };
  await purge();
  const retention = setInterval(purge, 86_400_000);
  // With a webhook nothing calls Telegram while citizens are quiet: a getMe
  // a minute keeps "last successful Telegram call" meaningful.
  const heartbeat =
    metrics && config.webhook
      ? setInterval(() => {
          startupApi.getMe().catch((error) => log.warn({ error }, "Telegram heartbeat failed"));
        }, 60_000)
      : undefined;
  closers.push({
    name: "timers",
    close: () => {
      clearInterval(reminders);
      clearInterval(retention);
      clearInterval(recovery);
      clearInterval(heartbeat);
    },
  });

  // Live reload: an edited knowledge file, SIGHUP or an admin's /reload swap
  // the knowledge base in if it is valid; the supervisors hear either way.
  const tellSupervisors = async (result: ReloadResult) => {
    const parts = fitMessage({
      kind: "text",
      text: describeReload(result),
      options: { parse_mode: "HTML" },
    });
    try {
      for (const member of await handoff.staff.list()) {
        // Supervisors in Telegram; one with only a web login reads it there.
        if (member.role !== "supervisor" || member.telegramUserId === null) continue;
        for (const message of parts)
          await handoff.outbox.enqueue({ chatId: member.telegramUserId, message });
      }
    } catch (error) {
      if (!handoff.storage.observe(error)) log.error({ error }, "telling supervisors failed");
    }
    worker?.wake();
  };
  // Every process watches its knowledge folder; of those reloading the same
  // change, one tells the supervisors: the notice is claimed by what it says
  // and the knowledge base it loaded, so another change is told again.
  knowledge.watch(async (result) => {
    // What it says, without how long it took (each process took its own time).
    const said = result.ok
      ? JSON.stringify([result.intents, result.previousIntents, knowledge.current().kb])
      : JSON.stringify(result.issues);
    const digest = createHash("sha256").update(said).digest("hex");
    try {
      const notice = `knowledge-reload:${digest.slice(0, 32)}`;
      if (!(await periodic.claim(notice, RELOAD_NOTICE_MS, instance))) return;
    } catch (error) {
      if (!handoff.storage.observe(error)) log.error({ error }, "telling supervisors failed");
      return;
    }
    await tellSupervisors(result);
  });
  // Another process reloaded (a supervisor's /reload, SIGHUP): this one too.
  const unsubscribe = wakeUps.subscribe(RELOAD_SIGNAL, (from) => {
    if (from === instance) return;
    void knowledge
      .reload()
      .then((result) =>
        log.info({ from, ok: result.ok }, "knowledge reloaded at another process's word"),
      );
  });
  closers.push({ name: "reload signal", close: () => unsubscribe() });
  const onHangUp = () => {
    void knowledge.reload().then((result) => {
      void wakeUps.publish(RELOAD_SIGNAL, instance).catch(() => {});
      return tellSupervisors(result);
    });
  };
  process.on("SIGHUP", onHangUp);
  closers.push({ name: "SIGHUP", close: () => void process.off("SIGHUP", onHangUp) });

  if (webhook && config.webhook) {
    const { url, secret, port } = config.webhook;
    webhook.accept(async (update) => {
      await bot.handleUpdate(update).catch((error) => bot.errorHandler(error));
      // Abandoned at shutdown: not 2xx, so Telegram delivers it again after the restart.
      if (abandon.aborted) throw new Error("abandoned at shutdown");
    });
    closers.push({ name: "updates in hand", close: () => webhook.stop() });
    const set = await callUntilAnswered(
      "setWebhook",
      (s) =>
        startupApi.setWebhook(`${url.replace(/\/+$/, "")}/telegram`, { secret_token: secret }, s),
      log,
      setWebhookAdvice,
      retry,
    );
    if (!set.ok)
      return set.kind === "stopped" ? { ok: false } : { ok: false, message: set.message };
    log.info({ port, url }, "webhook mode");
  } else {
    const deleted = await callUntilAnswered(
      "deleteWebhook",
      (s) => startupApi.deleteWebhook({}, s),
      log,
      deleteWebhookAdvice,
      retry,
    );
    if (!deleted.ok)
      return deleted.kind === "stopped" ? { ok: false } : { ok: false, message: deleted.message };
    if (stopping.aborted) return { ok: false };
    const poll = () =>
      startPolling(bot, handoff.store, log, { allowedUpdates: ["message", "callback_query"] });
    if (config.database.engine === "sqlite") {
      const polling = await poll();
      closers.push({ name: "updates in hand", close: () => polling.stop() });
      log.info({ bot: me.value.username }, "long polling");
    } else {
      // Telegram answers a second poller with 409: of the processes sharing
      // the database, the one holding the poller lock polls; the others stand
      // by and one takes over within seconds when the poller dies.
      let polling: Polling | undefined;
      let turn: Promise<void> = Promise.resolve();
      const step = (work: () => Promise<void>) => {
        turn = turn
          .then(work)
          .catch((error) => log.error({ error }, "switching the poller failed"));
      };
      const leadership = leadWith(config.database.url, POLLER_LOCK, {
        onLead: () =>
          step(async () => {
            if (stopping.aborted) return;
            polling = await poll();
            log.info(
              { bot: me.value.username },
              "long polling: this process holds the poller lock",
            );
          }),
        onFollow: () =>
          step(async () => {
            const stopped = polling;
            polling = undefined;
            await stopped?.stop();
            log.warn("no longer the poller (its database session broke): standing by");
          }),
        onBroken: (error) => log.warn({ error: error.message }, "the poller lock's session broke"),
      });
      closers.push({
        name: "updates in hand",
        close: async () => {
          await leadership.stop();
          await turn;
          await polling?.stop();
        },
      });
      log.info(
        { bot: me.value.username },
        "long polling from one process at a time: polling while this one holds the poller lock, standing by otherwise",
      );
    }
  }
  return { ok: true };
}

/**
 * Undoes the start-up, newest step first: stop taking updates and finish
 * those in hand, flush the outbox, then close the servers and the database.
 * At the deadline every Bot API call in flight is abandoned; a step still
 * busy after that is given up (logged). False when one was.
 */
async function closeAll(
  closers: Closer[],
  log: Logger,
  abandon: AbortController,
): Promise<boolean> {
  const deadline = setTimeout(() => {
    log.error(
      { afterMs: SHUTDOWN_DEADLINE_MS },
      "stopping took too long: abandoning the Bot API calls in flight (their updates are handled again after the restart)",
    );
    abandon.abort();
  }, SHUTDOWN_DEADLINE_MS);
  let clean = true;
  for (const closer of closers.reverse()) {
    try {
      log.debug({ step: closer.name }, "stopping: step");
      const closing = Promise.resolve(closer.close());
      if (!(await finishes(closing, abandon.signal))) {
        log.error({ step: closer.name }, "stopping: gave up waiting for this step");
        clean = false;
      }
    } catch (error) {
      log.error({ error, step: closer.name }, "stopping: this step failed");
      clean = false;
    }
  }
  clearTimeout(deadline);
  return clean;
}

/** Whether `work` settles, given until ABANDON_GRACE_MS after `abandoned` aborts. */
async function finishes(work: Promise<void>, abandoned: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let giveUp = () => {};
  const late = new Promise<false>((resolve) => {
    giveUp = () => {
      timer = setTimeout(() => resolve(false), ABANDON_GRACE_MS);
    };
    if (abandoned.aborted) giveUp();
    else abandoned.addEventListener("abort", giveUp, { once: true });
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
    // One listener a step otherwise: past ten steps Node warns of a leak on stderr.
    abandoned.removeEventListener("abort", giveUp);
  }
}

/** Makes the configured Telegram users operators (or supervisors), keeping names set with `npm run admin`. */
async function seedOperators(
  staff: Staff,
  operatorIds: readonly number[],
  supervisorIds: readonly number[],
) {
  const wanted = new Map<number, "operator" | "supervisor">();
  for (const id of operatorIds) wanted.set(id, "operator");
  for (const id of supervisorIds) wanted.set(id, "supervisor");
  for (const [telegramUserId, role] of wanted) {
    const current = await staff.byTelegram(telegramUserId);
    if (current && current.removedAt === null && current.role === role) continue;
    const name = current?.name ?? defaultOperatorName(telegramUserId);
    await staff.add({ telegramUserId, name, role });
  }
}

process.exitCode = await main();
// Whatever is still pending (a watcher, a socket) must not keep a stopped bot alive.
setTimeout(() => process.exit(), ABANDON_GRACE_MS).unref();
