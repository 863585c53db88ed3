import { createTelegramChannel, telegramDesk } from "../../bot/desk/index.ts";
import { type Handoff, type OutboxItem, openHandoff, type Person } from "../../handoff/index.ts";
import { createMatcher } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { openTestDatabase } from "../storage.ts";
import { addOperator } from "./staff-fixture.ts";

// A desk on an in-memory database for the desk's tests: people, a settable
// clock, and a reader of what the desk sent (delivered as Telegram would).
// The desk is driven as the bot drives it (callback data, typed commands)
// and renders through the bot's Telegram channel, so these tests read what a
// person in Telegram would.

export const kb = realKnowledgeBase();
const knowledge = { kb, matcher: createMatcher(kb) };
/** Wednesday 12:00 in Moscow: operators are at work. */
export const NOON = new Date("2026-11-25T12:00:00+03:00").getTime();
/** Wednesday 23:00 in Moscow: operators are back at 08:00. */
export const NIGHT = new Date("2026-11-25T23:00:00+03:00").getTime();

export const CITIZEN: Person = { chatId: 501, userId: 501, language: "ru" };
export const OTHER_CITIZEN: Person = { chatId: 502, userId: 502, language: "en" };
export const ANNA: Person = { chatId: 601, userId: 601, language: "ru" };
export const BORIS: Person = { chatId: 602, userId: 602, language: "ru" };
export const CHIEF: Person = { chatId: 700, userId: 700, language: "ru" };

export type Button = { text: string; callback_data?: string; url?: string };

/** A desk on an in-memory database with a settable clock, and a reader of what it sent. */
export async function setUpDesk(start = NOON) {
  let clock = start;
  const handoff: Handoff = openHandoff(await openTestDatabase(), {
    knowledge: () => knowledge,
    channel: createTelegramChannel({ knowledge: () => knowledge }),
    now: () => clock,
    waitLimitMs: 10 * 60_000,
  });
  const { staff, store } = handoff;
  const desk = telegramDesk(handoff.desk);
  const staffIds = new Map([
    [ANNA.userId, await addOperator(staff, ANNA.userId, "Анна", { onShift: true })],
    [BORIS.userId, await addOperator(staff, BORIS.userId, "Борис <b>", { onShift: true })],
    [CHIEF.userId, await addOperator(staff, CHIEF.userId, "Вера", { role: "supervisor" })],
  ]);
  /** The staff id of ANNA, BORIS or CHIEF: what tickets and the audit log name them by. */
  const idOf = (person: Person): number => {
    const id = staffIds.get(person.userId);
    if (id === undefined) throw new Error(`${person.userId} is not staff here`);
    return id;
  };
  let telegramId = 100;

  /** Delivers everything due, as Telegram would, and returns the rows by chat. */
  const deliver = async (): Promise<OutboxItem[]> => {
    const sent: OutboxItem[] = [];
    for (
      let item = await handoff.outbox.claimNext(clock);
      item;
      item = await handoff.outbox.claimNext(clock)
    ) {
      const messageId = item.message.kind === "edit" ? undefined : ++telegramId;
      await handoff.outbox.markSent(item.id, messageId);
      sent.push({ ...item, messageId: messageId ?? null });
    }
    return sent;
  };
  const textsTo = (rows: OutboxItem[], person: Person) =>
    rows
      .filter((r) => r.chatId === person.chatId)
      .map((r) => ("text" in r.message ? r.message.text : `[${r.message.kind}]`));
  const buttonsOf = (row: OutboxItem | undefined): Button[] => {
    const markup = (row?.message.options as { reply_markup?: { inline_keyboard: Button[][] } })
      ?.reply_markup;
    return markup?.inline_keyboard.flat() ?? [];
  };
  const ask = (person: Person, text: string) =>
    store.recordQuestion({
      chatId: person.chatId,
      text,
      language: person.language,
      decision: "escalate",
      intent: null,
      confidence: 0.2,
      candidates: [{ intent: "contacts.hotline", score: 0.31 }],
    });
  /** A citizen asks, is offered an operator and confirms; returns the ticket id. */
  const openTicket = async (
    person: Person,
    question = "не могу подать заявление на загранпаспорт",
  ) => {
    await ask(person, question);
    await desk.offer(person);
    await desk.press(person, "hy");
    const ticket = await handoff.tickets.openTicketOf(person.chatId);
    if (!ticket) throw new Error("no ticket opened");
    return ticket.id;
  };
  return {
    handoff,
    desk,
    idOf,
    deliver,
    textsTo,
    buttonsOf,
    ask,
    openTicket,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}
