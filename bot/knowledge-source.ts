import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Logger } from "pino";
import {
  createMatcher,
  escapeHtml,
  formatIssue,
  type KnowledgeBase,
  type KnowledgeIssue,
  loadInThread,
  loadKnowledgeBase,
  type Matcher,
  type ThreadLoadResult,
} from "../knowledge/index.ts";

/** The knowledge base the bot answers from, and its matcher. */
export interface Knowledge {
  kb: KnowledgeBase;
  matcher: Matcher;
}

export type ReloadResult =
  | { ok: true; intents: number; previousIntents: number; ms: number }
  | { ok: false; issues: readonly KnowledgeIssue[] };

/**
 * The knowledge folder, loaded, and reloaded while the bot runs. A reload
 * that fails validation changes nothing: the previous knowledge base keeps
 * serving. Updates read `current()` once each, so one update never mixes two
 * versions.
 */
export interface KnowledgeSource {
  current(): Knowledge;
  /**
   * Loads the folder again and builds its matcher in a worker thread, so
   * that questions are answered meanwhile from the current one; swaps the
   * knowledge base and its matcher in whole, only if it is valid and built.
   * A reload asked for while one runs runs once after it.
   */
  reload(): Promise<ReloadResult>;
  /**
   * Reloads when a file in the folder changes (after a quiet `debounceMs`,
   * since editors write in several steps); `onReload` hears every result.
   * Follows the path, not the folder first found there: a folder replaced
   * by another (`mv fresh intents`) is watched from then on.
   */
  watch(onReload: (result: ReloadResult) => void, debounceMs?: number): void;
  /** Stops watching. */
  close(): void;
}

export interface KnowledgeSourceOptions {
  /**
   * Loads the folder and builds its matcher for a reload. Defaults to
   * `loadInThread` (a worker thread).
   */
  load?: (folder: string) => Promise<ThreadLoadResult>;
}

/**
 * Loads `folder` (here: nothing is answered yet); the issues instead if it
 * is invalid (the bot does not start on a broken knowledge base). Reloads
 * build in a worker thread.
 *
 * @example const opened = openKnowledgeSource("./intents", log); if (opened.ok) opened.source.current()
 */
export function openKnowledgeSource(
  folder: string,
  log?: Logger,
  options: KnowledgeSourceOptions = {},
): { ok: true; source: KnowledgeSource } | { ok: false; issues: KnowledgeIssue[] } {
  const { load = loadInThread } = options;
  const first = loadKnowledgeBase(folder);
  if (!first.ok) return first;
  let knowledge: Knowledge = { kb: first.kb, matcher: createMatcher(first.kb) };
  let folderWatcher: FSWatcher | undefined;
  let parentWatcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  const reloadOnce = async (): Promise<ReloadResult> => {
    const started = performance.now();
    let next: ThreadLoadResult;
    try {
      next = await load(folder);
    } catch (error) {
      // A bug or no memory left, not the content: told once, here and to
      // whoever asked; the current matcher keeps answering.
      log?.error({ error }, "knowledge reload failed: the matcher could not be built");
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        issues: [
          {
            code: "build_failed",
            file: folder,
            field: "",
            message: `the matcher could not be built (${message}); the bot answers from the previous version, see the log`,
          },
        ],
      };
    }
    if (!next.ok) {
      log?.warn({ issues: next.issues.map(formatIssue) }, "knowledge reload refused");
      return { ok: false, issues: next.issues };
    }
    const previousIntents = knowledge.kb.intents.length;
    knowledge = { kb: next.kb, matcher: next.matcher };
    const ms = Math.round(performance.now() - started);
    log?.info(
      {
        intents: knowledge.kb.intents.length,
        ms,
        buildMs: Math.round(next.buildMs),
        openMs: Math.round(next.openMs),
      },
      "knowledge reloaded",
    );
    return { ok: true, intents: knowledge.kb.intents.length, previousIntents, ms };
  };

  // One reload at a time; those asked for meanwhile share the one after it
  // (it reads the folder as it is by then).
  let running: Promise<ReloadResult> | undefined;
  let queued: Promise<ReloadResult> | undefined;
  const reload = (): Promise<ReloadResult> => {
    if (!running) {
      running = reloadOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = undefined;
      return reload();
    });
    return queued;
  };

  const source: KnowledgeSource = {
    current: () => knowledge,
    reload,
    watch: (onReload, debounceMs = 500) => {
      if (parentWatcher) return;
      const changed = () => {
        clearTimeout(timer);
        timer = setTimeout(() => void reload().then(onReload), debounceMs);
      };
      // A watch holds the folder it opened, wherever it is moved: open the
      // one at the path again whenever the path's entry changes.
      const follow = () => {
        folderWatcher?.close();
        folderWatcher = undefined;
        try {
          folderWatcher = watch(folder, changed);
        } catch (error) {
          // Gone for now (moved away before the new one arrives): the parent hears it come.
          log?.warn({ error, folder }, "knowledge folder not there to watch");
          return;
        }
        folderWatcher.on("error", (error) => log?.warn({ error }, "knowledge folder watch ended"));
      };
      const path = resolve(folder);
      follow();
      parentWatcher = watch(dirname(path), (_event, name) => {
        if (name !== null && name !== basename(path)) return;
        follow();
        changed();
      });
      parentWatcher.on("error", (error) => log?.error({ error }, "knowledge folder watch failed"));
    },
    close: () => {
      clearTimeout(timer);
      folderWatcher?.close();
      parentWatcher?.close();
      folderWatcher = undefined;
      parentWatcher = undefined;
    },
  };
  return { ok: true, source };
}

/** A reload's outcome for the admins, in Telegram HTML (file and field of each error). */
export function describeReload(result: ReloadResult): string {
  if (result.ok) {
    return `✅ База знаний обновлена: ${result.intents} интентов (было ${result.previousIntents}), ${result.ms} мс.`;
  }
  const shown = result.issues.slice(0, 15).map((issue) => `• ${escapeHtml(formatIssue(issue))}`);
  const more =
    result.issues.length > shown.length ? [`… и ещё ${result.issues.length - shown.length}`] : [];
  return [
    `⚠️ Изменение базы знаний не принято (ошибок: ${result.issues.length}); бот отвечает по прежней версии.`,
    ...shown,
    ...more,
    "Исправьте и сохраните файл ещё раз; проверка: npm run kb -- check",
  ].join("\n");
}
