// Russian written in Latin letters ("kak vosstanovit parol", "gde 4to s
// zayavleniem"). People mix conventions within one message: ya/ia/ja for я,
// sh/w for ш, ch/4 for ч, zh/j for ж, y/i/j for й and ы, h/kh/x for х, ' for ь.
// No single table fits, so a word is read as a lattice of every reading and
// the reading the knowledge base knows wins.

// Latin spellings and the Cyrillic letters each can stand for, longest first
// where they overlap. A letter's first reading is its commonest.
const READINGS: readonly (readonly [string, readonly string[]])[] = [
  ["shch", ["щ"]],
  ["sch", ["щ", "сх"]],
  ["sh", ["ш", "сх"]],
  ["ch", ["ч", "х"]],
  ["zh", ["ж", "зх"]],
  ["kh", ["х", "кх"]],
  ["ts", ["ц", "тс"]],
  ["tc", ["ц"]],
  ["yu", ["ю", "ыу"]],
  ["ju", ["ю"]],
  ["iu", ["ю", "иу"]],
  ["ya", ["я", "ыа"]],
  ["ja", ["я"]],
  ["ia", ["я", "иа", "ия"]],
  ["yo", ["е", "йо"]],
  ["jo", ["е"]],
  ["ye", ["е"]],
  ["je", ["е"]],
  ["ey", ["ей"]],
  ["iy", ["ий", "ый"]],
  ["yi", ["ый", "ий"]],
  ["ij", ["ий"]],
  ["yj", ["ый"]],
  ["a", ["а"]],
  ["b", ["б"]],
  ["v", ["в"]],
  ["w", ["в", "ш"]],
  ["g", ["г"]],
  ["d", ["д"]],
  ["e", ["е", "э"]],
  ["z", ["з"]],
  ["i", ["и", "й", "ы"]],
  ["j", ["й", "ж"]],
  ["k", ["к"]],
  ["l", ["л"]],
  ["m", ["м"]],
  ["n", ["н"]],
  ["o", ["о"]],
  ["p", ["п"]],
  ["r", ["р"]],
  ["s", ["с"]],
  ["t", ["т"]],
  ["u", ["у"]],
  ["f", ["ф"]],
  ["h", ["х"]],
  ["x", ["х", "кс"]],
  ["c", ["ц", "к", "с"]],
  ["q", ["к"]],
  ["y", ["ы", "й", "и"]],
  ["4", ["ч"]],
  ["6", ["ш"]],
  ["'", ["ь"]],
];

/** A word that may be Russian in Latin letters: Latin letters, maybe 4, 6 or '. */
const LATIN_RUSSIAN = /^(?=.*[a-z])[a-z46']+$/;

// Readings explored per word, at most: enough for every word of up to about
// twenty letters in practice, and a bound on the work for a long one.
const MAX_READINGS = 512;
// Longer than any Russian word written out.
const LONGEST_WORD = 30;
// Letters a reading may run past the longest known prefix: a known word's
// ending may differ ("заявления" against "заявление").
const SLACK = 4;

export interface ReadingOptions {
  /** At most this many readings. Defaults to 512. */
  limit?: number;
  /**
   * Whether some known word starts so. When given, readings that run more
   * than four letters past every known word's beginning are dropped early,
   * which keeps an English word's hundreds of readings from being made.
   */
  isPrefix?: (text: string) => boolean;
}

interface Partial {
  text: string;
  /** Length of the longest beginning of `text` that a known word starts with. */
  anchored: number;
}

/**
 * The Cyrillic readings of a Latin word, commonest first.
 *
 * @example cyrillicReadings("parol")[0] // "парол"
 */
export function cyrillicReadings(word: string, options: ReadingOptions = {}): string[] {
  const { limit = MAX_READINGS, isPrefix } = options;
  if (!mayBeLatinRussian(word)) return [];
  // at[i]: the readings of word.slice(0, i), left to right.
  const at: Partial[][] = Array.from({ length: word.length + 1 }, () => []);
  at[0] = [{ text: "", anchored: 0 }];
  for (let i = 0; i < word.length; i++) {
    for (const partial of at[i] ?? []) {
      for (const [latin, cyrillic] of READINGS) {
        if (!word.startsWith(latin, i)) continue;
        const next = at[i + latin.length] as Partial[];
        for (const letter of cyrillic) {
          if (next.length >= limit) break;
          const text = partial.text + letter;
          if (!isPrefix) {
            next.push({ text, anchored: 0 });
            continue;
          }
          const anchored =
            partial.anchored === partial.text.length && isPrefix(text)
              ? text.length
              : partial.anchored;
          if (text.length - anchored <= SLACK) next.push({ text, anchored });
        }
      }
    }
  }
  const readings = (at[word.length] ?? []).map((partial) => partial.text);
  // A soft sign is often left out at the end of a word ("pisat", "parol").
  const softened = readings.flatMap((reading) => (SOFTENS.test(reading) ? [`${reading}ь`] : []));
  return [...new Set([...readings, ...softened])];
}

// Letters a word can end in before a soft sign.
const SOFTENS = /[бвдзлмнпрстфч]$/;

/** Whether a word may be Russian written in Latin letters. */
export function mayBeLatinRussian(word: string): boolean {
  return word.length <= LONGEST_WORD && LATIN_RUSSIAN.test(word);
}
