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
// that sound alike. Replacing one by the other costs one edit; any other
// replacement costs two, so "сидит" is not taken for "видит".
const KEYBOARD_ROWS = [
  ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"],
  ["qwertyuiop", "asdfghjkl", "zxcvbnm"],
];
const SOUND_ALIKE = [
  "ао",
  "еи",
  "еэ",
  "иы",
  "ея",
  "юу",
  "зс",
  "бп",
  "дт",
  "вф",
  "гк",
  "жш",
  "шщ",
  "ьъ",
  "чщ",
  "ёе",
];

const similar = new Set<string>();
const pair = (x: string, y: string) => {
  similar.add(x + y);
  similar.add(y + x);
};
for (const rows of KEYBOARD_ROWS) {
  rows.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      const key = row.charAt(c);
      if (c + 1 < row.length) pair(key, row.charAt(c + 1));
      const below = rows[r + 1];
      if (below) {
        if (c < below.length) pair(key, below.charAt(c));
        if (c > 0 && c - 1 < below.length) pair(key, below.charAt(c - 1));
      }
    }
  });
}
for (const [x = "", y = ""] of SOUND_ALIKE) pair(x, y);

/** Cost of typing `typed` where `meant` was meant: 0 the same, 1 a likely slip, 2 otherwise. */
function substitutionCost(typed: string, meant: string): number {
  if (typed === meant) return 0;
  return similar.has(typed + meant) ? 1 : 2;
}

/**
 * Optimal-string-alignment distance with a typing model: insertions,
 * deletions and swaps of neighbouring letters cost 1; a replaced letter costs
 * 1 when it is a keyboard neighbour or sounds alike, 2 otherwise.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = substitutionCost(a.charAt(i - 1), b.charAt(j - 1));
      let best = Math.min(
        (d[(i - 1) * cols + j] ?? 0) + 1,
        (d[i * cols + j - 1] ?? 0) + 1,
        (d[(i - 1) * cols + j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (d[(i - 2) * cols + j - 2] ?? 0) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1] ?? 0;
}

/**
 * Builds the index over `words` with their frequencies; among candidates at
 * the same distance the more frequent word wins, then the one that shares the
 * first letter.
 *
 * @example createTypoIndex(new Map([["пароль", 12]])).correct("пороль") // "пароль"
 */
export function createTypoIndex(words: ReadonlyMap<string, number>): TypoIndex {
  const byDeletion = new Map<string, string[]>();
  let longest = 0;
  const add = (key: string, word: string) => {
    const list = byDeletion.get(key);
    if (list) list.push(word);
    else byDeletion.set(key, [word]);
  };
  for (const word of words.keys()) {
    const budget = maxEdits(word.length);
    if (budget === 0) continue;
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
      for (const key of keys) {
        for (const candidate of byDeletion.get(key) ?? []) {
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
