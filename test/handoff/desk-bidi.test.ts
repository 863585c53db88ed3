import { describe, expect, it } from "vitest";
import type { OutboxItem } from "../../handoff/index.ts";
import { BIDI_CONTROL } from "../../knowledge/index.ts";
import { ANNA, BORIS, CHIEF, CITIZEN, setUpDesk } from "./desk-fixture.ts";

// Every bidi control there is, around right-to-left letters that must stay.
const CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
const RTL = "שלום مرحبا";
const spoofed = (text: string) => `${text}\u202e${CONTROLS}${RTL}\u202c`;

/** What a delivered row shows: its text or caption and its buttons' labels. */
function shownIn(row: OutboxItem): string[] {
  const { message } = row;
  const shown =
    "text" in message ? [message.text] : "caption" in message ? [message.caption ?? ""] : [];
  const markup = (message.options as { reply_markup?: { inline_keyboard: { text: string }[][] } })
    ?.reply_markup;
  return [...shown, ...(markup?.inline_keyboard.flat().map((b) => b.text) ?? [])];
}

describe("bidi controls between people", () => {
  it("reach nobody: not in names, questions, texts, captions, buttons or toasts; RTL letters stay", async () => {
    const t = await setUpDesk();
    await t.handoff.staff.add({
      telegramUserId: ANNA.userId,
      name: spoofed("Анна"),
      role: "operator",
    });
    await t.handoff.staff.add({
      telegramUserId: BORIS.userId,
      name: spoofed("Борис"),
      role: "operator",
    });
    const id = await t.openTicket(CITIZEN, spoofed("вопрос про паспорт"));
    await t.desk.press(ANNA, `ht:${id}`);
    const toast = (await t.desk.press(BORIS, `ht:${id}`))?.toast ?? "";
    await t.desk.citizenMessage(CITIZEN, { text: spoofed("подробности") });
    await t.desk.citizenMessage(CITIZEN, {
      file: { id: "photo-1", kind: "photo" },
      text: spoofed("скрин"),
    });
    await t.desk.operatorMessage(ANNA, { text: spoofed("ответ") });
    await t.desk.operatorMessage(ANNA, {
      file: { id: "howto-1", kind: "photo" },
      text: spoofed("вот"),
    });
    await t.desk.operatorCommand(ANNA, { name: "tickets", args: "" });
    await t.desk.operatorCommand(ANNA, { name: "transfer", args: "" });
    await t.desk.operatorCommand(CHIEF, { name: "queue", args: "" });
    await t.desk.operatorCommand(ANNA, { name: "close", args: "" });
    const rows = await t.deliver();

    const shown = [toast, ...rows.flatMap(shownIn)];
    for (const text of shown) expect(text, JSON.stringify(text)).not.toMatch(BIDI_CONTROL);
    // What came from a person is all there, less the controls.
    const toCitizen = rows.filter((r) => r.chatId === CITIZEN.chatId).flatMap(shownIn);
    const toAnna = rows.filter((r) => r.chatId === ANNA.chatId).flatMap(shownIn);
    expect(toCitizen.join("\n")).toContain(`Анна${RTL}`);
    expect(toCitizen.join("\n")).toContain(`ответ${RTL}`);
    expect(toCitizen.join("\n")).toContain(`вот${RTL}`);
    for (const text of [
      `вопрос про паспорт${RTL}`,
      `подробности${RTL}`,
      `скрин${RTL}`,
      `Борис${RTL}`,
    ]) {
      expect(toAnna.join("\n")).toContain(text);
    }
    expect(toast).toContain(`Анна${RTL}`);
  });
});
