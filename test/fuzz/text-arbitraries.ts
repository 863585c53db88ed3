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
