import { describe, expect, it } from "vitest";
import { createRenderer, HTML_FORMAT, PLAIN_FORMAT } from "../../bot/desk/index.ts";

const RLO = "\u202e";

describe("rendering the desk's effects", () => {
  it("escapes a person's words for Telegram and leaves them whole in plain text", () => {
    const card = {
      kind: "card",
      ticketId: 7,
      language: "ru",
      question: "пароль <b>не</b> & приходит",
      tried: [{ intent: "account.login_recovery", score: 0.4, title: "Вход <i>" }],
    } as const;
    const [html] = createRenderer(HTML_FORMAT).staff(card);
    expect(html?.kind === "text" && html.text).toContain(
      "пароль &lt;b&gt;не&lt;/b&gt; &amp; приходит",
    );
    expect(html?.kind === "text" && html.text).toContain("Вход &lt;i&gt; (40%)");
    const [plain] = createRenderer(PLAIN_FORMAT).staff(card);
    expect(plain?.kind === "text" && plain.text).toContain("пароль <b>не</b> & приходит");
    expect(plain?.kind === "text" && plain.text).not.toContain("<b>Вопрос");
  });

  it("takes bidi controls out of choices' labels in every medium", () => {
    for (const format of [HTML_FORMAT, PLAIN_FORMAT]) {
      const [message] = createRenderer(format).staff({
        kind: "your_tickets",
        tickets: [{ ticketId: 3, question: `${RLO}gpj.exe вопрос`, current: true }],
      });
      const labels =
        message?.kind === "text" ? (message.buttons ?? []).flat().map((b) => b.text) : [];
      expect(labels).toEqual(["▶️ №3 · gpj.exe вопрос"]);
    }
  });
});
