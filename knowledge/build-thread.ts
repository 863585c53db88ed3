import { Worker } from "node:worker_threads";
import { createDirectory } from "./directory.ts";
import type { KnowledgeIssue } from "./errors.ts";
import { type Matcher, type MatcherIndex, type MatcherOptions, openMatcher } from "./matcher.ts";
import type { KnowledgeBase } from "./model.ts";
import type { DirectoryFile } from "./schema.ts";

/** What the build thread sends back: the knowledge base as plain data and the matcher's index. */
export type ThreadMessage =
  | {
      ok: true;
      kb: Omit<KnowledgeBase, "byId" | "directory"> & { directoryFile: DirectoryFile };
      index: MatcherIndex;
      buildMs: number;
    }
  | { ok: false; issues: KnowledgeIssue[] };

export type ThreadLoadResult =
  | {
      ok: true;
      kb: KnowledgeBase;
      matcher: Matcher;
      /** How long the thread took to build the index, and this thread to open it. */
      buildMs: number;
      openMs: number;
    }
  | { ok: false; issues: KnowledgeIssue[] };

const ENTRY = new URL("./build-thread-entry.mjs", import.meta.url);

/**
 * Loads a knowledge folder and builds its matcher in a worker thread, so
 * that this thread keeps answering meanwhile; here only the look-up tables
 * of the vocabulary and the features are made (`openMatcher`). The issues
 * when the folder is invalid; rejects when the thread fails (a bug, out of
 * memory), with the thread's error.
 *
 * @example const loaded = await loadInThread("./intents"); if (loaded.ok) loaded.matcher.match("пароль")
 */
export function loadInThread(
  folder: string,
  options: MatcherOptions = {},
): Promise<ThreadLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { folder } });
    let settled = false;
    const settle = (outcome: () => ThreadLoadResult | Error) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      let result: ThreadLoadResult | Error;
      try {
        result = outcome();
      } catch (error) {
        result = error instanceof Error ? error : new Error(String(error));
      }
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    worker.once("message", (message: ThreadMessage) =>
      settle(() => {
        if (!message.ok) return message;
        const started = performance.now();
        const { directoryFile, ...rest } = message.kb;
        const kb: KnowledgeBase = {
          ...rest,
          byId: new Map(rest.intents.map((intent) => [intent.id, intent])),
          directory: createDirectory(directoryFile),
        };
        const matcher = openMatcher(kb, message.index, options);
        return {
          ok: true,
          kb,
          matcher,
          buildMs: message.buildMs,
          openMs: performance.now() - started,
        };
      }),
    );
    worker.once("error", (error) => settle(() => error));
    worker.once("exit", (code) =>
      settle(
        () =>
          new Error(`the knowledge build thread stopped (exit code ${code}) before it answered`),
      ),
    );
  });
}
