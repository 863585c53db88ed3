import { beforeAll, describe, expect, it } from "vitest";
import { createMatcher, type Matcher } from "../../knowledge/index.ts";
import { cyrillicReadings } from "../../knowledge/translit.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { answeredDevQuestions } from "./answered-dev-questions.ts";

// Three ways people write Russian in Latin letters, as they mix them.
const COMMON: Record<string, string> = {
  а: "a",
  б: "b",
  в: "v",
  г: "g",
  д: "d",
  е: "e",
  ё: "e",
  з: "z",
  и: "i",
  к: "k",
  л: "l",
  м: "m",
  н: "n",
  о: "o",
  п: "p",
  р: "r",
  с: "s",
  т: "t",
  у: "u",
  ф: "f",
  ц: "ts",
  э: "e",
  ъ: "",
};
const CONVENTIONS: Record<string, string>[] = [
  {
    ...COMMON,
    ж: "zh",
    й: "y",
    х: "kh",
    ч: "ch",
    ш: "sh",
    щ: "shch",
    ы: "y",
    ь: "'",
    ю: "yu",
    я: "ya",
  },
  { ...COMMON, ж: "j", й: "i", х: "x", ч: "4", ш: "w", щ: "sch", ы: "i", ь: "", ю: "iu", я: "ia" },
  {
    ...COMMON,
    ж: "zh",
    й: "j",
    х: "h",
    ч: "ch",
    ш: "sh",
    щ: "sch",
    ы: "y",
    ь: "",
    ю: "ju",
    я: "ja",
    ц: "c",
  },
];
const romanize = (text: string, convention: Record<string, string>) =>
  [...text.toLowerCase()].map((ch) => convention[ch] ?? ch).join("");

let matcher: Matcher;
beforeAll(() => {
  matcher = createMatcher(realKnowledgeBase());
});

describe("Russian written in Latin letters", () => {
  it("reads a word in every convention people mix", () => {
    for (const [latin, russian] of [
      ["parol", "парол"],
      ["zayavleniya", "заявления"],
      ["zaiavleniia", "заявления"],
      ["zajavlenija", "заявления"],
      ["4to", "что"],
      ["pochta", "почта"],
      ["po4ta", "почта"],
      ["nashi", "наши"],
      ["nawi", "наши"],
      ["xochu", "хочу"],
      ["khochu", "хочу"],
      ["hochu", "хочу"],
      ["vojti", "войти"],
      ["voyti", "войти"],
      ["voiti", "войти"],
      ["uje", "уже"],
    ] as const) {
      expect(cyrillicReadings(latin), latin).toContain(russian);
    }
  });

  it("understands a question written so as the same question in Cyrillic", () => {
    const questions = answeredDevQuestions(matcher).filter((q) => /^[^a-z]*$/i.test(q.text));
    expect(questions.length).toBeGreaterThan(200);
    let kept = 0;
    const wrong: string[] = [];
    for (const q of questions) {
      for (const convention of CONVENTIONS) {
        const text = romanize(q.text, convention);
        const { decision, analysis } = matcher.match(text);
        if (decision.kind === "answer" && decision.intent === q.intent) {
          kept++;
          expect(analysis.language, text).toBe("ru");
        } else if (decision.kind === "answer") wrong.push(`${text} → ${decision.intent}`);
      }
    }
    expect(kept / (questions.length * CONVENTIONS.length)).toBeGreaterThanOrEqual(0.9);
    expect(wrong.length / (questions.length * CONVENTIONS.length)).toBeLessThanOrEqual(0.01);
  });

  it("reads an apostrophe for ь inside a word, and prefers a real word to one that shares a stem", () => {
    const words = (text: string) => matcher.match(text).analysis.tokens.map((t) => t.corrected);
    expect(words("kak napisat' pis'mo v podderjku")).toEqual(
      expect.arrayContaining(["написать", "письмо"]),
    );
    expect(words("gde moi dannye")).toContain("данные");
    expect(matcher.match("I don't know my password").analysis.language).toBe("en");
  });

  it("keeps English, real Latin words and addresses as they are", () => {
    for (const text of ["How do I reset my password?", "my account is blocked"]) {
      const { analysis } = matcher.match(text);
      expect(analysis.language, text).toBe("en");
      expect(analysis.transliterated, text).toEqual([]);
    }
    const { analysis } = matcher.match("не приходит sms на email, сайт nalog.ru");
    expect(analysis.transliterated).toEqual([]);
  });
});
