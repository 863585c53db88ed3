import type { AnalyzedToken } from "./analyzer.ts";

/** A sparse vector: feature → weight. */
export type SparseVector = Map<string, number>;

/** Word-level features: one per distinct stem. */
export function wordFeatures(tokens: readonly AnalyzedToken[]): Set<string> {
  const out = new Set<string>();
  for (const token of tokens) out.add(token.stem);
  return out;
}

const GRAM_SIZES = [3, 4] as const;

// A token's n-grams, made once: a long message is scored as a whole and
// sentence by sentence over the same token objects.
const gramsOf = new WeakMap<AnalyzedToken, string[]>();

function tokenGrams(token: AnalyzedToken): string[] {
  let grams = gramsOf.get(token);
  if (!grams) {
    grams = wordGrams(token.corrected);
    gramsOf.set(token, grams);
  }
  return grams;
}

/** A word's character n-grams, boundaries marked, in the order `charFeatures` adds them. */
export function wordGrams(word: string): string[] {
  const grams: string[] = [];
  const padded = `_${word}_`;
  for (const size of GRAM_SIZES) {
    for (let i = 0; i + size <= padded.length; i++) grams.push(padded.slice(i, i + size));
  }
  return grams;
}

/**
 * Character n-grams (3 and 4) of each word with its boundaries marked, so that
 * "заявка" and "заявок" share "_зая", "заяв" and typos keep most of a word.
 *
 * @example charFeatures([{ corrected: "смс", ... }]) // Set {"_см", "смс", "мс_", "_смс", "смс_"}
 */
export function charFeatures(tokens: readonly AnalyzedToken[]): Set<string> {
  const out = new Set<string>();
  for (const token of tokens) for (const gram of tokenGrams(token)) out.add(gram);
  return out;
}
