import { describe, expect, it } from "vitest";
import { createRenderer, HTML_FORMAT } from "../../bot/desk/index.ts";
import { incidentNotices } from "../../bot/incident-notice.ts";
import { TEXTS } from "../../bot/texts.ts";
import { type Incident, incidentsOfUnanswered } from "../../handoff/index.ts";
import { createHarness } from "./harness.ts";

// While an incident is on, the bot says its notice first in the answers it
// concerns and in the greeting, and a question about the broken part gets
// the notice (with the operator a press away) instead of the queue.

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };
const buttonsOf = (payload: Record<string, unknown>) =>
  (payload.reply_markup as Keyboard | undefined)?.inline_keyboard.flat() ?? [];

const NOW = new Date("2026-11-25T12:00:00+03:00").getTime();
const SITE_DOWN: Incident = {
  id: 1,
  noticeRu: "Портал работает с перебоями <из-за> сбоя & мы чиним",
  noticeEn: "The portal is failing; we are fixing it",
  broken: "портал целиком",
  since: new Date("2026-11-25T11:05:00+03:00").getTime(),
  expectedFix: "к 18:00",
  intents: ["tech.site_problems"],
  postedBy: 1,
  postedAt: NOW - 3_600_000,
  updatedBy: 1,
  updatedAt: NOW - 3_600_000,
  endedBy: null,
  endedAt: null,
};
const TAX_DOWN: Incident = {
  ...SITE_DOWN,
  id: 2,
  noticeRu: "Налоговые услуги недоступны",
  noticeEn: null,
  expectedFix: null,
  intents: ["dept.tax"],
};
const NOTICE_HTML =
  "⚠️ <b>Портал работает с перебоями &lt;из-за&gt; сбоя &amp; мы чиним</b>\nСбой с 11:05 по московскому времени. Ожидаем исправления: к 18:00.";

function harnessWith(active: Incident[]) {
  let incidents = active;
  const h = createHarness({ incidents: () => incidents });
  return {
    ...h,
    set: (next: Incident[]) => {
      incidents = next;
    },
    replies: () => h.calls.filter((c) => c.method === "sendMessage").map((c) => c.payload),
  };
}

describe("incident notices in the bot's answers", () => {
  it("put the notice, escaped, first in an answer of the intent it concerns, and only there", async () => {
    const h = harnessWith([SITE_DOWN, TAX_DOWN]);
    await h.handle(h.text("госуслуги не открываются"));
    const [answer] = h.replies();
    expect(String(answer?.text).startsWith(`${NOTICE_HTML}\n\n🛠`)).toBe(true);
    expect(String(answer?.text)).not.toContain("Налоговые");
    expect(answer?.parse_mode).toBe("HTML");
    // The answer keeps its own buttons (its feedback among them).
    expect(buttonsOf(answer ?? {}).map((b) => b.callback_data)).toContain("f:1:tech.site_problems");
    await h.handle(h.text("телефон горячей линии"));
    expect(String(h.replies()[1]?.text)).not.toContain("⚠️");
  });

  it("put every notice first in the greeting, /start's and small talk's", async () => {
    const h = harnessWith([SITE_DOWN, TAX_DOWN]);
    await h.handle(h.text("/start"));
    const [greeting] = h.replies();
    expect(String(greeting?.text)).toMatch(
      /^⚠️ <b>Портал[\s\S]*⚠️ <b>Налоговые услуги недоступны<\/b>\nСбой с 11:05[^\n]*\n\nЗдравствуйте! Я бот поддержки/,
    );
    await h.handle(h.text("привет"));
    const hello = String(h.replies()[2]?.text);
    expect(hello.startsWith(NOTICE_HTML)).toBe(true);
    expect(hello).toContain("Налоговые услуги недоступны");
    expect(hello).toContain("👋");
  });

  it("say the English notice to an English question, the Russian one when there is none", async () => {
    const h = harnessWith([SITE_DOWN, TAX_DOWN]);
    await h.handle(h.text("the portal won't load"));
    expect(String(h.replies()[0]?.text)).toMatch(
      /^⚠️ <b>The portal is failing; we are fixing it<\/b>\nSince 11:05 Moscow time\. Expected fix: к 18:00\./,
    );
    expect(incidentNotices([TAX_DOWN], "en", NOW)).toMatch(
      /^⚠️ <b>Налоговые услуги недоступны<\/b>\nSince 11:05 Moscow time\.$/,
    );
    // An incident from another day says its date.
    const older = { ...SITE_DOWN, since: NOW - 2 * 86_400_000 };
    expect(incidentNotices([older], "ru", NOW)).toContain(
      "Сбой с 23 ноября в 12:00 по московскому времени.",
    );
  });

  it("answer a question about the broken part with the notice and an operator button, not the queue", async () => {
    const h = harnessWith([SITE_DOWN]);
    // Without the incident this question is escalated (an operator offered).
    await h.handle(h.text("госуслуги не работают?"));
    expect(await h.handoff.tickets.queue()).toEqual([]);
    const [reply] = h.replies();
    expect(String(reply?.text)).toBe(`${NOTICE_HTML}\n\n${TEXTS.ru.incidentInstead}`);
    expect(buttonsOf(reply ?? {}).map((b) => b.callback_data)).toEqual(["o"]);
    await h.deliver();
    expect(h.sent()).toHaveLength(1);
    // The citizen can still reach a person: the button offers the operator.
    await h.handle(h.press("o"));
    await h.deliver();
    expect(h.sent().at(-1)).toContain("оператор");
  });

  it("escalate the same question as before once the incident is over, and an out-of-scope one meanwhile", async () => {
    const h = harnessWith([SITE_DOWN]);
    // Site problems is its best guess, but it is more like the questions the bot must not answer.
    await h.handle(h.text("что с порталом сегодня"));
    expect(String(h.replies()[0]?.text)).not.toContain("⚠️");
    h.set([]);
    await h.handle(h.text("госуслуги не работают?"));
    await h.deliver();
    const said = h.sent().slice(1).join("\n");
    expect(said).not.toContain("⚠️");
    expect(said).toContain(TEXTS.ru.escalate);
  });
});

describe("which incidents a question the bot would not answer is about", () => {
  const active = [SITE_DOWN];
  const guess = (score: number, outOfScopeScore: number) => ({
    candidates: [{ intent: "tech.site_problems", score }],
    outOfScopeScore,
  });
  it("its best candidate's, when that is a lead above the floor and near the out-of-scope class", () => {
    expect(incidentsOfUnanswered(active, guess(0.21, 0.31), 0.1)).toEqual([SITE_DOWN]);
    expect(incidentsOfUnanswered(active, guess(0.3, 0.1), 0.1)).toEqual([SITE_DOWN]);
  });
  it("none for an out-of-scope question, a faint guess or no guess at all", () => {
    expect(incidentsOfUnanswered(active, guess(0.17, 0.56), 0.1)).toEqual([]);
    expect(incidentsOfUnanswered(active, guess(0.06, 0.01), 0.1)).toEqual([]);
    expect(incidentsOfUnanswered(active, { candidates: [], outOfScopeScore: 0 }, 0.1)).toEqual([]);
    const other = { candidates: [{ intent: "dept.tax", score: 0.4 }], outOfScopeScore: 0 };
    expect(incidentsOfUnanswered(active, other, 0.1)).toEqual([]);
  });
});

describe("a new ticket's card in the operators' Telegram", () => {
  it("says every active incident, escaped, and which concern the ticket", () => {
    const card = {
      kind: "card",
      ticketId: 7,
      language: "ru",
      question: "сайт висит",
      tried: [{ intent: "tech.site_problems", score: 0.4, title: "Сайт" }],
    } as const;
    const broken = { ...SITE_DOWN, broken: "вход <Госключ> & оплата" };
    const [message] = createRenderer(HTML_FORMAT, { incidents: () => [broken, TAX_DOWN] }).staff(
      card,
    );
    const text = message?.kind === "text" ? message.text : "";
    expect(text).toContain(
      "\n⚠️ <b>Сбой на портале:</b> вход &lt;Госключ&gt; &amp; оплата (касается этого обращения)\n⚠️ <b>Сбой на портале:</b> портал целиком",
    );
    expect(text.endsWith("портал целиком")).toBe(true);
    const [none] = createRenderer(HTML_FORMAT).staff(card);
    expect(none?.kind === "text" && none.text).not.toContain("Сбой");
  });
});
