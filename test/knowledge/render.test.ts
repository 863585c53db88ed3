import { describe, expect, it } from "vitest";
import { checkHtml, escapeHtml, htmlToText, renderAnswer } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";

describe("HTML for Telegram", () => {
  it("escapes user and content text", () => {
    expect(escapeHtml('<script>"a" & b</script>')).toBe(
      "&lt;script&gt;&quot;a&quot; &amp; b&lt;/script&gt;",
    );
    expect(htmlToText(escapeHtml("a < b & c"))).toBe("a < b & c");
  });

  it("accepts the allowed tags and reports the rest", () => {
    expect(checkHtml('<b>да</b> <a href="https://www.gosuslugi.ru">ссылка</a>')).toEqual([]);
    expect(checkHtml("<div>нет</div>")).toHaveLength(2);
    expect(checkHtml("<b>не закрыт")).toEqual(["<b> is never closed"]);
    expect(checkHtml("<b><i>x</b></i>")[0]).toContain("</b> closes <i>");
    expect(checkHtml("a & b")).toEqual(['write &amp; for "&" in text']);
    expect(checkHtml('<a href="x" onclick="y">x</a>')[0]).toContain("exactly one attribute");
  });
});

describe("rendering an answer", () => {
  const kb = realKnowledgeBase();
  const noonInMoscow = new Date("2026-11-25T12:00:00+03:00");

  it("fills directory references for the language and the moment", () => {
    const ru = renderAnswer(kb, "contacts.hotline", "ru", noonInMoscow);
    const phone = kb.directory.file.phone.hotline?.display ?? "missing";
    expect(ru?.html).toContain(phone);
    expect(ru?.html).not.toContain("{{");
    expect(ru?.html).toContain("Сейчас операторы на связи");
    const nightEn = renderAnswer(
      kb,
      "contacts.hotline",
      "en",
      new Date("2026-11-25T23:00:00+03:00"),
    );
    expect(nightEn?.html).toContain("back tomorrow at 08:00");
  });

  it("gives link buttons as plain https URLs and follow-ups with their titles", () => {
    const answer = renderAnswer(kb, "account.login_recovery", "en", noonInMoscow);
    expect(answer?.links.length).toBeGreaterThan(0);
    for (const link of answer?.links ?? []) expect(link.url).toMatch(/^https:\/\/[^{}]+$/);
    for (const followUp of answer?.followUps ?? []) {
      expect(followUp.title).toBe(kb.byId.get(followUp.intent)?.title.en);
    }
  });

  it("renders every intent in both languages within Telegram's limits", () => {
    for (const intent of kb.intents) {
      for (const language of ["ru", "en"] as const) {
        const answer = renderAnswer(kb, intent.id, language, noonInMoscow);
        expect(answer, intent.id).toBeDefined();
        expect(checkHtml(answer?.html ?? ""), intent.id).toEqual([]);
        expect(htmlToText(answer?.html ?? "").length).toBeLessThanOrEqual(1000);
      }
    }
    expect(renderAnswer(kb, "no.such_intent", "ru", noonInMoscow)).toBeUndefined();
  });
});
