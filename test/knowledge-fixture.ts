import {
  DEFAULT_KNOWLEDGE_FOLDER,
  type KnowledgeBase,
  loadKnowledgeBase,
  readKnowledgeFolder,
} from "../knowledge/index.ts";

/** The repository's own knowledge folder. */
export const INTENTS_DIR = DEFAULT_KNOWLEDGE_FOLDER;

let cached: KnowledgeBase | undefined;

/** The real knowledge base, loaded once per test file. */
export function realKnowledgeBase(): KnowledgeBase {
  if (!cached) {
    const result = loadKnowledgeBase(INTENTS_DIR);
    if (!result.ok) throw new Error(result.issues.map((i) => i.message).join("\n"));
    cached = result.kb;
  }
  return cached;
}

/** The real knowledge folder's files, to break one of them in a test. */
export function realFiles() {
  return readKnowledgeFolder(INTENTS_DIR);
}
