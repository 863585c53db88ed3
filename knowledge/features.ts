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

/**
 * Character n-grams (3 and 4) of each word with its boundaries marked, so that
 * "заявка" and "заявок" share "_зая", "заяв" and typos keep most of a word.
 *
 * @example charFeatures([{ corrected: "смс", ... }]) // Set {"_см", "смс", "мс_", "_смс", "смс_"}
 */
export function charFeatures(tokens: readonly AnalyzedToken[]): Set<string> {
  const out = new Set<string>();
  for (const token of tokens) {
    const padded = `_${token.corrected}_`;
    for (const size of GRAM_SIZES) {
      for (let i = 0; i + size <= padded.length; i++) out.add(padded.slice(i, i + size));
    }
  }
  return out;
}
