import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Logger } from "pino";
import {
  createMatcher,
  escapeHtml,
  formatIssue,
  type KnowledgeBase,
  type KnowledgeIssue,
  loadKnowledgeBase,
  type Matcher,
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
  /** Loads the folder again; swaps the knowledge base in only if it is valid. */
  reload(): ReloadResult;
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

/**
 * Loads `folder`; the issues instead if it is invalid (the bot does not start
 * on a broken knowledge base).
 *
 * @example const opened = openKnowledgeSource("./intents", log); if (opened.ok) opened.source.current()
 */
export function openKnowledgeSource(
  folder: string,
  log?: Logger,
): { ok: true; source: KnowledgeSource } | { ok: false; issues: KnowledgeIssue[] } {
  const build = ():
    | { ok: true; knowledge: Knowledge }
    | { ok: false; issues: KnowledgeIssue[] } => {
    const loaded = loadKnowledgeBase(folder);
    if (!loaded.ok) return loaded;
    return { ok: true, knowledge: { kb: loaded.kb, matcher: createMatcher(loaded.kb) } };
  };
  const first = build();
  if (!first.ok) return first;
  let knowledge = first.knowledge;
  let folderWatcher: FSWatcher | undefined;
  let parentWatcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  const reload = (): ReloadResult => {
    const started = performance.now();
    const next = build();
    if (!next.ok) {
      log?.warn({ issues: next.issues.map(formatIssue) }, "knowledge reload refused");
      return { ok: false, issues: next.issues };
    }
    const previousIntents = knowledge.kb.intents.length;
    knowledge = next.knowledge;
    const ms = Math.round(performance.now() - started);
    log?.info({ intents: knowledge.kb.intents.length, ms }, "knowledge reloaded");
    return { ok: true, intents: knowledge.kb.intents.length, previousIntents, ms };
  };

  const source: KnowledgeSource = {
    current: () => knowledge,
    reload,
    watch: (onReload, debounceMs = 500) => {
      if (parentWatcher) return;
      const changed = () => {
        clearTimeout(timer);
        timer = setTimeout(() => onReload(reload()), debounceMs);
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
