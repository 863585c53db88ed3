import {
  createMatcher,
  DEFAULT_KNOWLEDGE_FOLDER,
  type KnowledgeBase,
  loadKnowledgeBase,
  type Matcher,
  readKnowledgeFolder,
} from "../knowledge/index.ts";

/** The repository's own knowledge folder. */
export const INTENTS_DIR = DEFAULT_KNOWLEDGE_FOLDER;

let cached: KnowledgeBase | undefined;

/** The real knowledge base, loaded once per test worker. */
export function realKnowledgeBase(): KnowledgeBase {
  if (!cached) {
    const result = loadKnowledgeBase(INTENTS_DIR);
    if (!result.ok) throw new Error(result.issues.map((i) => i.message).join("\n"));
    cached = result.kb;
  }
  return cached;
}

let matcher: Matcher | undefined;

/**
 * A matcher for the real knowledge base, built once per test worker (which
 * runs file after file: vitest.config.ts, isolate): building one costs a
 * second or more of CPU, and a matcher keeps no state between questions, so
 * tests can share it.
 */
export function realMatcher(): Matcher {
  matcher ??= createMatcher(realKnowledgeBase());
  return matcher;
}

/** The real knowledge folder's files, to break one of them in a test. */
export function realFiles() {
  return readKnowledgeFolder(INTENTS_DIR);
}
