import { describe, expect, it } from "vitest";
import { CITIZEN_TEXTS } from "../../bot/desk/index.ts";
import { TEXTS } from "../../bot/texts.ts";
import { collectReport, createAuditLog } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { addOperator, removeOperator } from "../handoff/staff-fixture.ts";
import { createHarness } from "./harness.ts";

type Keyboard = { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] };
const keyboardOf = (payload: Record<string, unknown>) =>
  (payload.reply_markup as Keyboard | undefined)?.inline_keyboard.flat() ?? [];

describe("a citizen talking to the bot", () => {
  it("is greeted on /start with a menu of topics", async () => {
    const h = createHarness();
    await h.handle(h.text("/start"));
    expect(h.sent()[0]).toContain("Здравствуйте");
    const menu = h.calls.filter((c) => c.method === "sendMessage")[1];
    const buttons = keyboardOf(menu?.payload ?? {});
    expect(buttons.map((b) => b.callback_data)).toEqual(
      expect.arrayContaining([
        "t:account",
        "t:applications",
        "t:documents",
        "t:contacts",
        "t:departments",
        "o",
      ]),
    );
  });

  it("answers a question with links, follow-ups and 'did this help', in HTML", async () => {
    const h = createHarness();
    await h.handle(h.text("как восстановить пароль от госуслуг"));
    const reply = h.calls.find((c) => c.method === "sendMessage");
    expect(reply?.payload.parse_mode).toBe("HTML");
    expect(String(reply?.payload.text)).toContain("Ответ помог?");
    const buttons = keyboardOf(reply?.payload ?? {});
    expect(buttons.some((b) => b.url?.startsWith("https://"))).toBe(true);
    expect(buttons.map((b) => b.callback_data)).toEqual(
      expect.arrayContaining(["f:1:account.login_recovery", "f:0:account.login_recovery"]),
    );
    for (const b of buttons)
      if (b.callback_data) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
  });

  it("answers an English question in English whatever the user's language", async () => {
    const h = createHarness();
    await h.handle(h.text("how do I reset my password", { language_code: "ru" }));
    expect(h.sent()[0]).toContain("Did this help?");
  });

  it("stores 👍 and 👎, removes the rating buttons, and offers an operator after 👎", async () => {
    const h = createHarness();
    await h.handle(
      h.press("f:1:contacts.hotline", {
        reply_markup: {
          inline_keyboard: [
            [
              { text: "👍", callback_data: "f:1:contacts.hotline" },
              { text: "x", callback_data: "a:hours.schedule" },
            ],
          ],
        },
      }),
    );
    await h.handle(h.press("f:0:contacts.hotline", { message_id: 6 }));
    expect((await h.store.feedback()).map((f) => [f.intent, f.helpful])).toEqual([
      ["contacts.hotline", true],
      ["contacts.hotline", false],
    ]);
    const edit = h.calls.find((c) => c.method === "editMessageReplyMarkup");
    expect(keyboardOf(edit?.payload ?? {}).map((b) => b.callback_data)).toEqual([
      "a:hours.schedule",
    ]);
    await h.deliver();
    const offer = h.calls.filter((c) => c.method === "sendMessage").at(-1);
    expect(String(offer?.payload.text)).toContain("Жаль, что ответ не помог");
    expect(keyboardOf(offer?.payload ?? {}).map((b) => b.callback_data)).toEqual(["hy", "hx"]);
  });

  it("keeps one feedback per answer, the latest, in what the report and the unanswered list count", async () => {
    const h = createHarness();
    await h.handle(h.text("телефон горячей линии"));
    const answer = h.calls.find((c) => c.method === "sendMessage");
    const answerId = 1001;
    expect(keyboardOf(answer?.payload ?? {}).map((b) => b.callback_data)).toContain(
      "f:0:contacts.hotline",
    );
    // Buttons that could not be removed, or a forged client: 👎 pressed again and again.
    for (let i = 0; i < 20; i++) {
      await h.handle(h.press("f:0:contacts.hotline", { message_id: answerId }));
    }
    await h.deliver();
    const offers = h.sent().filter((text) => text.includes("Жаль, что ответ не помог"));
    expect(offers).toHaveLength(1);
    const since = 0;
    const until = Date.now() * 2;
    const report = async () => (await collectReport(h.handoff.db, { since, until })).disliked;
    expect(await report()).toEqual([{ intent: "contacts.hotline", helpful: 0, unhelpful: 1 }]);
    expect((await h.store.unansweredQuestions(since)).questions).toHaveLength(1);
    // Changed to 👍: the latest wins, the 👎 is gone from both.
    await h.handle(h.press("f:1:contacts.hotline", { message_id: answerId }));
    expect((await h.store.feedback()).map((f) => f.helpful)).toEqual([true]);
    expect(await report()).toEqual([]);
    expect((await h.store.unansweredQuestions(since)).questions).toEqual([]);
  });

  it("records unanswered questions with personal data masked", async () => {
    const h = createHarness();
    await h.handle(h.text("мой снилс 123-456-789 01, какая погода завтра"));
    const [question] = await h.store.questions();
    expect(question?.text).toBe("мой снилс [СНИЛС], какая погода завтра");
    expect(question?.decision).toBe("escalate");
    await h.deliver();
    expect(h.sent()[0]).toContain("Передать ваш вопрос оператору?");
  });

  it("answers forged, stale and malformed button data without acting on it", async () => {
    const h = createHarness();
    for (const data of [
      "a:no.such_intent",
      "f:1:no.such",
      "zzz",
      "a:../../etc",
      "t:secret",
      "x".repeat(64),
    ]) {
      await h.handle(h.press(data));
    }
    const answers = h.calls.filter((c) => c.method === "answerCallbackQuery");
    expect(answers).toHaveLength(6);
    for (const a of answers) expect(String(a.payload.text)).toContain("устарела");
    expect(await h.store.feedback()).toEqual([]);
    expect(h.sent()).toEqual([]);
  });

  it("says 'text only' to stickers, voice, locations and polls, with the menu", async () => {
    const h = createHarness();
    await h.handle(
      h.message({
        sticker: {
          file_id: "s",
          file_unique_id: "s",
          type: "regular",
          width: 1,
          height: 1,
          is_animated: false,
          is_video: false,
        },
      }),
    );
    await h.handle(h.message({ voice: { file_id: "v", file_unique_id: "v", duration: 1 } }));
    await h.handle(h.message({ location: { latitude: 55.7, longitude: 37.6 } }));
    const texts = h.sent();
    expect(texts.filter((t) => t.includes("только текстовые"))).toHaveLength(3);
  });

  it("accepts JPEG, PNG and PDF up to 5 MB and refuses other files with the reason", async () => {
    const h = createHarness();
    const doc = (mime_type: string, file_size: number) =>
      h.message({
        document: { file_id: "d", file_unique_id: "d", mime_type, file_size, file_name: "f" },
      });
    await h.handle(doc("application/pdf", 1_000_000));
    await h.handle(doc("application/zip", 1_000));
    await h.handle(doc("image/png", 6 * 1024 * 1024));
    const [ok, type, size] = h.sent();
    expect(ok).toContain("оператору");
    expect(type).toContain("JPEG, PNG и PDF");
    expect(size).toContain("до 5 МБ");
  });

  it("asks for text on an empty or whitespace message and survives a 4,096-character one", async () => {
    const h = createHarness();
    await h.handle(h.text("   "));
    await h.handle(h.text("я".repeat(4096)));
    await h.handle(h.text("\u0000\u0001\u0002"));
    expect(h.sent()).toHaveLength(3);
  });

  it("handles an update delivered twice only once, across a restart", async () => {
    const db = openSqlite(":memory:");
    const first = createHarness({ db });
    await first.handle({ ...first.text("телефон горячей линии"), update_id: 500 });
    const second = createHarness({ db });
    await second.handle({ ...second.text("телефон горячей линии"), update_id: 500 });
    expect(first.sent()).toHaveLength(1);
    expect(second.sent()).toHaveLength(0);
  });

  it("asks a flooding citizen to slow down once, then stays quiet", async () => {
    const h = createHarness({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 6; i++) await h.handle(h.text("привет"));
    const texts = h.sent();
    expect(texts.filter((t) => t.includes("очень часто"))).toHaveLength(1);
    expect(texts).toHaveLength(4);
  });

  it("switches language with /lang and remembers it", async () => {
    const h = createHarness();
    await h.handle(h.text("/lang"));
    await h.handle(h.press("l:en"));
    await h.handle(h.text("/help"));
    expect(await h.store.languageOf(777)).toBe("en");
    expect(h.sent().at(-1)).toContain("I answer questions");
  });

  it("marks a citizen who blocked the bot", async () => {
    const h = createHarness();
    h.failures.set("sendMessage", {
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    await h.handle(h.text("телефон горячей линии"));
    expect(await h.store.isBlocked(777)).toBe(true);
  });
});

describe("when something fails", () => {
  it("still answers the citizen politely", async () => {
    const h = createHarness();
    h.failures.set("answerCallbackQuery", {
      error_code: 400,
      description: "Bad Request: query is too old",
    });
    await h.handle(h.press("m"));
    expect(h.sent().at(-1)).toContain("Что-то пошло не так");
  });
});

describe("choosing from a clarification or a topic", () => {
  it("answers the intent of the pressed button and opens topics from the menu", async () => {
    const h = createHarness();
    await h.handle(h.press("a:hours.schedule"));
    expect(h.sent()[0]).toContain("пн–пт");
    await h.handle(h.press("t:departments"));
    const topic = h.calls.filter((c) => c.method === "sendMessage").at(-1);
    expect(keyboardOf(topic?.payload ?? {}).map((b) => b.callback_data)).toEqual(
      expect.arrayContaining(["a:dept.pension", "a:dept.tax", "a:dept.social_insurance", "m"]),
    );
  });
});

describe("commands are never read as questions", () => {
  const OPERATOR = { id: 601, first_name: "Анна", language_code: "ru" };

  it("a citizen's /close ends their ticket, or says they have none", async () => {
    const h = createHarness();
    await h.handle(h.text("/close"));
    await h.deliver();
    expect(h.sent()).toEqual([CITIZEN_TEXTS.ru.nothingToCancel]);
    await h.handle(h.text("какая погода завтра в москве"));
    await h.handle(h.press("hy"));
    const ticket = await h.handoff.tickets.openTicketOf(777);
    await h.handle(h.text("/close"));
    await h.deliver();
    expect((await h.handoff.tickets.ticket(ticket?.id ?? 0))?.state).toBe("closed");
    expect((await h.handoff.tickets.transcript(ticket?.id ?? 0))?.messages).toEqual([]);
  });

  it("other commands, with a ticket or not, get the command list in the citizen's language", async () => {
    const h = createHarness();
    for (const [text, from] of [
      ["/operator", {}],
      ["/hello world", {}],
      ["/Close_all", { id: 778, language_code: "en" }],
      ["/operator", { id: 778, language_code: "en" }],
    ] as const) {
      h.calls.length = 0;
      await h.handle(h.text(text, from));
      const language = "language_code" in from ? "en" : "ru";
      expect(h.sent()).toEqual([TEXTS[language].unknownCommand]);
    }
    await h.handle(h.text("какая погода завтра в москве"));
    await h.handle(h.press("hy"));
    await h.deliver();
    const ticket = await h.handoff.tickets.openTicketOf(777);
    h.calls.length = 0;
    await h.handle(h.text("/operator"));
    await h.deliver();
    expect(h.sent()).toEqual([TEXTS.ru.unknownCommand]);
    expect((await h.handoff.tickets.transcript(ticket?.id ?? 0))?.messages).toEqual([]);
    // Never matched: none of them is in the question log.
    expect((await h.store.questions()).map((q) => q.text)).toEqual([
      "какая погода завтра в москве",
    ]);
  });

  it("refuses an operator command from a non-operator, in their language, and audits it", async () => {
    const h = createHarness();
    const commands = ["/shift on", "/take 1", "/close 1", "/stats", "/reload"];
    for (const text of commands) await h.handle(h.text(text, { id: 778, language_code: "en" }));
    await h.deliver();
    const refused = CITIZEN_TEXTS.en.operatorsOnly;
    expect(h.sent()).toEqual([
      refused,
      refused,
      CITIZEN_TEXTS.en.nothingToCancel,
      refused,
      refused,
    ]);
    const audited = (await createAuditLog(h.handoff.db).entries({ telegramUserId: 778 })).map(
      (e) => [e.action, e.details.command, e.details.refused],
    );
    expect(audited).toEqual(
      ["shift", "take", "stats", "reload"].map((name) => ["command", name, "not_operator"]),
    );
    expect(await h.store.questions()).toEqual([]);
  });

  it("tells a removed operator once; then they are answered as a citizen", async () => {
    const h = createHarness();
    await addOperator(h.handoff.staff, OPERATOR.id, "Анна");
    await h.handle(h.text("/shift on", OPERATOR));
    await removeOperator(h.handoff.staff, OPERATOR.id);
    await h.deliver();
    h.calls.length = 0;
    await h.handle(h.text("/take", OPERATOR));
    await h.deliver();
    expect(h.sent()).toEqual([CITIZEN_TEXTS.ru.noLongerOperator]);
    h.calls.length = 0;
    await h.handle(h.text("телефон горячей линии", OPERATOR));
    await h.deliver();
    expect(h.sent()).toHaveLength(1);
    expect(h.sent()[0]).toContain("8 800");
    // Added back and removed again: told again, once.
    await addOperator(h.handoff.staff, OPERATOR.id, "Анна");
    await removeOperator(h.handoff.staff, OPERATOR.id);
    h.calls.length = 0;
    await h.handle(h.text("телефон горячей линии", OPERATOR));
    await h.deliver();
    expect(h.sent()).toEqual([CITIZEN_TEXTS.ru.noLongerOperator]);
    await h.handle(h.text("телефон горячей линии", OPERATOR));
    await h.deliver();
    expect(h.sent()).toHaveLength(2);
    expect(h.sent()[1]).toContain("8 800");
  });
});
