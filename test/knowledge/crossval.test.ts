import { describe, expect, it } from "vitest";
import {
  assignFolds,
  createMatcher,
  crossValidate,
  type Intent,
  type KnowledgeBase,
} from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";

const intent = (id: string, ru: string[], en: string[]): Intent => ({
  id,
  topic: "account",
  title: { ru: id, en: id },
  examples: { ru, en },
  answer: { ru: id, en: id },
  links: [],
  followUp: [],
  escalate: false,
  file: `${id}.yaml`,
});

// A small knowledge base: two ordinary intents, and one whose every example
// is a word no other example has, which only a matcher that has seen that
// very example can know.
function smallKnowledgeBase(): KnowledgeBase {
  const intents = [
    intent(
      "account.password",
      [
        "забыл пароль",
        "как восстановить пароль",
        "не помню пароль от госуслуг",
        "сбросить пароль",
        "пароль не подходит",
        "восстановить пароль от личного кабинета",
        "как поменять пароль",
        "забыла пароль что делать",
        "пароль потерял",
        "новый пароль не приходит",
      ],
      [
        "forgot my password",
        "reset password",
        "how to recover my password",
        "password does not work",
        "change my password",
      ],
    ),
    intent(
      "application.status",
      [
        "статус заявления",
        "где посмотреть статус заявления",
        "что с моим заявлением",
        "заявление на рассмотрении",
        "сколько рассматривают заявление",
        "где моя заявка",
        "статус заявки не меняется",
        "как узнать статус заявки",
        "заявление отправлено что дальше",
        "проверить заявление",
      ],
      [
        "application status",
        "where is my application",
        "check my application",
        "status of my application",
        "application still pending",
      ],
    ),
    intent(
      "account.unique",
      ["квазибор", "ментариф", "глоксинда", "трапезунд", "вельмикор"],
      ["zorbulate", "quindrix", "mervalon"],
    ),
  ];
  return {
    ...realKnowledgeBase(),
    intents,
    byId: new Map(intents.map((i) => [i.id, i])),
    synonyms: {},
    outOfScope: {
      ru: [
        "какая погода завтра",
        "когда придёт пенсия",
        "сколько стоит билет на поезд",
        "посоветуй фильм",
        "как приготовить борщ",
        "курс доллара сегодня",
      ],
      en: ["what is the weather", "recommend a movie", "price of a train ticket"],
    },
  };
}

const exampleCount = (kb: KnowledgeBase) =>
  kb.intents.reduce((n, i) => n + i.examples.ru.length + i.examples.en.length, 0);

describe("k-fold cross-validation over the examples", () => {
  it("deals every example into exactly one fold, each intent's spread over all folds", () => {
    const kb = smallKnowledgeBase();
    const folds = assignFolds(kb, 5);
    expect(folds.size).toBe(exampleCount(kb) + 9);
    const passwordRu = kb.intents[0]?.examples.ru ?? [];
    const perFold = [0, 1, 2, 3, 4].map(
      (fold) => passwordRu.filter((text) => folds.get(text) === fold).length,
    );
    expect(perFold).toEqual([2, 2, 2, 2, 2]);
    expect(assignFolds(kb, 5, 1)).toEqual(folds);
    expect(assignFolds(kb, 5, 2)).not.toEqual(folds);
  });

  it("asks each example once, of a matcher trained on every other fold", () => {
    const kb = smallKnowledgeBase();
    const { folds, overall } = crossValidate(kb, { folds: 4 });
    expect(folds).toHaveLength(4);
    expect(overall.inScope.total).toBe(exampleCount(kb));
    expect(overall.outOfScope.total).toBe(9);
    for (const fold of folds) {
      const held = fold.inScope.total + fold.outOfScope.total;
      expect(fold.trained + held).toBe(exampleCount(kb) + 9);
    }
    const { inScope } = overall;
    expect(inScope.correct + inScope.wrong + inScope.clarified + inScope.escalated).toBe(
      inScope.total,
    );
    expect(Object.keys(overall.byKind).sort()).toEqual(["en", "oos_en", "oos_ru", "ru"]);
  });

  it("rebuilds the vocabulary and the intents' centroids without the held-out examples", () => {
    const kb = smallKnowledgeBase();
    // Left out of the best-example search only, an example still lives in
    // its intent's centroid and the vocabulary: the one-word examples look known.
    const full = createMatcher(kb);
    const unique = kb.intents[2]?.examples.ru ?? [];
    const known = unique.filter(
      (text) => full.match(text, { exclude: text }).candidates[0]?.intent === "account.unique",
    );
    expect(known.length).toBe(unique.length);
    // Held out for real, none of them is known to the intent.
    const { confusions } = crossValidate(kb, { folds: 4 }).overall;
    const answeredUnique = confusions.filter((c) => c.expected === "account.unique");
    expect(answeredUnique.reduce((n, c) => n + c.count, 0)).toBe(8);
  });

  it("answers the ordinary intents' examples mostly right on a small base", () => {
    const { overall } = crossValidate(smallKnowledgeBase(), { folds: 5 });
    const ordinary = overall.inScope.total - 8;
    expect(overall.inScope.correct / ordinary).toBeGreaterThanOrEqual(0.6);
    expect(overall.inScope.wrong).toBeLessThanOrEqual(3);
  });

  it("refuses fewer than two folds", () => {
    expect(() => crossValidate(smallKnowledgeBase(), { folds: 1 })).toThrow(/folds/);
  });
});
