import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitPlainText } from "../../bot/desk/message-limits.ts";
import { MAX_MESSAGE_LENGTH, splitMessage } from "../../bot/messages.ts";
import {
  BIDI_CONTROL,
  checkHtml,
  createMatcher,
  escapeHtml,
  htmlToText,
  maskPersonalData,
  replyTo,
  withoutBidiControls,
} from "../../knowledge/index.ts";
import { cyrillicToQwerty, QWERTY_WORD, qwertyToCyrillic } from "../../knowledge/layout.ts";
import { detectLanguage, normalizeText, splitWords } from "../../knowledge/normalize.ts";
import { parseHtml } from "../bot-api-double/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { fuzzParameters } from "./fuzz-settings.ts";
import { createHangGuard } from "./hang-guard.ts";
import { LONE_SURROGATE } from "./telegram-checks.ts";
import {
  anyText,
  htmlLike,
  nearlyValidHtml,
  notPersonalData,
  personalNumber,
  wordsAround,
} from "./text-arbitraries.ts";

// Any Unicode a citizen can send (up to 4,096 characters) through every
// function that reads it: none throws, each returns what its contract says,
// and no input takes catastrophically long (see hang-guard.ts).

const kb = realKnowledgeBase();
const matcher = createMatcher(kb);
const guard = createHangGuard();
const AT = new Date("2026-11-25T12:00:00+03:00");
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE, "g");

describe("normalising any text", () => {
  it("lowercases, drops ё and triple letters, and splits into every letter and digit", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const normalized = guard.time("normalizeText", () => normalizeText(text));
        expect(normalized.toLowerCase()).toBe(normalized);
        expect(normalized).not.toContain("ё");
        expect(normalized).not.toMatch(/(\p{L})\1{2,}/u);
        const words = guard.time("splitWords", () => splitWords(normalized));
        for (const word of words) expect(word).toMatch(/^[\p{L}\p{N}]+$/u);
        const kept = [...normalized].filter((c) => LETTER_OR_DIGIT.test(c)).join("");
        expect(words.join("")).toBe(kept);
        const language = detectLanguage(words);
        const hasLetters = words.some((w) => /[а-яё]|[a-z]/.test(w));
        expect(language === undefined).toBe(!hasLetters);
      }),
      fuzzParameters(300),
    );
  });

  it("maps QWERTY and ЙЦУКЕН keys back and forth without loss", () => {
    const qwertyText = fc.string({
      unit: fc.constantFrom(..."qwertyuiop[]asdfghjkl;'zxcvbnm,.` 1!-ж".split("")),
      maxLength: 300,
    });
    fc.assert(
      fc.property(fc.oneof(qwertyText, anyText), (text) => {
        const lower = text.toLowerCase().replace(/[а-яё]/g, "");
        const cyrillic = qwertyToCyrillic(lower);
        expect([...cyrillic].length).toBe([...lower].length);
        expect(cyrillicToQwerty(cyrillic)).toBe(lower);
        if (QWERTY_WORD.test(lower)) expect(cyrillic).toMatch(/^[а-яё]+$/);
      }),
      fuzzParameters(200),
    );
  });
});

describe("matching any text against the real knowledge base", () => {
  it("analyzes into known kinds of tokens, in Russian or English", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const analysis = guard.time("analyze", () => matcher.analyzer.analyze(text));
        expect(["ru", "en"]).toContain(analysis.language);
        expect(["none", "qwerty_to_cyrillic", "cyrillic_to_qwerty"]).toContain(analysis.layout);
        for (const token of [...analysis.tokens, ...analysis.sentences.flat()]) {
          expect(token.word).toMatch(/^[\p{L}\p{N}]+$/u);
          expect(typeof token.stem).toBe("string");
        }
        for (const sentence of analysis.sentences) expect(sentence.length).toBeGreaterThan(0);
      }),
      fuzzParameters(200),
    );
  });

  it("decides answer, clarify or escalate with a confidence in [0, 1] and sorted candidates", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = guard.time("match", () => matcher.match(text));
        const { decision, confidence, candidates } = result;
        expect(Number.isFinite(confidence) && confidence >= 0 && confidence <= 1).toBe(true);
        expect(candidates.length).toBeLessThanOrEqual(5);
        expect(new Set(candidates.map((c) => c.intent)).size).toBe(candidates.length);
        for (const [i, candidate] of candidates.entries()) {
          expect(kb.byId.has(candidate.intent)).toBe(true);
          expect(candidate.score > 0 && candidate.score <= 1).toBe(true);
          expect(candidate.score).toBeLessThanOrEqual(candidates[i - 1]?.score ?? 1);
        }
        expect(result.unknownShare >= 0 && result.unknownShare <= 1).toBe(true);
        expect(result.outOfScopeScore >= 0 && result.outOfScopeScore <= 1).toBe(true);
        const offered = candidates.map((c) => c.intent);
        switch (decision.kind) {
          case "answer":
            expect(decision.intent).toBe(offered[0]);
            break;
          case "clarify":
            expect(decision.intents.length).toBeGreaterThanOrEqual(1);
            expect(decision.intents.length).toBeLessThanOrEqual(3);
            for (const intent of decision.intents) expect(offered).toContain(intent);
            break;
          case "escalate":
            expect(["empty", "no_match"]).toContain(decision.reason);
            expect(decision.reason === "empty").toBe(
              result.analysis.tokens.length === 0 || candidates.length === 0,
            );
            break;
          default:
            expect.unreachable(`unknown decision ${JSON.stringify(decision)}`);
        }
      }),
      fuzzParameters(200),
    );
  });

  it("replies with well-formed HTML in the message's language, or the fallback", () => {
    fc.assert(
      fc.property(
        anyText,
        fc.constantFrom("ru", "en") as fc.Arbitrary<"ru" | "en">,
        (text, fallback) => {
          const reply = guard.time("replyTo", () =>
            replyTo(kb, matcher, text, { fallbackLanguage: fallback, at: AT }),
          );
          const { analysis } = reply.match;
          expect(reply.language).toBe(analysis.languageDetected ? analysis.language : fallback);
          if (reply.kind === "answer") {
            expect(checkHtml(reply.answer.html)).toEqual([]);
            const parsed = parseHtml(reply.answer.html);
            expect(parsed.ok && parsed.text.length > 0 && parsed.text.length <= 4096).toBe(true);
          } else if (reply.kind === "clarify") {
            expect(reply.options.length).toBeGreaterThan(0);
            for (const option of reply.options) expect(option.title.trim()).not.toBe("");
          } else {
            expect(["empty", "no_match"]).toContain(reply.reason);
          }
        },
      ),
      fuzzParameters(150),
    );
  });
});

describe("masking personal data in any text", () => {
  const runsOf = (text: string, pattern: RegExp) => text.match(pattern) ?? [];

  it("is idempotent, leaves no run of 10 to 20 digits of any script, and grows only by e-mail placeholders", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const masked = guard.time("maskPersonalData", () => maskPersonalData(text));
        expect(maskPersonalData(masked)).toBe(masked);
        for (const run of runsOf(masked, /\p{Nd}+/gu)) {
          const length = [...run].length;
          expect(length < 10 || length > 20, `digits left: ${run}`).toBe(true);
        }
        // Each placeholder is shorter than what it replaces, except "[e-mail]"
        // (8) for an address of 6 or 7 characters, which has one "@".
        const at = runsOf(text, /@/g).length;
        expect(masked.length).toBeLessThanOrEqual(text.length + 2 * at);
        if (!/[\p{Nd}@]/u.test(text)) expect(masked).toBe(text);
      }),
      fuzzParameters(300),
    );
  });

  it("masks a phone, SNILS, card, passport or INN for what it is, however it is spelt", () => {
    fc.assert(
      fc.property(wordsAround, personalNumber, wordsAround, (before, number, after) => {
        const masked = guard.time("maskPersonalData", () =>
          maskPersonalData(`${before} ${number.text} ${after}`),
        );
        expect(masked).toBe(`${before} ${number.placeholder} ${after}`);
      }),
      fuzzParameters(1000),
    );
  });

  it("leaves dates, times, sums and numbers of up to nine digits as they are", () => {
    fc.assert(
      fc.property(notPersonalData, (text) => {
        expect(guard.time("maskPersonalData", () => maskPersonalData(text))).toBe(text);
      }),
      fuzzParameters(500),
    );
  });
});

describe("bidi controls in any text", () => {
  it("withoutBidiControls drops every one and keeps every other character in order", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const shown = guard.time("withoutBidiControls", () => withoutBidiControls(text));
        expect(shown).not.toMatch(BIDI_CONTROL);
        const kept = [...text].filter((c) => !BIDI_CONTROL.test(c)).join("");
        expect(shown).toBe(kept);
      }),
      fuzzParameters(300),
    );
  });
});

describe("HTML helpers on any text", () => {
  it('escapeHtml leaves no raw < > " and no & outside an entity, and round-trips', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, htmlLike), (text) => {
        const html = guard.time("escapeHtml", () => escapeHtml(text));
        expect(html).not.toMatch(/[<>"]/);
        expect(html.replace(/&(amp|lt|gt|quot);/g, "")).not.toContain("&");
        expect(htmlToText(html)).toBe(text);
        expect(checkHtml(html)).toEqual([]);
        const parsed = parseHtml(html);
        expect(parsed.ok && parsed.text).toBe(text.trim());
      }),
      fuzzParameters(300),
    );
  });

  it("htmlToText and checkHtml take anything; what checkHtml passes, Telegram parses", () => {
    fc.assert(
      fc.property(fc.oneof(htmlLike, nearlyValidHtml, anyText), (html) => {
        const text = guard.time("htmlToText", () => htmlToText(html));
        expect(text.length).toBeLessThanOrEqual(html.length);
        const problems = guard.time("checkHtml", () => checkHtml(html));
        if (problems.length === 0) {
          const parsed = parseHtml(html);
          expect(parsed.ok ? "" : parsed.error).toBe("");
        }
      }),
      fuzzParameters(400),
    );
  });
});

describe("splitting any text into Telegram messages", () => {
  const limits = fc.oneof(fc.constant(MAX_MESSAGE_LENGTH), fc.integer({ min: 2, max: 300 }));
  // What the bot sends: any text, escaped, in the tags answers use, over lines.
  const tagged = fc
    .tuple(fc.constantFrom("", "b", "i", "code", 'a href="https://www.gosuslugi.ru"'), anyText)
    .map(([tag, text]) =>
      tag === "" ? escapeHtml(text) : `<${tag}>${escapeHtml(text)}</${tag.split(" ")[0]}>`,
    );
  const longHtml = fc
    .array(tagged, { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join("\n"));
  const shownOf = (html: string) => htmlToText(html);

  it("keeps every part valid, non-empty and within the limit, losing nothing but whitespace at cuts", () => {
    fc.assert(
      fc.property(longHtml, limits, (html, limit) => {
        const parts = guard.time("splitMessage", () => splitMessage(html, limit));
        for (const part of parts) {
          expect(shownOf(part).trim()).not.toBe("");
          expect(shownOf(part).length).toBeLessThanOrEqual(limit);
          const parsed = parseHtml(part);
          expect(parsed.ok ? "" : parsed.error).toBe("");
        }
        const visible = (text: string) => text.replace(/\s/g, "");
        expect(visible(parts.map(shownOf).join(""))).toBe(visible(shownOf(html)));
        // A cut never separates the two halves of a surrogate pair (an emoji):
        // the parts have as many lone halves as the text had.
        const lone = (text: string) => text.match(LONE_SURROGATES)?.length ?? 0;
        const loneInParts = parts.reduce((sum, part) => sum + lone(part), 0);
        expect(loneInParts, "a part ends inside a surrogate pair").toBe(lone(html));
        // Lines that fit stay whole: every line shown is a line of a part.
        const lines = shownOf(html)
          .split("\n")
          .filter((line) => line.trim() !== "");
        if (lines.every((line) => line.length <= limit)) {
          const partLines = parts
            .flatMap((part) => shownOf(part).split("\n"))
            .filter((line) => line.trim() !== "");
          expect(partLines).toEqual(lines);
        }
      }),
      fuzzParameters(300),
    );
  });

  it("splits relayed plain text into pieces that fit, losing nothing and cutting no emoji", () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 2, max: 5000 }), (text, room) => {
        const pieces = guard.time("splitPlainText", () => splitPlainText(text, room));
        expect(pieces.join("")).toBe(text);
        for (const [i, piece] of pieces.entries()) {
          expect(piece.length).toBeLessThanOrEqual(room);
          if (i > 0) expect(piece).not.toBe("");
          const next = pieces[i + 1] ?? "";
          expect(/[\ud800-\udbff]$/.test(piece) && /^[\udc00-\udfff]/.test(next)).toBe(false);
        }
      }),
      fuzzParameters(300),
    );
  });

  it("keeps a text of at most 4,096 characters in one message", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const html = escapeHtml(text);
        const expected = text.trim() === "" ? [] : [html];
        expect(splitMessage(html)).toEqual(expected);
      }),
      fuzzParameters(100),
    );
  });
});
