import { describe, expect, it } from "vitest";
import { CITIZEN_TEXTS, OPERATOR_TEXTS } from "../../handoff/index.ts";

// Every text the desk says, rendered with sample values (names of either gender).
function rendered(texts: Record<string, unknown>, name: string): [string, string][] {
  return Object.entries(texts).map(([key, value]) => [
    key,
    typeof value === "function" ? String(value(7, name, name, name)) : String(value),
  ]);
}

// Russian past tense and "он/она" say a person's gender: "подключился",
// "закрыла", "он ответит". Role nouns ("оператор") and "взял(а)" do not.
const GENDERED = /(?<!\p{L})(?:\p{L}+(?:лся|лась|ла|л)(?![\p{L}(])|он(?!\p{L})|она(?!\p{L}))/giu;

describe("the desk's wording", () => {
  it("assumes no one's gender, in Russian, about operators and citizens alike", () => {
    for (const name of ["Анна", "Борис"]) {
      for (const [key, text] of [
        ...rendered({ ...CITIZEN_TEXTS.ru }, name),
        ...rendered({ ...OPERATOR_TEXTS }, name),
      ]) {
        expect(
          [...text.matchAll(GENDERED)].map((m) => m[0]),
          key,
        ).toEqual([]);
      }
    }
  });

  it("uses they, not he or she, in English", () => {
    for (const [key, text] of rendered({ ...CITIZEN_TEXTS.en }, "Anna")) {
      expect(text.match(/\b(?:he|she|his|her|him)\b/gi), key).toBeNull();
    }
  });
});
