import { beforeAll, describe, expect, it } from "vitest";
import { createMatcher, type Matcher } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { answeredDevQuestions } from "./answered-dev-questions.ts";

// Ways citizens open and close a question; none of them is the question.
// (Politeness in another language than the question's is a mixed message,
// a matter of its own.)
const FRAMES: Record<"ru" | "en", [string, string][]> = {
  ru: [
    ["Здравствуйте! ", " Заранее спасибо!"],
    ["Добрый день. ", " Спасибо большое"],
    ["Привет, извините за беспокойство. ", " Буду благодарна за ответ"],
    ["Доброе утро! ", " Спасибо, хорошего дня"],
    ["Добрый вечер! Очень нужна ваша помощь. ", " Заранее благодарю за ответ!"],
    ["Привет) ", " спасибо заранее"],
    ["Уважаемая поддержка, ", " С уважением"],
  ],
  en: [
    ["Hello! ", " Thanks in advance"],
    ["Hi there, sorry to bother you. ", " Thank you!"],
    ["Good morning. ", " Many thanks, have a nice day"],
    ["Dear support, ", " Best regards"],
  ],
};

let matcher: Matcher;
beforeAll(() => {
  matcher = createMatcher(realKnowledgeBase());
});

describe("politeness around a question", () => {
  it("never turns a question the bot answers into small talk, and keeps its answer", () => {
    const answered = answeredDevQuestions(matcher).filter(
      (q) => !q.intent.startsWith("smalltalk."),
    );
    expect(answered.length).toBeGreaterThan(300);
    const smalltalk: string[] = [];
    let kept = 0;
    let total = 0;
    for (const q of answered) {
      for (const [before, after] of FRAMES[matcher.match(q.text).analysis.language]) {
        const text = before + q.text + after;
        const decision = matcher.match(text).decision;
        total++;
        if (decision.kind === "answer" && decision.intent.startsWith("smalltalk.")) {
          smalltalk.push(text);
        }
        if (decision.kind === "answer" && decision.intent === q.intent) kept++;
      }
    }
    expect(smalltalk).toEqual([]);
    expect(kept / total).toBeGreaterThanOrEqual(0.95);
  });

  it("still answers a message that is nothing but small talk as small talk", () => {
    for (const [text, intent] of [
      ["Здравствуйте!", "smalltalk.greeting"],
      ["Добрый вечер", "smalltalk.greeting"],
      ["Спасибо большое, до свидания!", "smalltalk.thanks"],
      ["thank you so much", "smalltalk.thanks"],
    ] as const) {
      expect(matcher.match(text).decision, text).toEqual({ kind: "answer", intent });
    }
  });

  it("matches a question on what it asks: the polite words and sentences are left out", () => {
    const { analysis } = matcher.match("Здравствуйте! Как восстановить пароль? Спасибо большое!");
    expect(analysis.tokens.map((t) => t.corrected)).toEqual(["как", "восстановить", "пароль"]);
    expect(analysis.sentences.flat().some((t) => t.courtesy)).toBe(false);
  });
});

describe("a signature", () => {
  it("is no unknown word: the name under a question is left out", () => {
    const { analysis } = matcher.match("Как восстановить пароль? С уважением, Ирина Петровна");
    expect(analysis.tokens.map((t) => t.corrected)).toEqual(["как", "восстановить", "пароль"]);
  });
});

describe("fillers and interjections", () => {
  it("are no words of the question, in either language or in Latin letters", () => {
    const words = (text: string) => matcher.match(text).analysis.tokens.map((t) => t.word);
    expect(words("сайт опять не работает лол")).not.toContain("лол");
    expect(words("the app won't open lol, omg")).not.toContain("lol");
    expect(words("the app won't open lol, omg")).not.toContain("лол");
    expect(words("the app won't open lol, omg")).not.toContain("omg");
  });
});
