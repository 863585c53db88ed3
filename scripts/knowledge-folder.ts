import {
  DEFAULT_KNOWLEDGE_FOLDER,
  formatIssue,
  type KnowledgeBase,
  loadKnowledgeBase,
} from "../knowledge/index.ts";

/** The knowledge folder: KNOWLEDGE_DIR, else the repository's `intents/`. */
export function knowledgeFolder(env: NodeJS.ProcessEnv = process.env): string {
  return env.KNOWLEDGE_DIR ?? DEFAULT_KNOWLEDGE_FOLDER;
}

/**
 * Loads the knowledge base for a command-line tool; on errors prints every
 * issue to stderr and exits with code 1.
 */
export function loadKnowledgeOrExit(folder = knowledgeFolder()): KnowledgeBase {
  const result = loadKnowledgeBase(folder);
  if (!result.ok) {
    process.stderr.write(
      `The knowledge base in ${folder} has ${result.issues.length} error(s):\n${result.issues
        .map((issue) => `  ${formatIssue(issue)}`)
        .join("\n")}\n`,
    );
    process.exit(1);
  }
  return result.kb;
}
