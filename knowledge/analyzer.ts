import { cyrillicToQwerty, QWERTY_TYPED, typedOnQwerty } from "./layout.ts";
import { isDictionaryWord, isPersonName } from "./lemma.ts";
import { detectLanguage, normalizeText, splitWords } from "./normalize.ts";
import { type Language, stemWord } from "./stem.ts";
import { COURTESY_WORDS, STOP_WORDS } from "./stopwords.ts";
import type { SynonymMap } from "./synonyms.ts";
import { cyrillicReadings, mayBeLatinRussian } from "./translit.ts";
import { createTypoIndex, editDistance, type TypoIndex } from "./typo.ts";

/** One word of a message, as the matcher sees it. */
export interface AnalyzedToken {
  /** The word after normalisation, layout repair and synonyms. */
  word: string;
  /** The known word it was taken for when misspelt, else `word`. */
  corrected: string;
  stem: string;
  /** The knowledge base has this word (or a form of it, or a word one typo away). */
  known: boolean;
  /** A greeting or thanks word. */
  courtesy: boolean;
  /**
   * The language whose examples it is matched against: the message's, or
   * the other one for a word in the other's letters that only the other
   * knows ("forgot" in "forgot пароль").
   */
  language: Language;
}

export type LayoutRepair = "none" | "qwerty_to_cyrillic" | "cyrillic_to_qwerty";

export interface Analysis {
  language: Language;
  /** The language was read from letters in the message, not assumed. */
  languageDetected: boolean;
  layout: LayoutRepair;
  /** Words read as Russian written in Latin letters ("parol" → "пароль"), as typed. */
  transliterated: string[];
  /** Content words: stop words removed, courtesy words removed when two or more others are left. */
  tokens: AnalyzedToken[];
  /** The content words of each sentence, when the message has more than one. */
  sentences: AnalyzedToken[][];
}

/** Words of one language's examples, with how often each occurs. */
export interface LanguageVocabulary {
  words: ReadonlyMap<string, number>;
  stems: ReadonlySet<string>;
  /**
   * Words that follow one another in an example: `pairHash("word", "next")`
   * of each pair, sorted (a few bytes a pair, where a knowledge base of
   * thousands of intents has hundreds of thousands). Defaults to none.
   */
  pairs?: Int32Array;
}

/** A pair of words as a 32-bit number (FNV-1a of "first second"). */
export function pairHash(first: string, second: string): number {
  let hash = 0x811c9dc5;
  const text = `${first} ${second}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

// Whether an example has `first` and `second` together, one after the other
// (a false yes once in millions of pairs, for two hashes that meet).
function hasPair(pairs: Int32Array, first: string | undefined, second: string | undefined) {
  if (first === undefined || second === undefined) return false;
  const hash = pairHash(first, second);
  let low = 0;
  let high = pairs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = pairs[middle] as number;
    if (value === hash) return true;
    if (value < hash) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

export interface Analyzer {
  analyze(text: string): Analysis;
  /** Words of a training example: the same pipeline without layout or typo repair. */
  exampleWords(text: string, language: Language): AnalyzedToken[];
  /** `exampleWords` from the example's `wordsOf` (made once, for the vocabulary too). */
  exampleTokens(words: readonly string[], language: Language): AnalyzedToken[];
}

/**
 * Splits a text into words and applies the synonym map: the first half of
 * analysis, shared by examples (to build the vocabulary) and messages.
 */
export function wordsOf(text: string, synonyms: SynonymMap): string[] {
  return synonyms.apply(splitWords(normalizeText(text)));
}

/**
 * Builds the vocabulary of one language from its examples' words.
 */
export function buildVocabulary(exampleWords: Iterable<readonly string[]>): LanguageVocabulary {
  const words = new Map<string, number>();
  const stems = new Set<string>();
  const pairs = new Set<number>();
  for (const list of exampleWords) {
    list.forEach((word, i) => {
      words.set(word, (words.get(word) ?? 0) + 1);
      stems.add(stemWord(word));
      if (i > 0) pairs.add(pairHash(list[i - 1] as string, word));
    });
  }
  return { words, stems, pairs: Int32Array.from(pairs).sort() };
}

// Latin words that are real words in a Russian message, never a layout slip.
const KEEP_LATIN = new Set([
  "email",
  "sms",
  "whatsapp",
  "telegram",
  "pdf",
  "png",
  "jpeg",
  "jpg",
  "id",
  // Browsers and systems, named in questions about failures: no Russian
  // words in Latin letters ("chrome" is not "кроме").
  "chrome",
  "firefox",
  "edge",
  "opera",
  "windows",
  "macos",
  "linux",
]);

// A site or an e-mail address: Latin words joined by dots ("nalog.ru").
const ADDRESS = /[\p{L}\p{N}_-]+(?:[.@][\p{L}\p{N}_-]+)*\.[a-z]{2,}\b/gu;

// The words of the addresses in a text: names, never Russian in Latin letters.
function wordsOfAddresses(text: string): Set<string> {
  return new Set([...text.matchAll(ADDRESS)].flatMap(([address]) => splitWords(address)));
}

// Readings of a Latin word tried against typos, commonest first.
const TYPO_READINGS = 8;

// A run of digits with the separators people write them with: a phone, a
// date, a time, a SNILS, an application number.
const NUMBER_RUN = /[+№#]?\p{N}[\p{N} ().:\-/]*\p{N}/gu;

// A time of day ("21:30", "9.00") or a day and month ("12.03", "01.02.2025").
const TIME_OR_DATE = /^(?:\p{N}{1,2}[:.]\p{N}{2}|\p{N}{1,2}\.\p{N}{1,2}\.\p{N}{2,4})$/u;

// Takes the long numbers (five digits or more), times and dates out of a
// message: pasted into a question, they say nothing about what is asked
// (short ones like 115 or 24/7 stay).
function withoutLongNumbers(text: string): string {
  return text.replace(NUMBER_RUN, (run) =>
    run.replace(/\P{N}/gu, "").length >= 5 || TIME_OR_DATE.test(run.trim()) ? " " : run,
  );
}

// "привет, как восстановить пароль" is about the password; "спасибо, бот"
// is still thanks: courtesy words go only when two or more others stay.
function withoutCourtesy(tokens: AnalyzedToken[]): AnalyzedToken[] {
  const content = tokens.filter((token) => !token.courtesy);
  return content.length >= 2 ? content : tokens;
}

/**
 * Creates the text analyzer over the knowledge base's vocabularies: it
 * detects the language, repairs the keyboard layout when that makes the
 * words known, removes stop words, corrects typos towards known words and
 * stems what is left. `typo` defaults to typo indexes over the vocabularies.
 */
export function createAnalyzer(
  synonyms: SynonymMap,
  vocabularies: Readonly<Record<Language, LanguageVocabulary>>,
  typo: Readonly<Record<Language, TypoIndex>> = {
    ru: createTypoIndex(vocabularies.ru.words),
    en: createTypoIndex(vocabularies.en.words),
  },
): Analyzer {
  const isKnown = (word: string, language: Language): boolean => {
    const vocabulary = vocabularies[language];
    return vocabulary.words.has(word) || vocabulary.stems.has(stemWord(word));
  };

  // The words the synonym list rewrites ("почту", "учетку", "телеге"),
  // which the examples do not have as such (they have "email", "аккаунт",
  // "telegram"): a misspelling of one is repaired to it before the synonyms
  // are applied ("пачту" → почту → email), unless a word of the examples is
  // as near.
  const synonymTypo = createTypoIndex(new Map([...synonyms.words].map((word) => [word, 1])));
  const towardsSynonym = (word: string): string => {
    if (word.length < 4 || /\d/.test(word) || synonyms.words.has(word)) return word;
    if (isKnown(word, "ru") || isKnown(word, "en")) return word;
    const cyrillic = /[а-я]/.test(word);
    if (cyrillic && (!/[аеиоуыэюя]/.test(word) || isDictionaryWord(word))) return word;
    const near = synonymTypo.correct(word);
    if (near === undefined) return word;
    const ours = typo[cyrillic ? "ru" : "en"].correct(word);
    return ours !== undefined && editDistance(word, ours) <= editDistance(word, near) ? word : near;
  };

  const knownOrNear = (word: string, language: Language): boolean =>
    isKnown(word, language) || typo[language].correct(word) !== undefined;

  // Counts the chunks that are known as typed and as converted, to decide
  // whether the message was typed with the wrong layout; returns the chunks
  // to replace.
  const repairLayout = (
    chunks: readonly string[],
  ): { replace: Map<string, string>; layout: LayoutRepair } => {
    const tryDirection = (
      matches: (chunk: string) => boolean,
      convert: (chunk: string) => string,
      from: Language,
      to: Language,
    ) => {
      let asTyped = 0;
      let converted = 0;
      const replace = new Map<string, string>();
      for (const chunk of chunks) {
        if (!matches(chunk) || KEEP_LATIN.has(chunk)) {
          if (KEEP_LATIN.has(chunk)) asTyped++;
          continue;
        }
        const candidates = [convert(chunk), convert(chunk.replace(/[,.;]+$/, ""))];
        const fits = (c: string) =>
          splitWords(c).every((w) => knownOrNear(w, to) || STOP_WORDS[to].has(w));
        const fit = candidates.find(fits);
        // A chunk that is a word as typed too ("pf", a code, is "за")
        // counts for the layout as typed, and is converted only if the
        // message is.
        if (splitWords(chunk).every((w) => isKnown(w, from))) {
          asTyped++;
          if (fit !== undefined) replace.set(chunk, fit);
          continue;
        }
        if (fit !== undefined) converted++;
        replace.set(chunk, fit ?? (candidates[0] as string));
      }
      return { replace, gain: converted - asTyped };
    };

    const toCyrillic = tryDirection(
      (chunk) => QWERTY_TYPED.test(chunk) && /[a-z]/.test(chunk),
      typedOnQwerty,
      "en",
      "ru",
    );
    if (toCyrillic.gain > 0) return { replace: toCyrillic.replace, layout: "qwerty_to_cyrillic" };
    const toLatin = tryDirection((chunk) => /^[а-я]+$/.test(chunk), cyrillicToQwerty, "ru", "en");
    if (toLatin.gain > 0) return { replace: toLatin.replace, layout: "cyrillic_to_qwerty" };
    return { replace: new Map(), layout: "none" };
  };

  // Every beginning of a Russian word the knowledge base knows, to read
  // Latin words against.
  const russianPrefixes = new Set<string>();
  for (const word of [...vocabularies.ru.words.keys(), ...synonyms.words]) {
    for (let i = 1; i <= word.length; i++) russianPrefixes.add(word.slice(0, i));
  }

  // The reading of a Latin word as Russian that the knowledge base knows:
  // as a word or a form of one (`exact`), or else one typo away.
  const russianReading = (word: string, exact: boolean): string | undefined => {
    const readings = cyrillicReadings(word, { isPrefix: (text) => russianPrefixes.has(text) });
    const knownReading = (reading: string) =>
      isKnown(reading, "ru") ||
      synonyms.words.has(reading) ||
      synonyms.apply([reading]).every((w) => w !== reading && isKnown(w, "ru"));
    // A word of the examples as written, or a real word the knowledge base
    // knows a form of ("dannye": данные, not "данне", which only shares its
    // stem), before a reading known by its stem alone.
    const known =
      readings.find((reading) => vocabularies.ru.words.has(reading)) ??
      readings.find((reading) => knownReading(reading) && isDictionaryWord(reading)) ??
      readings.find(knownReading);
    if (known !== undefined || exact) return known;
    return cyrillicReadings(word, { limit: TYPO_READINGS }).find((reading) =>
      typo.ru.correct(reading),
    );
  };

  // Russian in Latin letters: a Latin word that is no English word the
  // knowledge base knows is read as Russian when a reading of it is known;
  // when that makes the message mostly Russian, its Latin words that have
  // an exactly known Russian reading are read so too ("gde status
  // zayavleniya"). Real Latin words (email, WhatsApp) stay.
  const repairTranslit = (words: readonly string[][], addresses: ReadonlySet<string>) => {
    const replace = new Map<string, string>();
    const latin = (word: string) =>
      mayBeLatinRussian(word) && !KEEP_LATIN.has(word) && !addresses.has(word);
    for (const word of words.flat()) {
      if (replace.has(word) || !latin(word) || isKnown(word, "en")) continue;
      const reading = russianReading(word, false);
      if (reading !== undefined) replace.set(word, reading);
    }
    if (replace.size > 0) {
      const read = words.flat().map((word) => replace.get(word) ?? word);
      if (detectLanguage(read) === "ru") {
        for (const word of read) {
          if (replace.has(word) || !latin(word)) continue;
          const reading = russianReading(word, true);
          if (reading !== undefined) replace.set(word, reading);
        }
      }
    }
    return replace;
  };

  // "noch'yu", "pis'mo": an apostrophe for ь splits a Latin word in two for
  // splitWords; such a word is read whole when it reads as a Russian word
  // the knowledge base knows as written ("don't" stays English).
  const withApostropheWordsRead = (text: string) =>
    text.replace(/[a-z]+(?:'[a-z]+)+/g, (word) => {
      if (word.split("'").every((part) => part.length < 2 || isKnown(part, "en"))) return word;
      const reading = russianReading(word, true);
      return reading !== undefined && vocabularies.ru.words.has(reading) ? reading : word;
    });

  // A word that may ask something: no stop word or courtesy word of the
  // language its letters are.
  const asking = (word: string) => {
    const language: Language = /[а-я]/.test(word) ? "ru" : "en";
    return !STOP_WORDS[language].has(word) && !COURTESY_WORDS[language].has(word);
  };

  const otherLanguage = (language: Language): Language => (language === "ru" ? "en" : "ru");
  const inLettersOf = (word: string, language: Language) =>
    language === "ru" ? /[а-я]/.test(word) : /[a-z]/.test(word) && !/[а-я]/.test(word);

  // One message, two languages: a word in the other language's letters that
  // the message's language does not know, but the other one does (as typed,
  // or one typo away), is a word of the other language, matched against its
  // examples; the other's stop words are stop words. Others stay the
  // message's ("sms" and "email" in a Russian message are Russian examples'
  // words too).
  const foreignToken = (word: string, language: Language): AnalyzedToken | null | undefined => {
    const other = otherLanguage(language);
    if (!inLettersOf(word, other)) return undefined;
    if (STOP_WORDS[other].has(word)) return null;
    if (isKnown(word, language)) return undefined;
    const near = isKnown(word, other) ? word : typo[other].correct(word);
    if (near === undefined) return undefined;
    return {
      word,
      corrected: near,
      stem: stemWord(near),
      known: true,
      courtesy: COURTESY_WORDS[other].has(near),
      language: other,
    };
  };

  const toTokens = (words: readonly string[], language: Language, repair: boolean) => {
    const stop = STOP_WORDS[language];
    const courtesy = COURTESY_WORDS[language];
    const tokens: AnalyzedToken[] = [];
    for (const [at, word] of words.entries()) {
      if (stop.has(word)) continue;
      if (repair) {
        const foreign = foreignToken(word, language);
        if (foreign === null) continue;
        if (foreign !== undefined) {
          tokens.push(foreign);
          continue;
        }
      }
      let corrected = word;
      let known = isKnown(word, language);
      // A number the knowledge base does not know (an application number, a
      // date, a SNILS pasted in) says nothing about the question.
      if (!known && /^\p{N}+$/u.test(word)) continue;
      // Nor does a name ("С уважением, Ирина Петровна", "сын Артём"): a
      // word the knowledge base lacks that the dictionary reads first as a
      // first name, patronymic or surname.
      if (!known && language === "ru" && /^[а-я]{3,}$/.test(word) && isPersonName(word)) continue;
      // A real Russian word the examples lack is left alone, not "repaired"
      // into one of ours.
      // Nor is an abbreviation (no vowel: "фссп", "гибдд").
      const real =
        language === "ru" && !known && (!/[аеиоуыэюя]/.test(word) || isDictionaryWord(word));
      // A real word, or one known only by its stem, is a misspelling after
      // all when the word of ours one typo away (another word, not another
      // form) makes, with the word before or after it, two words an example
      // has together, and it does not: "часы роботы" is "часы работы",
      // though "роботы" is a real word and "робот" one of ours.
      const pairs = vocabularies[language].pairs;
      if (
        repair &&
        pairs !== undefined &&
        language === "ru" &&
        (real || (known && !vocabularies[language].words.has(word))) &&
        /[аеиоуыэюя]/.test(word)
      ) {
        const near = typo[language].correct(word);
        const together = (w: string) =>
          hasPair(pairs, words[at - 1], w) || hasPair(pairs, w, words[at + 1]);
        if (
          near !== undefined &&
          stemWord(near) !== stemWord(word) &&
          together(near) &&
          !together(word)
        ) {
          corrected = near;
          known = true;
        }
      }
      if (!known && repair && !/\d/.test(word) && !real) {
        const near = typo[language].correct(word);
        if (near !== undefined) {
          corrected = near;
          known = true;
        }
      }
      tokens.push({
        word,
        corrected,
        stem: stemWord(corrected),
        known,
        courtesy: courtesy.has(corrected),
        language,
      });
    }
    return tokens;
  };

  return {
    analyze(text) {
      const normalized = withApostropheWordsRead(withoutLongNumbers(normalizeText(text)));
      const { replace, layout } = repairLayout(normalized.split(/\s+/).filter(Boolean));
      const sentenceWords = normalized
        .split(/(?<=[.!?…])\s+|\n+/)
        .map((sentence) =>
          splitWords(
            sentence
              .split(/\s+/)
              .map((chunk) => replace.get(chunk) ?? chunk)
              .join(" "),
          ),
        )
        .filter((words) => words.length > 0);
      const translit =
        layout === "qwerty_to_cyrillic"
          ? new Map<string, string>()
          : repairTranslit(sentenceWords, wordsOfAddresses(normalized));
      if (translit.size > 0) {
        for (const words of sentenceWords) {
          words.forEach((word, i) => {
            words[i] = translit.get(word) ?? word;
          });
        }
      }
      const typed = sentenceWords.flat();
      // The language is the one the question is asked in: a greeting or
      // thanks in the other ("Hi! телефон поддержки") does not decide it.
      const detected = detectLanguage(typed.filter(asking)) ?? detectLanguage(typed);
      const language = detected ?? "ru";
      const perSentence = sentenceWords.map((words) =>
        toTokens(synonyms.apply(words.map(towardsSynonym)), language, true),
      );
      const sentences =
        perSentence.length > 1
          ? perSentence
              .filter((tokens) => tokens.length > 0 && !tokens.every((t) => t.courtesy))
              .map(withoutCourtesy)
          : [];
      return {
        language,
        languageDetected: detected !== undefined,
        layout,
        transliterated: [...translit.keys()],
        tokens: withoutCourtesy(perSentence.flat()),
        sentences,
      };
    },
    exampleWords(text, language) {
      return withoutCourtesy(toTokens(wordsOf(text, synonyms), language, false));
    },
    exampleTokens(words, language) {
      return withoutCourtesy(toTokens(words, language, false));
    },
  };
}
