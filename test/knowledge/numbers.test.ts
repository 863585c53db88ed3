import { beforeAll, describe, expect, it } from "vitest";
import { createMatcher, type Matcher } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { answeredDevQuestions } from "./answered-dev-questions.ts";

// What citizens paste into a question: an application number, a date, a
// SNILS, a phone, an order number.
const NUMBERS = ["1234567890", "12.03.2025", "123-456-789 01", "+7 912 345-67-89", "№ 98765"];

let matcher: Matcher;
beforeAll(() => {
  matcher = createMatcher(realKnowledgeBase());
});

describe("numbers pasted into a question", () => {
  it("do not count against the match: the question keeps its answer", () => {
    const answered = answeredDevQuestions(matcher);
    expect(answered.length).toBeGreaterThan(300);
    let kept = 0;
    const wrong: string[] = [];
    for (const q of answered) {
      for (const number of NUMBERS) {
        const text = `${q.text} ${number}`;
        const decision = matcher.match(text).decision;
        if (decision.kind === "answer" && decision.intent === q.intent) kept++;
        else if (decision.kind === "answer") wrong.push(text);
      }
    }
    expect(wrong).toEqual([]);
    expect(kept / (answered.length * NUMBERS.length)).toBeGreaterThanOrEqual(0.97);
  });

  it("keep the numbers the knowledge base knows, and a number alone is still nothing to answer", () => {
    const { analysis } = matcher.match("позвонил на 115 не дозвонился 4563");
    expect(analysis.tokens.map((t) => t.word)).toContain("115");
    expect(analysis.tokens.map((t) => t.word)).not.toContain("4563");
    expect(matcher.match("1234567890").decision.kind).toBe("escalate");
  });

  it("take times and dates out as numbers, however short, and keep 24/7", () => {
    const words = (text: string) => matcher.match(text).analysis.tokens.map((t) => t.word);
    expect(words("можно позвонить в 21:30 или в 9.00")).not.toContain("30");
    expect(words("можно позвонить в 21:30 или в 9.00")).not.toContain("00");
    expect(words("заявление подал 12.03, ответа нет")).not.toContain("12");
    expect(words("is the hotline 24/7")).toEqual(expect.arrayContaining(["24", "7"]));
  });
});
