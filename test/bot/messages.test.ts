import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { decodeAction, encodeAction } from "../../bot/callback-data.ts";
import { createLogger } from "../../bot/log.ts";
import { splitMessage } from "../../bot/messages.ts";
import { htmlToText } from "../../knowledge/index.ts";

describe("splitting a long message", () => {
  it("keeps parts within the limit as Telegram counts it, cutting at line breaks", () => {
    const lines = Array.from({ length: 50 }, (_, i) => `<b>строка ${i}</b> ${"текст ".repeat(20)}`);
    const parts = splitMessage(lines.join("\n"), 1000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(htmlToText(part).length).toBeLessThanOrEqual(1000);
    expect(parts.join("")).toBe(lines.join("\n"));
    for (const part of parts) expect(part.split("<b>").length).toBe(part.split("</b>").length);
  });

  it("cuts a single line longer than the limit", () => {
    const parts = splitMessage("я".repeat(9000));
    expect(parts.map((p) => p.length)).toEqual([4096, 4096, 808]);
  });

  it("cuts a long line inside a tag by closing it and opening it again", () => {
    const [first, second, ...more] = splitMessage(`<b>${"я".repeat(5000)}</b>`);
    expect(more).toEqual([]);
    expect(first).toBe(`<b>${"я".repeat(4096)}</b>`);
    expect(second).toBe(`<b>${"я".repeat(904)}</b>`);
  });
});

describe("button data", () => {
  it("round-trips every action within 64 bytes", () => {
    const actions = [
      { kind: "menu" },
      { kind: "operator" },
      { kind: "topic", topic: "departments" },
      { kind: "answer", intent: "account.identity_verification" },
      { kind: "feedback", intent: "account.identity_verification", helpful: false },
      { kind: "language", language: "en" },
    ] as const;
    for (const action of actions) {
      const data = encodeAction(action);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(decodeAction(data)).toEqual(action);
    }
  });

  it("rejects anything it did not make", () => {
    for (const data of [
      "",
      "a:",
      "a:UPPER.case",
      "f:2:contacts.hotline",
      "t:smalltalk",
      "l:de",
      "m:x",
      "a:x.y:z",
      "я".repeat(40),
    ]) {
      expect(decodeAction(data), data).toBeUndefined();
    }
  });
});

describe("logs", () => {
  it("are JSON with personal data masked in the message and in every field", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger("info", sink);
    log.info(
      { text: "снилс 123-456-789 01, тел +7 916 123-45-67", nested: { email: "a.b@mail.ru" } },
      "вопрос от ivan@mail.ru",
    );
    const entry = JSON.parse(lines[0] ?? "{}");
    expect(entry.text).toBe("снилс [СНИЛС], тел [телефон]");
    expect(entry.nested.email).toBe("[e-mail]");
    expect(entry.msg).toBe("вопрос от [e-mail]");
  });
});
