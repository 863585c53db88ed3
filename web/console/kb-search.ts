import Fuse from "fuse.js";
import type { KnowledgeBase } from "../../knowledge/index.ts";
import type { Language } from "../../knowledge/stem.ts";

/** A knowledge-base answer an operator may insert, as the search found it. */
export interface KbHit {
  intent: string;
  title: string;
  /** 0 (exact) to 1 (barely): fuse.js's score. */
  score: number;
}

interface Entry {
  intent: string;
  title: string;
  examples: readonly string[];
}

/**
 * Searches the knowledge base's answers by title and examples in one
 * language, typos forgiven (fuse.js: approximate matching anywhere in the
 * text, the title weighing most). Built once per knowledge base and
 * language, so a reload brings a new index.
 *
 * @example createKbSearch(kb)("ru", "пароль", 5)
 */
export function createKbSearch(kb: KnowledgeBase) {
  const indexes = new Map<Language, Fuse<Entry>>();
  const indexOf = (language: Language) => {
    let index = indexes.get(language);
    if (!index) {
      const entries = kb.intents
        .filter((intent) => !intent.id.startsWith("smalltalk."))
        .map((intent) => ({
          intent: intent.id,
          title: intent.title[language],
          examples: intent.examples[language],
        }));
      index = new Fuse(entries, {
        keys: [
          { name: "title", weight: 3 },
          { name: "examples", weight: 1 },
        ],
        includeScore: true,
        ignoreLocation: true,
        threshold: 0.4,
        minMatchCharLength: 2,
      });
      indexes.set(language, index);
    }
    return index;
  };
  return (language: Language, query: string, limit = 8): KbHit[] => {
    const text = query.trim().slice(0, 200);
    if (text.length < 2) return [];
    return indexOf(language)
      .search(text, { limit })
      .map((hit) => ({ intent: hit.item.intent, title: hit.item.title, score: hit.score ?? 1 }));
  };
}
