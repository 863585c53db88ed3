// Personal data in free text: what citizens type into a support chat and
// what must not reach logs or analytics unmasked.

/** The placeholders maskPersonalData puts in place of what it masks. */
export const PERSONAL_DATA_PLACEHOLDERS = [
  "[e-mail]",
  "[телефон]",
  "[СНИЛС]",
  "[карта]",
  "[паспорт]",
  "[ИНН]",
  "[номер]",
] as const;

type Placeholder = (typeof PERSONAL_DATA_PLACEHOLDERS)[number];

// E-mail addresses. The part before "@" is at most 64 characters (RFC 5321);
// unbounded, a long run of letters cost a scan from each of its letters
// (150 ms for 4,096 letters).
const EMAIL = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;

// The numbers are found in a copy of the text with one character per code
// point: every decimal digit of any script (full-width "４", Arabic-Indic
// "٤", mathematical "𝟒") as its ASCII digit, every space (no-break, thin…)
// as " ", every dash and minus as "-". Each shape below is tried, in this
// order, where a run of digits (or a "+" or "(" before one) starts; all are
// anchored there ("y") and bounded, so the scan stays linear.
interface Shape {
  pattern: RegExp;
  /** The placeholder for what matched, or undefined when its digits say it is not one. */
  kind: (digits: string) => Placeholder | undefined;
}

const always =
  (placeholder: Placeholder) =>
  (_digits: string): Placeholder =>
    placeholder;

const SHAPES: readonly Shape[] = [
  // SNILS as it is written, 123-456-789 01 (spaces, dashes or dots): no
  // other number is, so a wrong check digit is a typo in a SNILS.
  { pattern: /\d{3}([ .-])\d{3}\1\d{3}[ .-]{1,3}\d{2}(?!\d)/y, kind: always("[СНИЛС]") },
  // Bank cards in groups: 4-4-4-4, Amex 4-6-5, Diners 4-6-4. Grouped like
  // this even a mistyped one is a card. A fifth group of up to 3 digits
  // belongs to a 17-19-digit card only if the checksum says so; else it is
  // a number after the card.
  {
    pattern: /\d{4}([ -])\d{4}\1\d{4}\1\d{4}\1\d{1,3}(?!\d)/y,
    kind: (digits) => (luhnValid(digits) ? "[карта]" : undefined),
  },
  { pattern: /\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?!\d)/y, kind: always("[карта]") },
  { pattern: /\d{4}([ -])\d{6}\1\d{4,5}(?!\d)/y, kind: always("[карта]") },
  // Passport series and number: "45 06 123456", "4506 123456", "4510-123456",
  // "4506 № 123456".
  { pattern: /\d{2} ?\d{2}(?: ?№ ?| |-)\d{6}(?!\d)/y, kind: always("[паспорт]") },
  // Russian phones: +7, 7 or 8 and ten digits, grouped any way with spaces,
  // dashes or brackets ("8 (916) 123-45-67", "89161234567"); an 11-digit run
  // starting with 7 or 8 is more often a phone than a SNILS.
  { pattern: /(?:\+ ?7|[78])(?:[ ()-]{0,2}\d){10}(?!\d)/y, kind: always("[телефон]") },
  // Without the prefix, only in a phone's groups: "(916) 123-45-67", "916 123-45-67".
  {
    pattern: /(?:\(\d{3}\) ?\d{3}[ -]?|\d{3}[ -]\d{3}[ -])\d{2}[ -]?\d{2}(?!\d)/y,
    kind: always("[телефон]"),
  },
  // Other countries: "+" and 9 to 15 digits (E.164), grouped any way, not
  // running on into a date or a time after it ("+375 29 123-45-67 12.03").
  {
    pattern: /\+ ?\d(?:[ ()-]{0,2}\d){8,14}(?!\d)(?![.:/,]\d)/y,
    kind: always("[телефон]"),
  },
  // A run of digits alone is what its length and check digits say it is;
  // 10 to 20 digits that are none of these (an application number, an
  // account) are masked all the same, as a number.
  { pattern: /\d{10,20}(?!\d)/y, kind: digitRunKind },
];

/** A run of 10 to 20 digits with nothing around it to tell what it is. */
function digitRunKind(digits: string): Placeholder {
  if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return "[карта]";
  if (digits.length === 11 && snilsValid(digits)) return "[СНИЛС]";
  if ((digits.length === 10 || digits.length === 12) && innValid(digits)) return "[ИНН]";
  return "[номер]";
}

/** The Luhn checksum of bank card numbers. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    const d = Number(digits[i]) * (double ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}

/** SNILS's check number: the first nine digits weighted 9 to 1, modulo 101 (100 is 00). */
function snilsValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (9 - i);
  return (sum % 101) % 100 === Number(digits.slice(9));
}

const INN_WEIGHTS = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/** The check digits of an INN: one for an organisation's 10, two for a person's 12. */
function innValid(digits: string): boolean {
  const check = (length: number) => {
    const weights = INN_WEIGHTS.slice(INN_WEIGHTS.length - length);
    const sum = weights.reduce((total, weight, i) => total + weight * Number(digits[i]), 0);
    return (sum % 11) % 10 === Number(digits[length]);
  };
  return digits.length === 10 ? check(9) : check(10) && check(11);
}

const DECIMAL_DIGIT = /\p{Nd}/u;
const SPACE = /\p{Zs}/u;
const DASH = /[\p{Pd}\u2212]/u;
const ALIASES: Readonly<Record<string, string>> = { "＋": "+", "（": "(", "）": ")", "．": "." };
/** What each non-ASCII code point met so far stands for in the number view. */
const viewChars = new Map<number, string>();

/**
 * The value of a decimal digit of any script. Unicode encodes each script's
 * digits 0 to 9 in a row, so the value is the place in that row.
 */
function digitValue(code: number): string {
  let start = code;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return String((code - start) % 10);
}

function viewChar(code: number): string {
  let view = viewChars.get(code);
  if (view === undefined) {
    const char = String.fromCodePoint(code);
    if (DECIMAL_DIGIT.test(char)) view = digitValue(code);
    else if (SPACE.test(char)) view = " ";
    else if (DASH.test(char)) view = "-";
    else view = ALIASES[char] ?? (char.length === 1 ? char : "\ufffd");
    viewChars.set(code, view);
  }
  return view;
}

/** The text with one character per code point, for the shapes above, and where each began. */
function numberView(text: string): { view: string; starts: number[] } {
  const view: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) as number;
    starts.push(i);
    if (code < 0x80) view.push(code === 0x09 ? " " : (text[i] as string));
    else view.push(viewChar(code));
    if (code > 0xffff) i++;
  }
  starts.push(text.length);
  return { view: view.join(""), starts };
}

const isDigit = (char: string | undefined) => char !== undefined && char >= "0" && char <= "9";

/** Phone numbers, SNILS, bank cards, passports, INN and long numbers, each replaced. */
function maskNumbers(text: string): string {
  if (!/\p{Nd}/u.test(text)) return text;
  const { view, starts } = numberView(text);
  let masked = "";
  let copied = 0;
  for (let i = 0; i < view.length; ) {
    const char = view[i];
    const startsNumber = isDigit(char)
      ? !isDigit(view[i - 1])
      : (char === "+" || char === "(") && !isDigit(view[i - 1]);
    if (!startsNumber) {
      i++;
      continue;
    }
    let found: { end: number; placeholder: Placeholder } | undefined;
    for (const { pattern, kind } of SHAPES) {
      pattern.lastIndex = i;
      const match = pattern.exec(view);
      const placeholder = match && kind(match[0].replace(/\D/g, ""));
      if (placeholder) {
        found = { end: pattern.lastIndex, placeholder };
        break;
      }
    }
    if (found) {
      masked += text.slice(copied, starts[i]) + found.placeholder;
      copied = starts[found.end] as number;
      i = found.end;
    } else {
      // Not the start of anything: no shape starts inside this run of digits either.
      i++;
      while (isDigit(view[i])) i++;
    }
  }
  return masked + text.slice(copied);
}

/**
 * Replaces e-mail addresses, phone numbers (Russian and international),
 * SNILS, bank card numbers, passport numbers and INN in a text with
 * placeholders, for logs and stored questions. Digits of any script count,
 * and so do no-break spaces and every kind of dash between them. Check
 * digits tell a bare run of digits apart (Luhn for a card, SNILS's and
 * INN's own); any other run of 10 to 20 digits becomes "[номер]". Dates,
 * times, sums and numbers of up to 9 digits stay.
 *
 * @example maskPersonalData("карта 4276 1600 1234 5678, снилс 112-233-445 95") // "карта [карта], снилс [СНИЛС]"
 */
export function maskPersonalData(text: string): string {
  return maskNumbers(text.replace(EMAIL, "[e-mail]"));
}
