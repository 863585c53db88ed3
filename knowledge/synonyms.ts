import { normalizeText, splitWords } from "./normalize.ts";
import { lemmasOf, stemWord } from "./stem.ts";

/**
 * Rewrites words and phrases to the word they mean, longest phrase first,
 * whole words only.
 */
export interface SynonymMap {
  apply(words: readonly string[]): string[];
  /** Every word of the phrases it rewrites, as written. */
  words: ReadonlySet<string>;
}

interface PhraseEntry {
  from: readonly string[];
  to: readonly string[];
}

// Single words this long also match the other forms of the word:
// "германия" covers "германии" and "германию". Forms of a dictionary word
// are joined by lemma; a stem joins only a word the dictionary lacks, since
// stems join words that merely share letters ("грузия" and "грузится").
const STEM_MATCH_LENGTH = 5;

/**
 * Builds a synonym map from `phrase → replacement` pairs as written in
 * `_synonyms.yaml`; both sides are normalised like a message. A single word
 * of five letters or more matches every form with its stem.
 *
 * @example createSynonymMap({ "гос услуги": "госуслуги" }).apply(["гос", "услуги"]) // ["госуслуги"]
 */
export function createSynonymMap(pairs: Readonly<Record<string, string>>): SynonymMap {
  const byFirstWord = new Map<string, PhraseEntry[]>();
  const byStem = new Map<string, { to: readonly string[]; real: boolean }>();
  const byLemma = new Map<string, readonly string[]>();
  const words = new Set<string>();
  for (const [from, to] of Object.entries(pairs)) {
    const fromWords = splitWords(normalizeText(from));
    for (const word of fromWords) words.add(word);
    const first = fromWords[0];
    if (first === undefined) continue;
    const entry = { from: fromWords, to: splitWords(normalizeText(to)) };
    if (fromWords.length === 1 && first.length >= STEM_MATCH_LENGTH) {
      // A word written in its dictionary form stands for that word only
      // ("германия" the country, not a form of "германий"); another form
      // for its likeliest reading ("почту": почта, not почтить).
      const all = lemmasOf(first);
      const lemmas = all.includes(first) ? [first] : all.slice(0, 1);
      for (const lemma of lemmas) if (!byLemma.has(lemma)) byLemma.set(lemma, entry.to);
      byStem.set(stemWord(first), { to: entry.to, real: lemmas.length > 0 });
    }
    const list = byFirstWord.get(first) ?? [];
    list.push(entry);
    list.sort((a, b) => b.from.length - a.from.length);
    byFirstWord.set(first, list);
  }

  const formOf = (word: string): readonly string[] | undefined => {
    if (word.length < STEM_MATCH_LENGTH) return undefined;
    const lemmas = lemmasOf(word);
    for (const lemma of lemmas) {
      const found = byLemma.get(lemma);
      if (found) return found;
    }
    const byForm = byStem.get(stemWord(word));
    return byForm && (!byForm.real || lemmas.length === 0) ? byForm.to : undefined;
  };

  return {
    words,
    apply(words) {
      const out: string[] = [];
      let i = 0;
      while (i < words.length) {
        const word = words[i] as string;
        const entry = byFirstWord
          .get(word)
          ?.find((candidate) => candidate.from.every((w, k) => words[i + k] === w));
        if (entry) {
          out.push(...entry.to);
          i += entry.from.length;
          continue;
        }
        out.push(...(formOf(word) ?? [word]));
        i++;
      }
      return out;
    },
  };
}
