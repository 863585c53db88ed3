import { describe, expect, it } from "vitest";
import { CAPTION_LIMIT, cutHtml, fitMessage, splitHtml, TEXT_LIMIT } from "../../bot/desk/index.ts";
import type { OutboxMessage } from "../../handoff/index.ts";
import { escapeHtml, htmlToText } from "../../knowledge/index.ts";
import { parseHtml } from "../bot-api-double/index.ts";
import { LONE_SURROGATE } from "../fuzz/telegram-checks.ts";

const HTML = { parse_mode: "HTML" } as const;
const keyboard = { reply_markup: { inline_keyboard: [[{ text: "ok", callback_data: "x" }]] } };

/** Each part parses as Telegram parses HTML and shows at most `limit` characters. */
function expectParts(parts: string[], limit: number) {
  for (const part of parts) {
    const parsed = parseHtml(part);
    expect(parsed.ok ? "" : parsed.error).toBe("");
    expect(parsed.ok && [...parsed.text].length).toBeLessThanOrEqual(limit);
    expect(LONE_SURROGATE.test(part)).toBe(false);
  }
}

describe("cutting Telegram HTML at a limit", () => {
  it("counts what Telegram shows: escaped text that is four times longer still fits", () => {
    const html = escapeHtml('<>&"'.repeat(1000));
    expect(html.length).toBeGreaterThan(TEXT_LIMIT * 4);
    expect(splitHtml(html)).toEqual([html]);
  });

  it("closes the tags open at the cut and opens them again, cutting at a line break or space", () => {
    const html = `<b>один <i>два\nтри</i> четыре</b>`;
    const { head, tail } = cutHtml(html, 12);
    expect(head).toBe("<b>один <i>два\n</i></b>");
    expect(tail).toBe("<b><i>три</i> четыре</b>");
    expectParts([head, tail], 12);
  });

  it("never cuts inside an entity or an emoji; losing nothing but the breaks it cuts at", () => {
    const html = `<a href="https://x.ru">${"&amp;😀".repeat(500)}</a>\n<code>${"a".repeat(5000)}</code>`;
    const parts = splitHtml(html, 1000);
    expect(parts.length).toBeGreaterThan(1);
    expectParts(parts, 1000);
    const shown = parts.map((p) => htmlToText(p)).join("");
    expect(shown.replaceAll("\n", "")).toBe(htmlToText(html).replaceAll("\n", ""));
  });
});

describe("fitting a message to Telegram's limits", () => {
  it("leaves a message that fits alone", () => {
    const message: OutboxMessage = { kind: "text", text: "<b>да</b>", options: HTML };
    expect(fitMessage(message)).toEqual([message]);
  });

  it("splits a long text, the keyboard under the last part", () => {
    const text = `<b>${"слово ".repeat(2000)}</b>`;
    const parts = fitMessage({ kind: "text", text, options: { ...HTML, ...keyboard } });
    expect(parts.length).toBe(3);
    expectParts(
      parts.map((p) => (p.kind === "text" ? p.text : "")),
      TEXT_LIMIT,
    );
    expect(parts.map((p) => "reply_markup" in (p.options ?? {}))).toEqual([false, false, true]);
    expect(parts.every((p) => p.options?.parse_mode === "HTML")).toBe(true);
  });

  it("keeps what fits of a long caption on the file and sends the rest after it", () => {
    const caption = `💬 №1: ${escapeHtml("скан <паспорта> ".repeat(200))}`;
    const parts = fitMessage({
      kind: "photo",
      fileId: "f1",
      caption,
      options: { ...HTML, ...keyboard },
    });
    const [photo, ...texts] = parts;
    expect(photo).toMatchObject({ kind: "photo", fileId: "f1" });
    expectParts([photo?.kind === "photo" ? (photo.caption ?? "") : ""], CAPTION_LIMIT);
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.at(-1)?.options?.reply_markup).toBeDefined();
    const shown = parts
      .map((p) =>
        htmlToText(p.kind === "photo" ? (p.caption ?? "") : p.kind === "text" ? p.text : ""),
      )
      .join("");
    expect(shown.replaceAll(" ", "")).toBe(htmlToText(caption).replaceAll(" ", ""));
  });

  it("cuts an edit, which cannot be split, with an ellipsis", () => {
    const [edit, ...more] = fitMessage({
      kind: "edit",
      outboxId: 1,
      text: `<i>${"я".repeat(5000)}</i>`,
      options: HTML,
    });
    expect(more).toEqual([]);
    const text = edit?.kind === "edit" ? edit.text : "";
    expect(text.endsWith("</i>…")).toBe(true);
    expectParts([text], TEXT_LIMIT);
  });

  it("splits plain text (no parse mode) by its own length", () => {
    const parts = fitMessage({ kind: "text", text: "<".repeat(5000) });
    expect(parts.map((p) => (p.kind === "text" ? p.text.length : 0))).toEqual([4096, 904]);
  });
});
