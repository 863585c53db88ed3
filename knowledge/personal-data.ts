// Personal data in free text: what citizens type into a support chat and
// what must not reach logs or analytics unmasked.

const PATTERNS: readonly [RegExp, string][] = [
  // E-mail addresses. The part before "@" is at most 64 characters (RFC 5321);
  // unbounded, a long run of letters cost a scan from each of its letters
  // (150 ms for 4,096 letters).
  [/[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu, "[e-mail]"],
  // Phone numbers: +7 / 8 and ten digits, with spaces, dashes or brackets
  // (before SNILS: eleven digits starting with 8 are more often a phone).
  [
    /(?<![\d+])(?:\+7|8)[\s\-‑–(]*\d{3}[\s\-‑–)]*\d{3}[\s\-‑–]*\d{2}[\s\-‑–]*\d{2}(?!\d)/g,
    "[телефон]",
  ],
  // SNILS: 123-456-789 01, 123 456 789 01, or 11 digits.
  [/(?<!\d)\d{3}[- ]?\d{3}[- ]?\d{3}[- ]?\d{2}(?!\d)/g, "[СНИЛС]"],
  // Passport: series and number apart, "45 06 123456", "4506 № 123456"
  // (ten digits in a row are taken for an INN below: masked all the same).
  [/(?<!\d)\d{2}\s?\d{2}(?:\s?№\s?|\s)\d{6}(?!\d)/g, "[паспорт]"],
  // INN: 12 digits (a person) or 10 (an organisation).
  [/(?<!\d)(?:\d{12}|\d{10})(?!\d)/g, "[ИНН]"],
];

/**
 * Replaces e-mail addresses, SNILS, phone numbers, passport numbers and INN
 * in a text with placeholders, for logs and stored questions. Errs on the
 * side of masking: any run of 10 to 12 digits goes.
 *
 * @example maskPersonalData("мой снилс 123-456-789 01") // "мой снилс [СНИЛС]"
 */
export function maskPersonalData(text: string): string {
  let masked = text;
  for (const [pattern, placeholder] of PATTERNS) masked = masked.replace(pattern, placeholder);
  return masked;
}
