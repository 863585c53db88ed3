/**
 * Canonical form of a message before it is split into words: Unicode NFC,
 * lowercase, ё→е, and letters repeated three times or more collapsed to one
 * ("пожалуйстааа" → "пожалуйста"). Diacritics are kept: й stays й.
 *
 * @example normalizeText("Здравствуйте!!! Ёлки") // "здравствуйте!!! елки"
 */
export function normalizeText(raw: string): string {
  return raw
    .normalize("NFC")
    .toLowerCase()
    .replaceAll("ё", "е")
    .replace(/(\p{L})\1{2,}/gu, "$1");
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Splits normalised text into words of letters and digits; punctuation, emoji
 * and symbols separate words and are dropped. A hyphen joins nothing:
 * "онлайн-чат" is two words.
 *
 * @example splitWords("гос.услуги, онлайн-чат 24/7") // ["гос", "услуги", "онлайн", "чат", "24", "7"]
 */
export function splitWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

/**
 * Which language a message is in: the one more of its words are written in
 * (Latin or Cyrillic letters), Russian on a tie, so "мой email" is Russian.
 * Undefined when no word has letters.
 */
export function detectLanguage(words: readonly string[]): "ru" | "en" | undefined {
  let cyrillic = 0;
  let latin = 0;
  for (const word of words) {
    if (/[а-яё]/.test(word)) cyrillic++;
    else if (/[a-z]/.test(word)) latin++;
  }
  if (cyrillic === 0 && latin === 0) return undefined;
  return latin > cyrillic ? "en" : "ru";
}
