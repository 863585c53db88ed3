import { describe, expect, it } from "vitest";
import { buildVocabulary, createAnalyzer } from "../../knowledge/analyzer.ts";
import { cyrillicToQwerty, qwertyToCyrillic, typedOnQwerty } from "../../knowledge/layout.ts";
import { isPersonName } from "../../knowledge/lemma.ts";
import { detectLanguage, normalizeText, splitWords } from "../../knowledge/normalize.ts";
import { lemmaOf, stemWord } from "../../knowledge/stem.ts";
import { createSynonymMap } from "../../knowledge/synonyms.ts";
import { createTypoIndex, editDistance } from "../../knowledge/typo.ts";

describe("normalisation", () => {
  it("lowercases, folds ё to е, keeps й, collapses letters repeated three times", () => {
    expect(normalizeText("ЁЛКИ Пожалуйстааа, сайт")).toBe("елки пожалуйста, сайт");
    expect(normalizeText("аккаунт")).toBe("аккаунт");
  });

  it("splits on punctuation, emoji and hyphens", () => {
    expect(splitWords("онлайн-чат 👍 госуслуги!!! 24/7")).toEqual([
      "онлайн",
      "чат",
      "госуслуги",
      "24",
      "7",
    ]);
    expect(splitWords("🙂🙂 ...")).toEqual([]);
  });

  it("reads the language from the letters", () => {
    expect(detectLanguage(["how", "to", "login"])).toBe("en");
    expect(detectLanguage(["мой", "email"])).toBe("ru");
    expect(detectLanguage(["123"])).toBeUndefined();
  });

  it("stems Russian and English, keeps abbreviations and short words whole", () => {
    expect(stemWord("госуслугах")).toBe(stemWord("госуслуги"));
    expect(stemWord("паролей")).toBe(stemWord("пароль"));
    expect(stemWord("снилс")).toBe("снилс");
    expect(stemWord("passwords")).toBe("password");
  });
});

describe("keyboard layout", () => {
  it("maps QWERTY keys to the Russian letters on them and back", () => {
    expect(qwertyToCyrillic("pf,kjrbhjdfkb frrfeyn")).toBe("заблокировали аккаунт");
    expect(cyrillicToQwerty("зфыыцщкв")).toBe("password");
  });

  it("reads the shifted keys and punctuation of text typed on QWERTY as they come out on ЙЦУКЕН", () => {
    expect(typedOnQwerty("rfr djccnfyjdbnm gfhjkm&")).toBe("как восстановить пароль?");
    expect(typedOnQwerty("<kfujlfhy/ :fkj,f")).toBe("благодарн. жалоба");
    expect(typedOnQwerty("cnfnec? ult")).toBe("статус, где");
  });
});

describe("synonyms", () => {
  it("replaces whole phrases, the longest first", () => {
    const map = createSynonymMap({
      "гос услуги": "госуслуги",
      "личный кабинет": "кабинет",
      гос: "государственный",
    });
    expect(map.apply(["зайти", "в", "гос", "услуги"])).toEqual(["зайти", "в", "госуслуги"]);
    expect(map.apply(["гос", "пошлина"])).toEqual(["государственный", "пошлина"]);
    expect(map.apply(["личный", "счет"])).toEqual(["личный", "счет"]);
  });
});

describe("names", () => {
  it("are words whose likeliest reading is a first name, patronymic or surname", () => {
    for (const name of ["ирина", "петровна", "сергеевич", "иванова"]) {
      expect(isPersonName(name), name).toBe(true);
    }
    for (const word of ["вера", "роза", "пароль", "москва"])
      expect(isPersonName(word), word).toBe(false);
  });
});

describe("lemmas", () => {
  it("joins the forms of a word that stems split, and splits words that stems join", () => {
    expect(lemmaOf("заявок")).toBe("заявка");
    expect(lemmaOf("заявка")).toBe("заявка");
    expect(lemmaOf("звонка")).toBe("звонок");
    expect(lemmaOf("грузится")).toBe("грузиться");
    expect(stemWord("грузится")).toBe(stemWord("грузия"));
  });

  it("reads only words the dictionary has as written", () => {
    expect(lemmaOf("пороль")).toBeUndefined();
    expect(lemmaOf("лиини")).toBeUndefined();
    expect(lemmaOf("снилс")).toBeUndefined();
    expect(lemmaOf("password")).toBeUndefined();
  });

  it("joins a synonym's forms by lemma, not by shared letters", () => {
    const map = createSynonymMap({ грузия: "за границей", почту: "email" });
    expect(map.apply(["в", "грузии"])).toEqual(["в", "за", "границей"]);
    expect(map.apply(["сайт", "грузится"])).toEqual(["сайт", "грузится"]);
    expect(map.apply(["почта"])).toEqual(["email"]);
    expect(map.apply(["почти"])).toEqual(["почти"]);
  });
});

describe("typo repair", () => {
  const index = createTypoIndex(
    new Map([
      ["пароль", 10],
      ["поддержки", 5],
      ["чего", 3],
      ["куда", 8],
      ["заявление", 6],
    ]),
  );

  it("repairs slips: a swap, a missing or extra letter, a neighbouring key, a sound-alike", () => {
    expect(index.correct("поддрежки")).toBe("поддержки");
    expect(index.correct("пароь")).toBe("пароль");
    expect(index.correct("паролль")).toBe("пароль");
    expect(index.correct("пороль")).toBe("пароль");
    expect(index.correct("заяввлениеее")).toBeUndefined();
  });

  it("does not turn another real word into a known one", () => {
    expect(index.correct("него")).toBeUndefined();
    expect(index.correct("суда")).toBeUndefined();
    expect(index.correct("кот")).toBeUndefined();
  });

  it("counts a swap of neighbouring letters as one edit", () => {
    expect(editDistance("поддрежки", "поддержки")).toBe(1);
    expect(editDistance("суда", "куда")).toBe(2);
  });

  it("charges less for the commonest citizen errors than for slips of the keyboard", () => {
    expect(editDistance("пороль", "пароль")).toBe(0.35);
    expect(editDistance("извените", "извините")).toBe(0.35);
    expect(editDistance("записатся", "записаться")).toBe(0.35);
    expect(editDistance("колличество", "количество")).toBe(0.35);
    expect(editDistance("пароль", "паролт")).toBe(0.7);
    expect(editDistance("карта", "парта")).toBe(2);
  });

  it("repairs several common errors in one word", () => {
    const words = createTypoIndex(
      new Map([
        ["регистрироваться", 2],
        ["отказали", 1],
      ]),
    );
    expect(words.correct("регестрироватся")).toBe("регистрироваться");
    expect(words.correct("откозале")).toBe("отказали");
  });
});

describe("spelling against a real lexicon", () => {
  const analyzer = createAnalyzer(createSynonymMap({}), {
    ru: buildVocabulary([["пароль", "забыл"]]),
    en: buildVocabulary([["password"]]),
  });
  const read = (text: string) =>
    analyzer.analyze(text).tokens.map((t) => [t.corrected, t.known] as const);

  it("repairs a misspelt word of ours", () => {
    expect(read("забыл пороль")).toEqual([
      ["забыл", true],
      ["пароль", true],
    ]);
  });

  it("leaves abbreviations and names alone", () => {
    const names = createAnalyzer(createSynonymMap({}), {
      ru: buildVocabulary([["фссб", "казан"]]),
      en: buildVocabulary([["password"]]),
    });
    const words = names.analyze("фссп казань").tokens.map((t) => t.corrected);
    expect(words).toEqual(["фссп", "казань"]);
  });

  it("leaves a real word our examples lack alone, unknown", () => {
    expect(read("забыл порол")).toEqual([
      ["забыл", true],
      ["порол", false],
    ]);
  });
});
