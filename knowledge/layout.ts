// Text typed with the wrong keyboard layout: the keys of the Russian ЙЦУКЕН
// layout pressed while the English QWERTY layout was active, and back.

const QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
const JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюё";

const toCyrillic = new Map<string, string>();
const toLatin = new Map<string, string>();
for (let i = 0; i < QWERTY.length; i++) {
  const latin = QWERTY.charAt(i);
  const cyrillic = JCUKEN.charAt(i);
  toCyrillic.set(latin, cyrillic);
  toLatin.set(cyrillic, latin);
}

/** Characters that can stand in a word typed on the QWERTY layout by mistake. */
export const QWERTY_WORD = /^[a-z[\];',.`]+$/;

/**
 * Maps a lowercase word typed on QWERTY to the Cyrillic letters of the same keys.
 *
 * @example qwertyToCyrillic("pf,kjrbhjdfkb") // "заблокировали"
 */
export function qwertyToCyrillic(word: string): string {
  let out = "";
  for (const ch of word) out += toCyrillic.get(ch) ?? ch;
  return out;
}

/**
 * Maps a lowercase word typed on ЙЦУКЕН to the Latin letters of the same keys.
 *
 * @example cyrillicToQwerty("руддщ") // "hello"
 */
export function cyrillicToQwerty(word: string): string {
  let out = "";
  for (const ch of word) out += toLatin.get(ch) ?? ch;
  return out;
}

// Keys typed with Shift, and punctuation, as they come out on ЙЦУКЕН: the
// letters Х Ъ Ж Э Б Ю Ё and Russian punctuation (. , ? " № ; :) typed on
// QWERTY come out as these.
const SHIFTED_TO_CYRILLIC = new Map([
  ["{", "х"],
  ["}", "ъ"],
  [":", "ж"],
  ['"', "э"],
  ["<", "б"],
  [">", "ю"],
  ["~", "е"],
  ["/", "."],
  ["?", ","],
  ["&", "?"],
  ["@", '"'],
  ["#", "№"],
  ["$", ";"],
  ["^", ":"],
]);

/** Characters of a chunk of Russian text typed on QWERTY by mistake, Shift and punctuation included. */
export const QWERTY_TYPED = /^[a-z[\];',.`{}:"<>~/?&@#$^]+$/;

/**
 * What a chunk of text typed on QWERTY by mistake says on ЙЦУКЕН, the
 * shifted keys and punctuation included ("pfzdktybz&" → "заявления?",
 * "<kfujlfhy" → "благодарн"); unlike `qwertyToCyrillic`, not reversible.
 *
 * @example typedOnQwerty("ult cnfnec pfzdktybz&") // "где статус заявления?"
 */
export function typedOnQwerty(chunk: string): string {
  let out = "";
  for (const ch of chunk) out += SHIFTED_TO_CYRILLIC.get(ch) ?? toCyrillic.get(ch) ?? ch;
  return out;
}
