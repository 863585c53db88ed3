import { createRequire } from "node:module";
import { dictionaryLemma, dictionaryLemmas } from "./lemma.ts";

// natural's package root loads every module it has (seconds) and reads `.env`;
// the stemmer files alone load in milliseconds.
const require = createRequire(import.meta.url);

interface NaturalStemmer {
  stem(word: string): string;
}

const russianStemmer = require("natural/lib/natural/stemmers/porter_stemmer_ru") as NaturalStemmer;
const englishStemmer = require("natural/lib/natural/stemmers/porter_stemmer") as NaturalStemmer;

export type Language = "ru" | "en";

const CYRILLIC = /[а-яё]/;
// Longer than any Russian or English word; natural's stemmers take time
// quadratic in the length, 60 ms for a 4,000-character "word".
const LONGEST_WORD = 40;

// The stemmers are regular-expression cascades (a few microseconds a word),
// and a knowledge base of thousands of intents says its words over and over:
// each word is stemmed once. Dropped whole when full, like the lemmas.
const stems = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/**
 * Reduces a lowercase word to its stem: the Russian Snowball (Porter) stemmer
 * for Cyrillic words, the English Porter stemmer for Latin ones. Abbreviations
 * (all consonants, such as "инн", "снилс", "мфц") and words of three letters or
 * fewer are kept whole, since stemming them only makes collisions; so are
 * "words" longer than 40 characters, which no language has.
 *
 * @example stemWord("госуслугах") // "госуслуг"
 */
export function stemWord(word: string): string {
  if (word.length <= 3 || word.length > LONGEST_WORD || /\d/.test(word)) return word;
  const cached = stems.get(word);
  if (cached !== undefined) return cached;
  const stem = CYRILLIC.test(word)
    ? /[аеёиоуыэюя]/.test(word)
      ? russianStemmer.stem(word)
      : word
    : englishStemmer.stem(word);
  if (stems.size >= CACHE_LIMIT) stems.clear();
  stems.set(word, stem);
  return stem;
}

/**
 * The dictionary form of a Russian word the dictionary has ("заявок" →
 * "заявка", "грузится" → "грузиться"), for joining the forms of one word
 * where stems mislead; undefined for other words (misspelt, abbreviations,
 * Latin letters, three letters or fewer).
 */
export function lemmaOf(word: string): string | undefined {
  if (word.length <= 3 || word.length > LONGEST_WORD || !/^[а-я]+$/.test(word)) return undefined;
  if (!/[аеиоуыэюя]/.test(word)) return undefined;
  return dictionaryLemma(word);
}

/** Every dictionary form a word may be a form of, for the words `lemmaOf` reads. */
export function lemmasOf(word: string): readonly string[] {
  if (word.length <= 3 || word.length > LONGEST_WORD || !/^[а-я]+$/.test(word)) return [];
  if (!/[аеиоуыэюя]/.test(word)) return [];
  return dictionaryLemmas(word);
}
