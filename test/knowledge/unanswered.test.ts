import { describe, expect, it } from "vitest";
import {
  clusterUnanswered,
  createMatcher,
  type UnansweredQuestion,
  type UnansweredReason,
} from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";

const kb = realKnowledgeBase();
const knowledge = { kb, matcher: createMatcher(kb) };

let clock = Date.UTC(2025, 0, 15, 9, 0);
const asked = (text: string, reason: UnansweredReason = "escalated"): UnansweredQuestion => {
  clock += 60_000;
  return { text, reason, at: clock };
};

// One question put many ways: a typo, the wrong keyboard layout, other word
// forms, capitals and punctuation, other words around it.
const HOTLINE = [
  "телефон горячей линии",
  "Телефон горячей линии?",
  "телефон гарячей линии",
  "ntktajy ujhzxtq kbybb",
  "телефоны горячих линий",
  "какой телефон у горячей линии",
  "номер горячей линии госуслуг",
  "как позвонить на горячую линию",
];
const WEATHER = ["погода в москве", "какая погода завтра"];
const UNRELATED = [
  "как получить загранпаспорт",
  "вакцинация от ковида записаться",
  "сколько стоит проезд в метро",
];

/** The cluster a text went to (a text with stems of its own is an example of a small cluster). */
const clusterOf = (clusters: ReturnType<typeof clusterUnanswered>, text: string) =>
  clusters.find((c) => c.examples.some((e) => e.text === text));

describe("clusterUnanswered", () => {
  const questions = [
    ...HOTLINE.map((text, i) => asked(text, i % 3 === 0 ? "clarified" : "escalated")),
    ...WEATHER.map((text) => asked(text)),
    ...UNRELATED.map((text) => asked(text)),
  ];

  it("puts typo, layout and word-form variants of one question in one cluster, with its nearest intent", () => {
    const clusters = clusterUnanswered(questions, knowledge);
    const [hotline] = clusters;
    expect(hotline?.count).toBe(HOTLINE.length);
    expect(hotline?.nearest?.intent).toBe("contacts.hotline");
    expect(hotline?.nearest?.share).toBe(1);
    expect(hotline?.nearest?.meanScore).toBeGreaterThan(0.2);
    expect(hotline?.reasons).toEqual({ escalated: 5, clarified: 3, unhelpful: 0 });
    expect(hotline?.firstSeen).toBe(questions[0]?.at);
    expect(hotline?.lastSeen).toBe(questions[HOTLINE.length - 1]?.at);
  });

  it("shows each wording once, the most common and central first, typed without a slip", () => {
    const [hotline] = clusterUnanswered(questions, knowledge);
    const texts = hotline?.examples.map((e) => e.text) ?? [];
    // The first six HOTLINE texts have the same content stems ("какой" and
    // "у" are stop words): one example for them, shown as a text typed right,
    // counting all six.
    expect(hotline?.examples[0]?.count).toBe(6);
    expect(["телефон горячей линии", "Телефон горячей линии?"]).toContain(texts[0]);
    expect(texts).not.toContain("ntktajy ujhzxtq kbybb");
    expect(texts).not.toContain("телефон гарячей линии");
    expect(new Set(texts).size).toBe(texts.length);
    expect(hotline?.examples.reduce((n, e) => n + e.count, 0)).toBe(HOTLINE.length);
  });

  it("keeps unrelated questions apart, and a topic the knowledge base lacks has no nearest intent", () => {
    const clusters = clusterUnanswered(questions, knowledge);
    const weather = clusterOf(clusters, "погода в москве");
    expect(weather?.examples.map((e) => e.text).sort()).toEqual([...WEATHER].sort());
    expect(weather?.nearest).toBeUndefined();
    const homes = UNRELATED.map((text) => clusterOf(clusters, text));
    for (const home of homes) expect(home?.count).toBe(1);
    expect(new Set([clusters[0], weather, ...homes]).size).toBe(2 + UNRELATED.length);
    expect(clusters.reduce((n, c) => n + c.count, 0)).toBe(questions.length);
  });

  it("sorts clusters by size and gives the same result whatever the input order", () => {
    const clusters = clusterUnanswered(questions, knowledge);
    const counts = clusters.map((c) => c.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const reversed = clusterUnanswered([...questions].reverse(), knowledge);
    expect(reversed).toEqual(clusters);
  });

  it("cuts examples to the limit and keeps messages with no words in a cluster of their own", () => {
    const input = [...questions, asked("😀"), asked("???"), asked("😀")];
    const clusters = clusterUnanswered(input, knowledge, { examples: 2 });
    for (const cluster of clusters) expect(cluster.examples.length).toBeLessThanOrEqual(2);
    const empty = clusters.find((c) => c.noWords);
    expect(empty?.count).toBe(3);
    expect(empty?.examples.map(({ text, count }) => ({ text, count }))).toEqual([
      { text: "😀", count: 2 },
      { text: "???", count: 1 },
    ]);
    // Each example carries its own questions.
    expect(empty?.examples[0]?.questions.map((q) => q.text)).toEqual(["😀", "😀"]);
    expect(empty?.nearest).toBeUndefined();
    expect(clusters.filter((c) => c.noWords)).toHaveLength(1);
  });

  it("splits rewordings apart under a stricter threshold", () => {
    const loose = clusterUnanswered(questions, knowledge);
    const strict = clusterUnanswered(questions, knowledge, { threshold: 0.9 });
    expect(strict.length).toBeGreaterThan(loose.length);
    // Variants with the same stems stay together however strict.
    expect(strict[0]?.count).toBe(6);
  });

  it("returns nothing for no questions", () => {
    expect(clusterUnanswered([], knowledge)).toEqual([]);
  });
});
