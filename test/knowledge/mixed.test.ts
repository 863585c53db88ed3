import { beforeAll, describe, expect, it } from "vitest";
import { createMatcher, type Matcher } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { answeredDevQuestions } from "./answered-dev-questions.ts";

// Russian and English in one message, written for this test (not taken from
// any evaluation set): the way expats and young people mix the two.
const MIXED: [string, string][] = [
  ["how to восстановить пароль", "account.login_recovery"],
  ["forgot пароль, что делать", "account.login_recovery"],
  ["не могу login на портал", "account.login_recovery"],
  ["i forgot my пароль от госуслуг", "account.login_recovery"],
  ["как сделать registration на госуслугах", "account.registration"],
  ["не приходит sms code при регистрации", "account.registration"],
  ["where to check статус заявления", "application.status"],
  ["какой status у моей заявки", "application.status"],
  ["my заявление отклонили, why", "application.rejected"],
  ["what is номер горячей линии", "contacts.hotline"],
  ["телефон support госуслуг", "contacts.hotline"],
  ["how to позвонить из-за границы", "contacts.abroad"],
  ["где найти online chat на портале", "contacts.online_chat"],
  ["what are часы работы поддержки", "hours.schedule"],
  ["хочу talk to operator", "operator.request"],
  ["позовите live person пожалуйста", "operator.request"],
  ["app постоянно crashes", "tech.site_problems"],
  ["где скачать mobile app госуслуги", "contacts.mobile_app"],
  ["как подтвердить identity на госуслугах", "account.identity_verification"],
  ["нет доступа к email, how to change it", "account.email_access"],
  ["хочу оставить complaint на поддержку", "feedback.complaint"],
  ["help с заполнением формы", "forms.filling_help"],
  ["какой email у поддержки госуслуг", "contacts.email"],
];

// Mixed, and none of the bot's business.
const MIXED_OUT_OF_SCOPE = [
  "what is the погода в Москве",
  "best пицца рядом со мной",
  "how much пенсия у моей бабушки",
  "порекомендуй хороший movie на вечер",
];

let matcher: Matcher;
beforeAll(() => {
  matcher = createMatcher(realKnowledgeBase());
});

describe("a message in Russian and English at once", () => {
  it("is answered with the right intent, never a wrong one", () => {
    const wrong: string[] = [];
    let right = 0;
    for (const [text, intent] of MIXED) {
      const { decision } = matcher.match(text);
      if (decision.kind === "answer" && decision.intent === intent) right++;
      else if (decision.kind === "answer") wrong.push(`${text} → ${decision.intent}`);
    }
    expect(wrong).toEqual([]);
    expect(right / MIXED.length).toBeGreaterThanOrEqual(0.9);
  });

  it("is still escalated when it is out of scope", () => {
    for (const text of MIXED_OUT_OF_SCOPE) {
      expect(matcher.match(text).decision.kind, text).toBe("escalate");
    }
  });

  it("matches each word against the examples of its own language", () => {
    const { analysis, unknownShare } = matcher.match("where is статус моего заявления");
    expect(analysis.language).toBe("ru");
    // "is" is an English stop word, "моего" a Russian one; "where" is English.
    expect(analysis.tokens.map((t) => [t.corrected, t.language])).toEqual([
      ["where", "en"],
      ["статус", "ru"],
      ["заявления", "ru"],
    ]);
    expect(unknownShare).toBe(0);
  });

  it("keeps Latin words the Russian examples use as Russian", () => {
    const { analysis } = matcher.match("не приходит sms на телефон");
    expect(analysis.tokens.every((t) => t.language === "ru")).toBe(true);
  });

  it("answers in the language the question is asked in, whatever the greeting's", () => {
    expect(matcher.match("Hi! Как восстановить пароль? Thank you!").analysis.language).toBe("ru");
    expect(matcher.match("Привет! How do I reset my password? Спасибо!").analysis.language).toBe(
      "en",
    );
    expect(matcher.match("where is my статус заявления").analysis.language).toBe("ru");
  });

  it("keeps the answer of a question greeted and thanked in the other language", () => {
    const frames = {
      ru: [
        ["Hi! ", " Thank you!"],
        ["Hello. ", " Thanks!"],
      ],
      en: [
        ["Здравствуйте! ", " Спасибо!"],
        ["Привет. ", " Спасибо большое!"],
      ],
    } as const;
    const answered = answeredDevQuestions(matcher).filter(
      (q) => !q.intent.startsWith("smalltalk."),
    );
    expect(answered.length).toBeGreaterThan(300);
    const lost: string[] = [];
    let total = 0;
    for (const q of answered) {
      for (const [before, after] of frames[matcher.match(q.text).analysis.language]) {
        const text = before + q.text + after;
        const { decision } = matcher.match(text);
        total++;
        if (decision.kind !== "answer" || decision.intent !== q.intent) lost.push(text);
      }
    }
    expect(lost.length / total).toBeLessThanOrEqual(0.02);
  });

  it("scores a message in one language as before: its words are all that language's", () => {
    for (const text of ["как восстановить пароль", "how do I reset my password"]) {
      const { analysis } = matcher.match(text);
      expect(analysis.tokens.every((t) => t.language === analysis.language)).toBe(true);
    }
  });
});
