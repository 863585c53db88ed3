import { describe, expect, it } from "vitest";
import { formatReportText } from "../../bot/desk/index.ts";
import { checkHtml } from "../../knowledge/index.ts";
import { emptyReport, sampleReport } from "../handoff/report/sample-report.ts";

const NBSP = "\u00a0";

describe("formatReportText", () => {
  it("gives the key figures in a few lines of Telegram HTML", () => {
    const text = formatReportText(sampleReport());
    expect(checkHtml(text)).toEqual([]);
    expect(text.split("\n")).toEqual([
      "<b>Отчёт: с 1 ноября 2026 г. по 4 ноября 2026 г.</b>",
      `Вопросов: 12${NBSP}345 — отвечено 81${NBSP}%, уточнено 14,6${NBSP}%, передано оператору 4,4${NBSP}%`,
      `Частые темы: account.login_recovery (4${NBSP}321), contacts.hotline (1${NBSP}200)`,
      "Больше всего 👎: tech.site_problems (👎 21, 👍 15), application.status (👎 12, 👍 35)",
      "Обращения: открыто 890, закрыто операторами 851, отменено 39; ждут сейчас 3, у операторов 2",
      "Ожидание: медиана 4 мин, p90 17 мин",
      "Работа: медиана 9 мин, p90 1 ч 35 мин",
      `Оценки: средняя 4,5 (575), решено 80,3${NBSP}%`,
    ]);
  });

  it("names intents by title when given one, escaped, and keeps `top` of each list", () => {
    const data = sampleReport({
      topIntents: [
        { intent: "a.one", count: 3 },
        { intent: "<i>b</i>", count: 2 },
        { intent: "c.three", count: 1 },
      ],
    });
    const text = formatReportText(data, {
      top: 2,
      intentTitle: (id) => (id === "a.one" ? "Пароль & <вход>" : undefined),
    });
    expect(checkHtml(text)).toEqual([]);
    expect(text).toContain(
      "Частые темы: Пароль &amp; &lt;вход&gt; (3), &lt;i&gt;b&lt;/i&gt; (2)\n",
    );
    expect(text).not.toContain("c.three");
    expect(text).toContain(
      "Больше всего 👎: tech.site_problems (👎 21, 👍 15), application.status",
    );
  });

  it("leaves out the empty lists and shows dashes for figures it cannot compute", () => {
    const text = formatReportText(emptyReport());
    expect(text).toContain("Вопросов: 0\n");
    expect(text).not.toContain("Частые темы");
    expect(text).not.toContain("👎");
    expect(text).toContain("Ожидание: медиана —, p90 —");
    expect(text).toContain("Оценки: средняя — (0), решено —");
  });

  it("fits a Telegram message with long titles", () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ intent: `intent.${i}`, count: 10 - i }));
    const text = formatReportText(
      sampleReport({
        topIntents: many,
        disliked: many.map((m) => ({ intent: m.intent, helpful: 1, unhelpful: m.count })),
      }),
      { intentTitle: (id) => `${id} ${"очень длинное название темы ".repeat(8)}` },
    );
    expect(text.length).toBeLessThan(4096);
  });
});
