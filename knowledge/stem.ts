import { createRequire } from "node:module";
import { dictionaryLemma, dictionaryLemmas } from "./lemma.ts";

// The Snowball stemmers of nlp.js (MIT; @nlpjs/core's BaseStemmer and the two
// language files, no other dependencies), required file by file: the
// packages' roots load their tokenizers, stop words and sentiment lexicons.
const require = createRequire(import.meta.url);

interface SnowballStemmer {
  setCurrent(word: string): void;
  innerStem(): unknown;
  getCurrent(): string;
}

type SnowballClass = new () => SnowballStemmer;

const RussianStemmer = require("@nlpjs/lang-ru/src/stemmer-ru") as SnowballClass;
const EnglishStemmer = require("@nlpjs/lang-en-min/src/stemmer-en") as SnowballClass;
const russianStemmer = new RussianStemmer();
const englishStemmer = new EnglishStemmer();

// Called through setCurrent/innerStem/getCurrent rather than stemWord, whose
// cache keeps every word it was ever given: ours below is bounded.
const snowball = (stemmer: SnowballStemmer, word: string): string => {
  stemmer.setCurrent(word);
  stemmer.innerStem();
  return stemmer.getCurrent();
};

export type Language = "ru" | "en";

const CYRILLIC = /[а-яё]/;
// Longer than any Russian or English word: a 4,000-character "word" is no
// word, and not worth the stemmer's time.
const LONGEST_WORD = 40;

// The stemmers take a few microseconds a word,
// and a knowledge base of thousands of intents says its words over and over:
// each word is stemmed once. Dropped whole when full, like the lemmas.
const stems = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/**
 * Reduces a lowercase word to its stem: the Russian Snowball stemmer for
 * Cyrillic words, the English Snowball (Porter2) stemmer for Latin ones. Abbreviations
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
      ? snowball(russianStemmer, word)
      : word
    : snowball(englishStemmer, word);
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
