// npm run console: the web console for operators and supervisors, a second
// composition root beside the bot (it never imports bot/). It serves the
// same desk on the same database; what it says to citizens waits in the
// desk's effects for a bot process to send to Telegram.
import { existsSync, type FSWatcher, watch } from "node:fs";
import { fileURLToPath } from "node:url";
import pino from "pino";
import {
  createLocalSignals,
  EFFECTS_SIGNAL,
  INCIDENTS_SIGNAL,
  openHandoff,
  recordingChannel,
  type Signals,
} from "../../handoff/index.ts";
import { createPostgresSignals, type PostgresDatabase } from "../../handoff/postgres/index.ts";
import { openStorage, shownUrl } from "../../handoff/storage/index.ts";
import {
  createMatcher,
  DEFAULT_KNOWLEDGE_FOLDER,
  formatIssue,
  type KnowledgeBase,
  loadKnowledgeBase,
  type Matcher,
  readLabelled,
} from "../../knowledge/index.ts";
import { ConsoleConfigError, consoleConfigOf } from "./config.ts";
import { createLiveFeed } from "./live.ts";
import { createConsoleServer } from "./server.ts";
import { createTelegramFiles } from "./telegram-files.ts";

/** Starts the console; resolves with a stop function once it listens. */
export async function startConsole(env: NodeJS.ProcessEnv = process.env) {
  const config = consoleConfigOf(env);
  const log = pino({ name: "console", level: env.LOG_LEVEL ?? "info" });
  const folder = config.knowledgeDir ?? DEFAULT_KNOWLEDGE_FOLDER;
  const loaded = loadKnowledgeBase(folder);
  if (!loaded.ok) {
    throw new ConsoleConfigError(
      `the knowledge base in ${folder} has errors: ${loaded.issues.map(formatIssue).join("; ")}`,
    );
  }
  // The matcher for the test pane and the desk's typed /kb: built when
  // first asked for, not at start-up; again after a publication.
  const knowledgeOf = (kb: KnowledgeBase) => {
    let matcher: Matcher | undefined;
    return {
      kb,
      get matcher() {
        matcher ??= createMatcher(kb);
        return matcher;
      },
    };
  };
  let knowledge = knowledgeOf(loaded.kb);
  const reloadKnowledge = () => {
    const again = loadKnowledgeBase(folder);
    if (again.ok) knowledge = knowledgeOf(again.kb);
    else
      log.error(
        { issues: again.issues.map(formatIssue) },
        "the published knowledge base does not load",
      );
  };
  // Another process may publish to the shared folder: read it again on a change.
  let settle: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(folder, () => {
      clearTimeout(settle);
      settle = setTimeout(reloadKnowledge, 500);
    });
    watcher.on("error", (error) =>
      log.warn({ error: error.message }, "the knowledge folder is not watched"),
    );
  } catch (error) {
    log.warn({ error: (error as Error).message }, "the knowledge folder is not watched");
  }
  const devSetFile = config.devSet;
  const devSet = () => (devSetFile && existsSync(devSetFile) ? readLabelled(devSetFile) : []);
  const db = await openStorage(config.database);
  const signals: Signals =
    config.database.engine === "postgres"
      ? createPostgresSignals(db as PostgresDatabase, config.database.url, {
          onBroken: (error) => log.warn({ error: error.message }, "the signal session broke"),
        })
      : createLocalSignals();
  let wakeFeed = () => {};
  const handoff = openHandoff(db, {
    via: "web",
    knowledge: () => knowledge,
    channel: recordingChannel(),
    log,
    onEnqueued: () => {
      // A bot process renders it for Telegram; this console's pages hear at once.
      void signals.publish(EFFECTS_SIGNAL).catch(() => {});
      wakeFeed();
    },
  });
  const feed = createLiveFeed(() => handoff.repositories(db).effects, {
    onError: (error) => {
      if (!handoff.storage.observe(error)) log.error({ error }, "the live feed failed to read");
    },
  });
  wakeFeed = () => void feed.wake();
  const unsubscribe = signals.subscribe(EFFECTS_SIGNAL, wakeFeed);
  await feed.start();
  const app = await createConsoleServer({
    handoff,
    knowledge: () => knowledge,
    feed,
    publicUrl: config.publicUrl,
    alsoOrigins: config.alsoOrigins,
    secureCookies: config.secureCookies,
    idleMs: config.idleMs,
    ...(config.botToken
      ? {
          files: createTelegramFiles({
            token: config.botToken,
            ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}),
          }),
        }
      : {}),
    log,
    trustProxy: config.trustProxy,
    knowledgeFolder: folder,
    reloadKnowledge,
    devSet,
    // Every bot process on PostgreSQL hears it at once; on SQLite the bot
    // is another process no local signal reaches, and its poll finds it.
    onIncidentsChanged: () => void signals.publish(INCIDENTS_SIGNAL).catch(() => {}),
  });
  const address = await app.listen({ host: config.host, port: config.port });
  log.info(
    {
      address,
      publicUrl: config.publicUrl,
      database:
        config.database.engine === "postgres"
          ? shownUrl(config.database.url)
          : config.database.path,
    },
    "console listening",
  );
  return {
    address,
    publicUrl: config.publicUrl,
    stop: async () => {
      watcher?.close();
      clearTimeout(settle);
      unsubscribe();
      await app.close();
      await feed.stop();
      await signals.close();
      await handoff.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const running = await startConsole();
    console.log(`The console is at ${running.publicUrl} (${running.address})`);
    const stop = () => {
      void running.stop().then(() => process.exit(0));
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  } catch (error) {
    console.error(`Cannot start the console: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
