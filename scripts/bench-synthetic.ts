// A synthetic knowledge base at the portal's size, built from the real
// examples' words, for `npm run bench`: the same base on every run.
import type { Intent, KnowledgeBase } from "../knowledge/index.ts";
import { normalizeText, splitWords } from "../knowledge/normalize.ts";

// A deterministic pseudo-random generator, so every run builds the same base.
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return state / 4294967296;
  };
}

/**
 * A knowledge base of `count` intents built from the real examples' words:
 * each intent has six words of its own and draws the rest from all words,
 * 30 Russian and 8 English examples of 3 to 7 words; `queries` holds one
 * more Russian sentence of each intent's.
 *
 * @example const { kb, queries } = syntheticKnowledgeBase(real, 5000) // 190,000 examples
 */
export function syntheticKnowledgeBase(real: KnowledgeBase, count: number) {
  const rand = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const vocabulary = (language: "ru" | "en") => [
    ...new Set(
      real.intents.flatMap((i) =>
        i.examples[language].flatMap((e) => splitWords(normalizeText(e))),
      ),
    ),
  ];
  const words = { ru: vocabulary("ru"), en: vocabulary("en") };
  const sentence = (own: readonly string[], language: "ru" | "en") =>
    Array.from({ length: 3 + Math.floor(rand() * 5) }, (_, k) =>
      k % 2 === 0 ? pick(own) : pick(words[language]),
    ).join(" ");
  const template = real.intents[0] as Intent;
  const queries: string[] = [];
  const intents: Intent[] = Array.from({ length: count }, (_, n) => {
    const own = {
      ru: Array.from({ length: 6 }, () => pick(words.ru)),
      en: Array.from({ length: 6 }, () => pick(words.en)),
    };
    queries.push(sentence(own.ru, "ru"));
    return {
      ...template,
      id: `synthetic.intent_${n}`,
      file: `synthetic.intent_${n}.yaml`,
      followUp: [],
      examples: {
        ru: Array.from({ length: 30 }, () => sentence(own.ru, "ru")),
        en: Array.from({ length: 8 }, () => sentence(own.en, "en")),
      },
    };
  });
  const kb: KnowledgeBase = { ...real, intents, byId: new Map(intents.map((i) => [i.id, i])) };
  return { kb, queries };
}
