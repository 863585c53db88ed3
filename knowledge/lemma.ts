import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// az (code MIT) ships the OpenCorpora morphological dictionary (CC BY-SA:
// attribution, see the README) inside its npm package: it works offline.
const require = createRequire(import.meta.url);

interface AzParse {
  parser: string;
  tag: { toString(): string };
  normalize(): { word: string };
}

type Parse = (word: string, config?: { stutter?: number; typos?: number }) => AzParse[];

interface Az {
  load(url: string, type: string, callback: (error: unknown, data?: unknown) => void): void;
  Morph: Parse & {
    init(path: string, callback: (error: unknown) => void): void;
  };
}

let morph: ((word: string) => AzParse[]) | undefined;

// The word as written: az's default repairs repeated letters ("лиини" would
// be "линии"), which would make a misspelling look like a real word.
const AS_WRITTEN = { stutter: 0, typos: 0 };

// az loads its dictionaries with callbacks; its files are read here at once
// instead, so the matcher, built synchronously, can use it. Its loader counts
// the files it waits for, so the reads run after it has asked for them all.
function loadMorph(): (word: string) => AzParse[] {
  if (morph) return morph;
  const az = require("az") as Az;
  const queue: (() => void)[] = [];
  az.load = (url, type, callback) => {
    queue.push(() => {
      const data = readFileSync(url);
      if (type === "json") callback(null, JSON.parse(data.toString("utf8")));
      else if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
        callback(null, data.buffer);
      } else callback(null, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    });
  };
  let failure: unknown;
  az.Morph.init(join(dirname(require.resolve("az/package.json")), "dicts"), (error) => {
    failure = error;
  });
  while (queue.length > 0) queue.shift()?.();
  if (failure) throw failure;
  const parse: Parse = az.Morph;
  morph = (word) => parse(word, AS_WRITTEN);
  return morph;
}

const lemmas = new Map<string, string | null>();
// Enough for every word of a large knowledge base and the messages of a day;
// the cache is dropped whole when full.
const CACHE_LIMIT = 200_000;

/**
 * The dictionary form of a lowercase Russian word when the dictionary has the
 * word itself ("заявок" → "заявка", "грузится" → "грузиться"), with ё written
 * е; undefined when the word is not in it (a misspelling, a new word, an
 * abbreviation: az guesses those, and its guesses are not used).
 */
export function dictionaryLemma(word: string): string | undefined {
  const cached = lemmas.get(word);
  if (cached !== undefined) return cached ?? undefined;
  const first = loadMorph()(word)[0];
  const lemma =
    first && first.parser === "Dictionary" ? first.normalize().word.replaceAll("ё", "е") : null;
  if (lemmas.size >= CACHE_LIMIT) lemmas.clear();
  lemmas.set(word, lemma);
  return lemma ?? undefined;
}

const allLemmas = new Map<string, readonly string[]>();

/**
 * Every dictionary form the word may be a form of, as a common word or as a
 * name ("грузии" → грузия, грузить), with ё written е; empty when the
 * dictionary lacks it.
 */
export function dictionaryLemmas(word: string): readonly string[] {
  const cached = allLemmas.get(word);
  if (cached) return cached;
  const parse = loadMorph();
  const name = word.charAt(0).toUpperCase() + word.slice(1);
  const found = new Set<string>();
  for (const parsed of [...parse(word), ...parse(name)]) {
    if (parsed.parser === "Dictionary") found.add(parsed.normalize().word.replaceAll("ё", "е"));
  }
  const lemmaList = [...found];
  if (allLemmas.size >= CACHE_LIMIT) allLemmas.clear();
  allLemmas.set(word, lemmaList);
  return lemmaList;
}

/**
 * The word is a real Russian word: the dictionary has it as written (or with
 * е for ё), as a common word or as a name ("казань", "ольга").
 */
export function isDictionaryWord(word: string): boolean {
  return dictionaryLemma(word) !== undefined || dictionaryLemmas(word).length > 0;
}

const names = new Map<string, boolean>();

/**
 * The word is, first of all, a person's first name, patronymic or surname
 * ("ирина", "петровна", "сергеевич", "иванова"): the dictionary's likeliest
 * reading of it written with a capital is one. A word that is a common
 * word first ("вера", "роза") is not.
 */
export function isPersonName(word: string): boolean {
  const cached = names.get(word);
  if (cached !== undefined) return cached;
  const capitalized = word.charAt(0).toUpperCase() + word.slice(1);
  const first = loadMorph()(capitalized).find((parsed) => parsed.parser === "Dictionary");
  const name = first !== undefined && /\b(?:Name|Patr|Surn)\b/.test(first.tag.toString());
  if (names.size >= CACHE_LIMIT) names.clear();
  names.set(word, name);
  return name;
}
