import { describe, expect, it } from "vitest";
import { citizenTexts, type Format, operatorTexts } from "../../bot/desk/index.ts";

// The texts in a format that shows any sample value as its words (a list as
// its one name), so every template can be filled alike.
const words: Format = { b: (text) => text, text: (raw) => String(raw), html: (markup) => markup };
const CITIZEN_TEXTS = citizenTexts(words);
const OPERATOR_TEXTS = operatorTexts(words);

// Every text the desk says, rendered with sample values (names of either
// gender). A one-name list reads as the name in a template and serves the
// texts that take a list of lines (the reminder digest).
function rendered(texts: Record<string, unknown>, name: string): [string, string][] {
  const sample = [name];
  return Object.entries(texts).map(([key, value]) => [
    key,
    typeof value === "function" ? String(value(7, sample, sample, sample)) : String(value),
  ]);
}

// Russian past tense and "он/она" say a person's gender: "подключился",
// "закрыла", "он ответит". Role nouns ("оператор") and "взял(а)" do not. A
// past tense ends in a vowel and л (a "файл" is no verb).
const GENDERED =
  /(?<!\p{L})(?:\p{L}+[аеёиоуыэюя](?:лся|лась|ла|л)(?![\p{L}(])|он(?!\p{L})|она(?!\p{L}))/giu;

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
