import { describe, expect, it } from "vitest";
import { maskPersonalData } from "../../knowledge/index.ts";

const expectMasked = (cases: [string, string][]) => {
  for (const [input, masked] of cases) expect(maskPersonalData(input), input).toBe(masked);
};

/** The same text in another script's decimal digits (０-９, ٠-٩, 𝟎-𝟗…). */
const inDigits = (text: string, zero: number) =>
  text.replace(/\d/g, (d) => String.fromCodePoint(zero + Number(d)));

describe("masking personal data", () => {
  it("masks SNILS, INN, passport, phone numbers and e-mail in their usual spellings", () => {
    expectMasked([
      ["снилс 123-456-789 01", "снилс [СНИЛС]"],
      ["СНИЛС 11223344595", "СНИЛС [СНИЛС]"],
      ["инн 500100732259", "инн [ИНН]"],
      ["ИНН организации 7707083893", "ИНН организации [ИНН]"],
      ["паспорт 45 06 123456", "паспорт [паспорт]"],
      ["паспорт 4506 № 123456", "паспорт [паспорт]"],
      ["звоните +7 (916) 123-45-67", "звоните [телефон]"],
      ["мой номер 8 916 123 45 67", "мой номер [телефон]"],
      ["тел 89161234567", "тел [телефон]"],
      ["пишите ivan.petrov+1@mail.ru", "пишите [e-mail]"],
    ]);
  });

  it("masks bank card numbers grouped, with dashes, without spaces, and 15-digit Amex", () => {
    expectMasked([
      ["карта 4276 1600 1234 5678 не привязывается", "карта [карта] не привязывается"],
      ["4276-1600-1234-5678", "[карта]"],
      ["оплатил с 4111111111111111", "оплатил с [карта]"],
      ["Amex 3782 822463 10005", "Amex [карта]"],
      ["Amex 378282246310005", "Amex [карта]"],
      ["мир 2200 0000 0000 0004 123", "мир [карта] 123"],
      ["мир 2200 0000 0000 0000 004", "мир [карта]"],
    ]);
  });

  it("reads digits of any script and every kind of space and dash between them", () => {
    const card = "карта 4111 1111 1111 1111";
    for (const zero of [0xff10, 0x660, 0x6f0, 0x966, 0x1d7ce, 0x1d7ec]) {
      expect(maskPersonalData(inDigits(card, zero)), inDigits(card, zero)).toBe("карта [карта]");
    }
    expectMasked([
      ["снилс 112.233.445 95", "снилс [СНИЛС]"],
      ["снилс 112\u00a0233\u00a0445\u00a095", "снилс [СНИЛС]"],
      ["снилс 112\u202f233\u202f445\u200995", "снилс [СНИЛС]"],
      ["тел. ８\u00a0(９１６)\u00a0１２３‑４５‑６７", "тел. [телефон]"],
      ["паспорт 4510-123456", "паспорт [паспорт]"],
      ["паспорт 4510–123456", "паспорт [паспорт]"],
      ["карта 4111\u00a01111\u00a01111\u00a01111", "карта [карта]"],
    ]);
  });

  it("masks phone numbers of other countries", () => {
    expectMasked([
      ["Минск +375 29 123-45-67", "Минск [телефон]"],
      ["+375291234567", "[телефон]"],
      ["Алматы +7 727 123 4567", "Алматы [телефон]"],
      ["London +44 20 7946 0958", "London [телефон]"],
      ["NY +1 (212) 555-0100", "NY [телефон]"],
      ["+375 29 123-45-67 12.03.2026", "[телефон] 12.03.2026"],
    ]);
  });

  it("tells a bare run of digits by its check digits, and masks any other long one as a number", () => {
    expectMasked([
      // Luhn: a card; the same digits mistyped are a number, still masked.
      ["4111111111111111", "[карта]"],
      ["4111111111111112", "[номер]"],
      // SNILS's check number.
      ["11223344595", "[СНИЛС]"],
      ["11223344596", "[номер]"],
      // INN's check digits.
      ["7707083893", "[ИНН]"],
      ["7707083894", "[номер]"],
      ["заявление 1234567890 висит", "заявление [номер] висит"],
      ["счёт 40817810099910004312", "счёт [номер]"],
    ]);
  });

  it("never takes an application number or a date for a card", () => {
    for (let length = 10; length <= 12; length++) {
      for (let start = 1; start <= 9; start++) {
        const number = Array.from({ length }, (_, i) => String((start + i * 7) % 10)).join("");
        expect(maskPersonalData(`заявление ${number}`)).not.toContain("[карта]");
      }
    }
    for (const text of [
      "с 12.03.2026 по 15.03.2026",
      "12.03.2026 15.03.2026",
      "2026-03-12 2026-03-15",
      "подал 12.03.2026 в 14:30",
    ]) {
      expect(maskPersonalData(text)).toBe(text);
    }
  });

  it("leaves ordinary text and short numbers alone", () => {
    for (const text of [
      "заявка 12345 висит 3 дня",
      "с 08:00 до 20:00",
      "в 2026 году",
      "код 1234",
      "штраф 1 500 руб",
      "сумма 15 000 000 руб",
      "заявление № 123456789",
    ]) {
      expect(maskPersonalData(text)).toBe(text);
    }
  });
});
