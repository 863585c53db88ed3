// Runs in a worker thread (build-thread.ts starts it): loads the knowledge
// folder, builds the matcher's index and hands both to the thread that
// asked, the index's typed arrays moved, not copied.
import { parentPort, workerData } from "node:worker_threads";
import { packIntents, type ThreadMessage } from "./build-thread.ts";
import { loadKnowledgeBase } from "./load.ts";
import { buildMatcherIndex, matcherTransferables } from "./matcher.ts";

const { folder } = workerData as { folder: string };
const loaded = loadKnowledgeBase(folder);
if (!loaded.ok) {
  parentPort?.postMessage({ ok: false, issues: loaded.issues } satisfies ThreadMessage);
} else {
  const started = performance.now();
  const index = buildMatcherIndex(loaded.kb);
  const { intents, synonyms, outOfScope, directory } = loaded.kb;
  const message: ThreadMessage = {
    ok: true,
    kb: { ...packIntents(intents), synonyms, outOfScope, directoryFile: directory.file },
    index,
    buildMs: performance.now() - started,
  };
  parentPort?.postMessage(message, [
    ...matcherTransferables(index),
    message.kb.examples.counts.buffer as ArrayBuffer,
    message.kb.examples.lengths.ru.buffer as ArrayBuffer,
    message.kb.examples.lengths.en.buffer as ArrayBuffer,
  ]);
}
