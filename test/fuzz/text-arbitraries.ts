import fc from "fast-check";

/** Telegram's limit on a message's text: the longest text a citizen can send. */
export const MAX_TEXT = 4096;

const chars = (list: string) => fc.constantFrom(...[...list]);
const range = (from: number, to: number) =>
  fc.integer({ min: from, max: to }).map((code) => String.fromCodePoint(code));

/** Lone UTF-16 surrogates: what a cut emoji or a broken client leaves. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const combiningMark = range(0x300, 0x36f);
const zeroWidth = chars("\u200b\u200c\u200d\u2060\ufeff\u00ad");
const bidi = chars("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069");
const rtlLetter = fc.oneof(range(0x5d0, 0x5ea), range(0x627, 0x64a));
const control = fc.oneof(range(0, 0x1f), chars("\u007f\u0085\u2028\u2029"));
const emoji = fc.constantFrom(
  "😀",
  "👍🏽",
  "👨‍👩‍👧‍👦",
  "🇷🇺",
  "1️⃣",
  "🏳️‍🌈",
  "❤️",
  "🧑🏿‍💻",
  "📞",
  "\u{1f3fb}",
  "\u{e0067}",
);
const cyrillic = fc.oneof(range(0x430, 0x44f), range(0x410, 0x42f), chars("ёЁ"));
const latin = fc.oneof(range(0x61, 0x7a), range(0x41, 0x5a));
/** Letters that change length or shape when lowercased or normalised. */
const tricky = chars("İıßẞﬃŉǅΣςÅÅ\u0435\u0308\u0438\u0306");
const digits = range(0x30, 0x39);
const otherDigits = fc.oneof(range(0x660, 0x669), range(0xff10, 0xff19), range(0x1d7ce, 0x1d7d7));
const punctuation = chars(" \n\t\r.,;:!?…-‑–—()[]{}\"'`«»/\\|@#№%&*+=<>_~$^");
const layoutKeys = chars("qwertyuiop[]asdfghjkl;'zxcvbnm,.`");

/** One "character" (sometimes a cluster) from every corner of Unicode the bot may meet. */
const unit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: cyrillic },
  { weight: 4, arbitrary: latin },
  { weight: 4, arbitrary: punctuation },
  { weight: 3, arbitrary: digits },
  { weight: 1, arbitrary: otherDigits },
  { weight: 1, arbitrary: combiningMark },
  { weight: 1, arbitrary: zeroWidth },
  { weight: 1, arbitrary: bidi },
  { weight: 1, arbitrary: rtlLetter },
  { weight: 1, arbitrary: control },
  { weight: 1, arbitrary: emoji },
  { weight: 1, arbitrary: tricky },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: layoutKeys },
);

/** Something like a phone, SNILS, passport, INN or e-mail, spelt in many ways. */
const personalDataLike: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: digits },
      { weight: 3, arbitrary: chars(" -‑–()+№") },
      { weight: 1, arbitrary: chars("78") },
      { weight: 1, arbitrary: chars("@._%") },
      { weight: 1, arbitrary: latin },
      { weight: 1, arbitrary: cyrillic },
      { weight: 1, arbitrary: chars("[]ИНСЛ") },
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

/** Words from the bot's own domain and the keyboard-layout slips of them. */
const word = fc.oneof(
  fc.constantFrom(
    "госуслуги",
    "пароль",
    "восстановить",
    "телефон",
    "горячей",
    "линии",
    "снилс",
    "заявление",
    "pf,kjrbhjdfkb",
    "gfhjkm",
    "руддщ",
    "password",
    "reset",
    "hotline",
    "оператор",
    "спасибо",
    "привет",
    "не",
    "email",
    "gosuslugi",
  ),
  fc.string({ unit: fc.oneof(cyrillic, latin), minLength: 1, maxLength: 12 }),
);
const sentence = fc
  .array(fc.tuple(word, chars("  ,.!?\n")), { minLength: 1, maxLength: 40 })
  .map((pairs) => pairs.map(([w, sep]) => w + sep).join(""));

/** A character or short cluster repeated up to the limit: long words, long runs. */
const repeated = fc
  .tuple(
    fc.oneof(unit, fc.string({ unit, minLength: 1, maxLength: 4 }), personalDataLike),
    fc.integer({ min: 1, max: MAX_TEXT }),
  )
  .map(([piece, times]) => piece.repeat(Math.ceil(times / Math.max(1, piece.length))));

/**
 * Any text up to 4,096 UTF-16 units that a message can carry, and some it
 * cannot (lone surrogates): Unicode graphemes, arbitrary code points,
 * a mix of every script and control character, sentences of real and
 * mistyped words, digits that look like personal data, and long repeats.
 */
export const anyText: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: MAX_TEXT }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-composite", maxLength: MAX_TEXT }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: MAX_TEXT }) },
    { weight: 4, arbitrary: fc.string({ unit, maxLength: MAX_TEXT }) },
    { weight: 2, arbitrary: fc.string({ unit, maxLength: MAX_TEXT, size: "max" }) },
    { weight: 3, arbitrary: sentence },
    { weight: 2, arbitrary: personalDataLike },
    { weight: 2, arbitrary: repeated },
  )
  .map((text) => text.slice(0, MAX_TEXT));

/** Text in the shape of Telegram HTML: tags (good, bad, broken), entities and plain text. */
export const htmlLike: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<u>",
        "</u>",
        "<s>",
        "</s>",
        "<code>",
        "</code>",
        "<blockquote>",
        "</blockquote>",
        '<a href="https://www.gosuslugi.ru/help">',
        "</a>",
        "<a>",
        "<b x>",
        "</b x>",
        "<b ",
        "</ b>",
        "<B>",
        "</B>",
        "<script>",
        "<pre>",
        "<tg-spoiler>",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&#39;",
        "&#x27;",
        "&nbsp;",
        "&",
        "<",
        ">",
        '"',
        "\n",
        " ",
      ),
      fc.string({ unit, maxLength: 8 }),
    ),
    { maxLength: 200 },
  )
  .map((parts) => parts.join(""));

const TAGS = ["b", "i", "u", "s", "code", "blockquote", "a"];
const openTag = (name: string) =>
  name === "a"
    ? fc.constantFrom(
        '<a href="https://www.gosuslugi.ru">',
        '<a  href="https://www.gosuslugi.ru/x?a=1&amp;b=2" >',
        '<a href="https://www.gosuslugi.ru"x>',
        "<a href='https://www.gosuslugi.ru'>",
        "<a>",
      )
    : fc.constantFrom(`<${name}>`, `<${name} >`, `<${name} x>`, `<${name} x="1">`, `<${name}\n>`);
const closeTag = (name: string) =>
  fc.constantFrom(`</${name}>`, `</${name} >`, `</${name} x>`, `</ ${name}>`, `</${name}\n>`);
const escapedText = fc
  .string({ unit, maxLength: 12 })
  .map((text) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;"));

/** HTML that is nearly right: nested allowed tags, some with stray attributes or spaces. */
export const nearlyValidHtml: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    escapedText,
    fc
      .tuple(fc.constantFrom(...TAGS), fc.array(tie("node"), { maxLength: 3 }))
      .chain(([name, children]) =>
        fc
          .tuple(openTag(name), closeTag(name))
          .map(([open, close]) => `${open}${children.join("")}${close}`),
      ),
  ),
})).node;

/** The first code point of some scripts' digits 0-9: ASCII, full-width, Arabic-Indic, Devanagari, mathematical. */
const DIGIT_ZEROS = [0x30, 0xff10, 0x660, 0x6f0, 0x966, 0x1d7ce, 0x1d7f6];
const digitString = (length: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length });
const spaceLike = chars(" \u00a0\u202f\u2009");
const dashLike = chars("-‑–");
const separator = fc.oneof(spaceLike, dashLike);
/** Groups of digits joined by one separator, or run together. */
const grouped = (digits: number[], sizes: number[], sep: string) => {
  const groups: string[] = [];
  let at = 0;
  for (const size of sizes) {
    groups.push(digits.slice(at, at + size).join(""));
    at += size;
  }
  return groups.join(sep);
};

const withLuhn = (digits: number[]) => {
  let sum = 0;
  for (const [i, d] of [...digits].reverse().entries()) {
    const doubled = i % 2 === 0 ? d * 2 : d;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return [...digits, (10 - (sum % 10)) % 10];
};
const withSnilsCheck = (digits: number[]) => {
  const sum = digits.reduce((total, d, i) => total + d * (9 - i), 0);
  const check = (sum % 101) % 100;
  return [...digits, Math.floor(check / 10), check % 10];
};
const innCheck = (digits: number[], weights: number[]) =>
  (weights.reduce((total, w, i) => total + w * (digits[i] ?? 0), 0) % 11) % 10;
const INN_WEIGHTS = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const withInnCheck = (digits: number[]) =>
  digits.length === 9
    ? [...digits, innCheck(digits, INN_WEIGHTS.slice(2))]
    : [
        ...digits,
        innCheck(digits, INN_WEIGHTS.slice(1)),
        innCheck([...digits, innCheck(digits, INN_WEIGHTS.slice(1))], INN_WEIGHTS),
      ];

const card = fc.oneof(
  fc
    .tuple(digitString(15), fc.oneof(fc.constant(""), separator))
    .map(([digits, sep]) => grouped(withLuhn(digits), [4, 4, 4, 4], sep)),
  fc
    .tuple(digitString(14), fc.constantFrom("", " ", "-"))
    .map(([digits, sep]) => grouped(withLuhn([3, 7, ...digits.slice(2)]), [4, 6, 5], sep)),
  fc
    .tuple(fc.integer({ min: 12, max: 18 }), digitString(18))
    .map(([length, digits]) => withLuhn(digits.slice(0, length)).join("")),
);
const snils = fc
  .tuple(
    digitString(9),
    fc.oneof(separator, fc.constant(".")),
    fc.oneof(separator, fc.constant("")),
  )
  .map(([digits, sep, last]) => {
    const all = withSnilsCheck(digits);
    return `${grouped(all, [3, 3, 3], sep)}${last === "" ? " " : last}${all.slice(9).join("")}`;
  });
// Eleven digits in a row that start with 7 or 8 are taken for a phone.
const bareSnils = digitString(9)
  .filter((digits) => digits[0] !== 7 && digits[0] !== 8)
  .map((digits) => withSnilsCheck(digits).join(""));
const inn = fc
  .oneof(digitString(9), digitString(10))
  .map((digits) => withInnCheck(digits).join(""));
const passport = fc
  .tuple(digitString(10), fc.constantFrom("", " "), fc.constantFrom(" ", "-", " № ", "№", "\u00a0"))
  .map(([d, mid, sep]) => `${grouped(d, [2, 2], mid)}${sep}${d.slice(4).join("")}`);
const russianPhone = fc
  .tuple(
    fc.constantFrom("+7", "+7 ", "8", "8 ", "7"),
    digitString(10),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([prefix, d, style]) => {
    const [code, a, b, c] = [d.slice(0, 3), d.slice(3, 6), d.slice(6, 8), d.slice(8)].map((g) =>
      g.join(""),
    );
    const rest = [`${code}${a}${b}${c}`, `(${code}) ${a}-${b}-${c}`, `${code} ${a} ${b} ${c}`];
    return `${prefix}${rest[style] ?? `(${code})${a}${b}${c}`}`;
  });
const foreignPhone = fc
  .tuple(
    fc.integer({ min: 1, max: 3 }),
    digitString(15),
    fc.integer({ min: 9, max: 15 }),
    spaceLike,
  )
  .filter(([, digits]) => digits[0] !== 0 && digits[0] !== 7)
  .map(([codeLength, digits, length, sep]) => {
    const d = digits.slice(0, length);
    return `+${d.slice(0, codeLength).join("")}${sep}${d.slice(codeLength).join("")}`;
  });

/** Digits rewritten in another script's digits. */
const inScript = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(text, fc.constantFrom(...DIGIT_ZEROS))
    .map(([t, zero]) => t.replace(/\d/g, (d) => String.fromCodePoint(zero + Number(d))));

/**
 * A phone number, SNILS, bank card, passport or INN with valid check digits,
 * spelt in one of the ways citizens write it, in some script's digits, and
 * the placeholder maskPersonalData must put in its place.
 */
export const personalNumber: fc.Arbitrary<{ text: string; placeholder: string }> = fc.oneof(
  inScript(card).map((text) => ({ text, placeholder: "[карта]" })),
  inScript(fc.oneof(snils, bareSnils)).map((text) => ({ text, placeholder: "[СНИЛС]" })),
  inScript(inn).map((text) => ({ text, placeholder: "[ИНН]" })),
  inScript(passport).map((text) => ({ text, placeholder: "[паспорт]" })),
  inScript(fc.oneof(russianPhone, foreignPhone)).map((text) => ({
    text,
    placeholder: "[телефон]",
  })),
);

/** Words without a digit, to put around a number. */
export const wordsAround = fc
  .array(fc.string({ unit: fc.oneof(cyrillic, latin), minLength: 1, maxLength: 10 }), {
    maxLength: 4,
  })
  .map((words) => words.join(" "));

const twoDigits = (max: number) =>
  fc.integer({ min: 1, max }).map((n) => String(n).padStart(2, "0"));
/**
 * What a citizen writes that is not personal data: dates, times, sums, and
 * numbers of up to nine digits (an application number, a code), among words.
 */
export const notPersonalData: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc
        .tuple(twoDigits(28), twoDigits(12), fc.integer({ min: 1990, max: 2030 }), chars(".-/"))
        .map(([d, m, y, sep]) => [d, m, y].join(sep)),
      fc
        .tuple(fc.integer({ min: 1990, max: 2030 }), twoDigits(12), twoDigits(28))
        .map((parts) => parts.join("-")),
      fc.tuple(twoDigits(23), twoDigits(59)).map(([h, m]) => `${h}:${m}`),
      fc.integer({ min: 0, max: 999_999_999 }).map(String),
      fc.integer({ min: 1000, max: 999_999_999 }).map((n) => n.toLocaleString("ru-RU")),
      fc.string({ unit: fc.oneof(cyrillic, latin), minLength: 1, maxLength: 10 }),
    ),
    { maxLength: 12 },
  )
  .map((tokens) => tokens.join(" и "));
