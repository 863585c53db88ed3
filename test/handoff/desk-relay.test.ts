import { describe, expect, it } from "vitest";
import { type OutboxItem, UpdateAlreadyHandled } from "../../handoff/index.ts";
import { htmlToText } from "../../knowledge/index.ts";
import { problemsOf } from "../fuzz/telegram-checks.ts";
import { ANNA, BORIS, CHIEF, CITIZEN, OTHER_CITIZEN, setUpDesk } from "./desk-fixture.ts";

// The relay between citizen and operator loses nothing: what the desk builds
// fits Telegram's limits, and what Telegram refuses anyway is reported.

/** What Telegram (as the Bot API double checks it) would refuse in a row the desk queued. */
function refusals(rows: OutboxItem[]): string[] {
  return rows.flatMap((row) => {
    const { message } = row;
    const base = { chat_id: row.chatId, ...message.options };
    switch (message.kind) {
      case "text":
        return problemsOf({ method: "sendMessage", payload: { ...base, text: message.text } });
      case "edit":
        return problemsOf({ method: "editMessageText", payload: { ...base, text: message.text } });
      case "photo":
      case "document":
        return problemsOf({
          method: message.kind === "photo" ? "sendPhoto" : "sendDocument",
          payload: { ...base, ...(message.caption ? { caption: message.caption } : {}) },
        });
      default:
        return [];
    }
  });
}

const shown = (rows: OutboxItem[], chatId: number) =>
  rows
    .filter((r) => r.chatId === chatId)
    .map(({ message }) =>
      htmlToText(
        "text" in message ? message.text : "caption" in message ? (message.caption ?? "") : "",
      ),
    )
    .join("\n");

describe("the desk's messages fit Telegram's limits", () => {
  it("gives the operator every message of a waiting ticket on Take, however much its escaping grows", async () => {
    const t = await setUpDesk();
    // 1,000 characters that are 4,000 once escaped, and three times the limit in messages.
    const question = `${"<>&".repeat(333)}?`;
    const id = await t.openTicket(CITIZEN, question);
    const messages = Array.from({ length: 12 }, (_, i) => `сообщение ${i} ${"&".repeat(1000)}`);
    for (const text of messages) await t.desk.citizenMessage(CITIZEN, { text });
    await t.deliver();
    await t.desk.press(ANNA, `ht:${id}`);
    const sent = await t.deliver();
    expect(refusals(sent)).toEqual([]);
    const toAnna = shown(sent, ANNA.chatId);
    expect(toAnna).toContain(question);
    for (const text of messages) expect(toAnna).toContain(text);
  });

  it("closes a ticket whose question is near the limit: the operator gets the close and the topic buttons", async () => {
    const t = await setUpDesk();
    const question = `не работает ${"очень длинное описание ".repeat(180)}`;
    expect(question.length).toBeGreaterThan(4000);
    const id = await t.openTicket(CITIZEN, question);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.deliver();
    await t.desk.operatorCommand(ANNA, { name: "close", args: "" });
    const closed = await t.deliver();
    expect(refusals(closed)).toEqual([]);
    const toAnna = closed.filter((r) => r.chatId === ANNA.chatId);
    expect(shown(closed, ANNA.chatId)).toContain(`Обращение №${id} закрыто`);
    // The buttons are under the last part, which is the one tagged for the topic.
    const last = toAnna.at(-1);
    expect(t.buttonsOf(last).length).toBeGreaterThan(0);
    expect(toAnna.slice(0, -1).every((r) => t.buttonsOf(r).length === 0)).toBe(true);
  });
});

describe("refusals and reminders", () => {
  it("tells an operator when Telegram refuses a message to them, once (a refused notice is not noticed)", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    const toAnna = (await t.deliver()).find((r) => r.chatId === ANNA.chatId);
    if (!toAnna) throw new Error("nothing to Anna");
    await t.desk.undeliverable(toAnna, "400: Bad Request: message is too long", false);
    const notices = await t.deliver();
    expect(notices.map((r) => r.chatId)).toEqual([ANNA.chatId]);
    expect(t.textsTo(notices, ANNA)[0]).toContain(`№${id}`);
    expect(t.textsTo(notices, ANNA)[0]).toContain("message is too long");
    // The notice refused in turn: no notice of the notice.
    const [notice] = notices;
    if (!notice) throw new Error("no notice");
    await t.desk.undeliverable(notice, "400: Bad Request: chat not found", false);
    expect(await t.deliver()).toEqual([]);
    // Without a ticket (a supervisor's /stats) it is reported the same way.
    await t.desk.operatorCommand(CHIEF, { name: "stats", args: "" });
    const [stats] = await t.deliver();
    if (!stats) throw new Error("no stats");
    await t.desk.undeliverable(stats, "400: Bad Request: can't parse entities", false);
    expect(t.textsTo(await t.deliver(), CHIEF)[0]).toContain("can't parse entities");
    // A citizen's chat is not staff: nothing is sent to them about it.
    await t.desk.undeliverable(
      { ...stats, chatId: OTHER_CITIZEN.chatId },
      "400: Bad Request: x",
      false,
    );
    expect(await t.deliver()).toEqual([]);
  });

  it("reminds each operator of 50 overdue tickets in one message, not 50", async () => {
    const t = await setUpDesk();
    const ids: number[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push(await t.openTicket({ chatId: 10_000 + i, userId: 10_000 + i, language: "ru" }));
    }
    await t.deliver();
    t.advance(11 * 60_000);
    expect(await t.desk.remindOverdue()).toBe(50);
    const reminders = await t.deliver();
    expect(reminders.map((r) => r.chatId).sort()).toEqual([
      ANNA.chatId,
      BORIS.chatId,
      CHIEF.chatId,
    ]);
    expect(refusals(reminders)).toEqual([]);
    const digest = t.textsTo(reminders, BORIS)[0] ?? "";
    for (const id of ids) expect(digest).toContain(`№${id} `);
    expect(t.buttonsOf(reminders[0]).map((b) => b.callback_data)).toEqual(["hn"]);
    // Taken from the digest: the oldest first.
    await t.desk.press(BORIS, "hn");
    expect((await t.handoff.tickets.ticket(ids[0] ?? 0))?.operatorId).toBe(t.idOf(BORIS));
  });

  it("sends one reminder a period while tickets pass the limit one after another", async () => {
    const t = await setUpDesk();
    // A ticket every 20 seconds for 16 minutes; the desk looks every minute for 40.
    const ids: number[] = [];
    let reminders: OutboxItem[] = [];
    for (let second = 0; second < 40 * 60; second += 20) {
      if (ids.length < 50) {
        const chatId = 20_000 + ids.length;
        ids.push(await t.openTicket({ chatId, userId: chatId, language: "ru" }));
      }
      if (second % 60 === 0) await t.desk.remindOverdue();
      reminders = reminders.concat((await t.deliver()).filter((r) => r.chatId === BORIS.chatId));
      t.advance(20_000);
    }
    // What Boris gets besides the new-ticket cards (and their edits): the reminders.
    const toBoris = reminders.filter((r) => r.message.kind === "text" && r.tag !== "card");
    // 40 minutes, a limit of 10: one reminder in each period at most.
    expect(toBoris.length).toBeLessThanOrEqual(4);
    const listed = t.textsTo(toBoris, BORIS).join("\n");
    for (const id of ids) expect(listed).toContain(`№${id} `);
  });
});

describe("an update handled twice at once (Telegram delivered it again, to another process, while the first worked)", () => {
  it("records and relays the citizen's message once; the other handler learns it was handled and changes nothing", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.deliver();
    const message = { text: "c1-m1 не приходит код", updateId: 9001 };
    const outcomes = await Promise.allSettled([
      t.desk.citizenMessage(CITIZEN, message),
      t.desk.citizenMessage(CITIZEN, message),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(UpdateAlreadyHandled);
    const relayed = t.textsTo(await t.deliver(), ANNA).filter((text) => text.includes("c1-m1"));
    expect(relayed).toHaveLength(1);
    expect(await t.handoff.tickets.recordedTwice()).toEqual([]);
  });
});
