/**
 * Typo repair against a known vocabulary, SymSpell style: every vocabulary
 * word is indexed under the strings made by deleting up to `maxEdits(word)`
 * letters, so a misspelt word finds its candidates by a few map look-ups
 * instead of a scan. Candidates are confirmed with the Damerau-Levenshtein
 * distance (a swap of two neighbouring letters is one edit).
 */
export interface TypoIndex {
  /** The closest known word within the edit budget, or undefined. */
  correct(word: string): string | undefined;
}

/**
 * How many edits a word of this length may be away from a known one: none
 * under four letters, one for four to seven, two for eight and more.
 */
export function maxEdits(length: number): number {
  if (length < 4) return 0;
  return length < 8 ? 1 : 2;
}

function deletes(word: string, depth: number, into: Set<string>): void {
  if (depth === 0) return;
  for (let i = 0; i < word.length; i++) {
    const shorter = word.slice(0, i) + word.slice(i + 1);
    if (!into.has(shorter)) {
      into.add(shorter);
      deletes(shorter, depth - 1, into);
    }
  }
}

// Letters people mistype for each other: neighbours on the keyboard (ЙЦУКЕН
// and QWERTY rows, and the keys diagonally next to each other) and letters
// that sound alike. Replacing one by the other costs 0.7; any other
// replacement costs 2, so "сидит" is not taken for "видит".
const KEYBOARD_ROWS = [
  ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"],
  ["qwertyuiop", "asdfghjkl", "zxcvbnm"],
];
const SOUND_ALIKE = ["еэ", "ея", "юу", "зс", "бп", "дт", "вф", "гк", "жш", "шщ", "ьъ", "чщ", "ёе"];
// The commonest citizen errors, which cost 0.35: an unstressed vowel written
// as another (а/о, е/и, и/ы, е/я).
const SPELLING_VOWELS = ["ао", "еи", "иы", "ея"];
// A soft or hard sign left out or added ("тся"/"ться", "обьявление").
const SIGNS = new Set(["ь", "ъ"]);

const COMMON = 0.35;
const SLIP = 0.7;
const OTHER = 2;

const similar = new Set<string>();
const common = new Set<string>();
const pair = (into: Set<string>, x: string, y: string) => {
  into.add(x + y);
  into.add(y + x);
};
for (const rows of KEYBOARD_ROWS) {
  rows.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      const key = row.charAt(c);
      if (c + 1 < row.length) pair(similar, key, row.charAt(c + 1));
      const below = rows[r + 1];
      if (below) {
        if (c < below.length) pair(similar, key, below.charAt(c));
        if (c > 0 && c - 1 < below.length) pair(similar, key, below.charAt(c - 1));
      }
    }
  });
}
for (const [x = "", y = ""] of SOUND_ALIKE) pair(similar, x, y);
for (const [x = "", y = ""] of SPELLING_VOWELS) pair(common, x, y);

/** Cost of typing `typed` where `meant` was meant. */
function substitutionCost(typed: string, meant: string): number {
  if (typed === meant) return 0;
  if (common.has(typed + meant)) return COMMON;
  return similar.has(typed + meant) ? SLIP : OTHER;
}

// Cost of a letter added or left out at position `i` of `word`: a soft or
// hard sign, or a letter doubled ("руский", "колличество"), is a common
// error; any other letter one edit.
function gapCost(word: string, i: number): number {
  const letter = word.charAt(i);
  if (SIGNS.has(letter)) return COMMON;
  if (letter === word.charAt(i - 1) || letter === word.charAt(i + 1)) return COMMON;
  return 1;
}

/**
 * Optimal-string-alignment distance with a model of how Russian is misspelt:
 * a vowel written as another that sounds the same (а/о, е/и, и/ы, е/я), a
 * soft sign left out or added, a letter doubled or undoubled cost 0.35; a
 * keyboard neighbour or another sound-alike 0.7; another letter added, left
 * out or two neighbours swapped 1; another replacement 2.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 1; i < rows; i++) d[i * cols] = (d[(i - 1) * cols] ?? 0) + gapCost(a, i - 1);
  for (let j = 1; j < cols; j++) d[j] = (d[j - 1] ?? 0) + gapCost(b, j - 1);
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = substitutionCost(a.charAt(i - 1), b.charAt(j - 1));
      let best = Math.min(
        (d[(i - 1) * cols + j] ?? 0) + gapCost(a, i - 1),
        (d[i * cols + j - 1] ?? 0) + gapCost(b, j - 1),
        (d[(i - 1) * cols + j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (d[(i - 2) * cols + j - 2] ?? 0) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return Math.round((d[rows * cols - 1] ?? 0) * 100) / 100;
}

// The word as it sounds, with the common errors taken out: unstressed
// vowels merged (а/о → о, е/и/ы/я → и), signs dropped, doubled letters made
// single. Words with the same key differ only by common errors, however
// many ("извените" and "извините", "коллиество"…).
function soundKey(word: string): string {
  return word
    .replace(/[ьъ]/g, "")
    .replace(/а/g, "о")
    .replace(/[еыя]/g, "и")
    .replace(/(.)\1+/g, "$1");
}

/**
 * Builds the index over `words` with their frequencies; among candidates at
 * the same distance the more frequent word wins, then the one that shares the
 * first letter.
 *
 * @example createTypoIndex(new Map([["пароль", 12]])).correct("пороль") // "пароль"
 */
export function createTypoIndex(words: ReadonlyMap<string, number>): TypoIndex {
  const steps = typoIndexSteps(words);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

// Words indexed between two pauses of `typoIndexSteps` (about a millisecond).
const WORDS_PER_STEP = 50;

/**
 * `createTypoIndex` in steps: pauses (yields) every few dozen words, so that a
 * thread that answers questions can build it between them.
 */
export function* typoIndexSteps(
  words: ReadonlyMap<string, number>,
): Generator<void, TypoIndex, void> {
  const byDeletion = new Map<string, string[]>();
  let longest = 0;
  const add = (key: string, word: string) => {
    const list = byDeletion.get(key);
    if (list) list.push(word);
    else byDeletion.set(key, [word]);
  };
  const bySound = new Map<string, string[]>();
  let indexed = 0;
  for (const word of words.keys()) {
    if (++indexed % WORDS_PER_STEP === 0) yield;
    const budget = maxEdits(word.length);
    if (budget === 0) continue;
    const key = soundKey(word);
    const same = bySound.get(key);
    if (same) same.push(word);
    else bySound.set(key, [word]);
    longest = Math.max(longest, word.length);
    add(word, word);
    const variants = new Set<string>();
    deletes(word, budget, variants);
    for (const variant of variants) add(variant, word);
  }

  return {
    correct(word) {
      const budget = maxEdits(word.length);
      // Too long to be within the budget of any known word: without this, a
      // 4,000-letter word would build 4,000 deletions of 4,000 letters each.
      if (budget === 0 || word.length > longest + budget) return undefined;
      // The vocabulary side holds deletions up to the full budget; on the
      // query side one deletion is enough to meet it for every single edit
      // and for two edits but two insertions in a row (a few dozen strings
      // for a long word instead of hundreds).
      const keys = new Set<string>([word]);
      deletes(word, 1, keys);
      let best: string | undefined;
      let bestDistance = budget + 1;
      let bestScore = -1;
      const seen = new Set<string>();
      const lists = [...keys].map((key) => byDeletion.get(key) ?? []);
      lists.push(bySound.get(soundKey(word)) ?? []);
      for (const list of lists) {
        for (const candidate of list) {
          if (seen.has(candidate)) continue;
          seen.add(candidate);
          const distance = editDistance(word, candidate);
          if (distance > budget || distance > maxEdits(candidate.length)) continue;
          const score = (words.get(candidate) ?? 0) + (candidate[0] === word[0] ? 0.5 : 0);
          if (distance < bestDistance || (distance === bestDistance && score > bestScore)) {
            best = candidate;
            bestDistance = distance;
            bestScore = score;
          }
        }
      }
      return best;
    },
  };
}
