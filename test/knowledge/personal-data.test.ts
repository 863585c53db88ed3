import { describe, expect, it } from "vitest";
import { maskPersonalData } from "../../knowledge/index.ts";

describe("masking personal data", () => {
  it("masks SNILS, INN, passport, phone numbers and e-mail in their usual spellings", () => {
    const cases: [string, string][] = [
      ["снилс 123-456-789 01", "снилс [СНИЛС]"],
      ["СНИЛС 12345678901", "СНИЛС [СНИЛС]"],
      ["инн 500100732259", "инн [ИНН]"],
      ["ИНН организации 7707083893", "ИНН организации [ИНН]"],
      ["паспорт 45 06 123456", "паспорт [паспорт]"],
      ["паспорт 4506 № 123456", "паспорт [паспорт]"],
      ["звоните +7 (916) 123-45-67", "звоните [телефон]"],
      ["мой номер 8 916 123 45 67", "мой номер [телефон]"],
      ["тел 89161234567", "тел [телефон]"],
      ["пишите ivan.petrov+1@mail.ru", "пишите [e-mail]"],
    ];
    for (const [input, masked] of cases) expect(maskPersonalData(input), input).toBe(masked);
  });

  it("leaves ordinary text and short numbers alone", () => {
    for (const text of [
      "заявка 12345 висит 3 дня",
      "с 08:00 до 20:00",
      "в 2026 году",
      "код 1234",
    ]) {
      expect(maskPersonalData(text)).toBe(text);
    }
  });
});
