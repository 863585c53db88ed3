import { describe, expect, it } from "vitest";
import { CITIZEN_TEXTS } from "../../bot/desk/index.ts";
import { defaultOperatorName } from "../../handoff/index.ts";
import { addOperator } from "../handoff/staff-fixture.ts";
import { createHarness } from "./harness.ts";

const OPERATOR = { id: 601, first_name: "Анна", language_code: "ru" };

/** A harness with one on-shift operator and a citizen (777) whose ticket is waiting. */
async function withWaitingTicket(options: { rateLimitPerMinute?: number } = {}) {
  const h = createHarness(options);
  await addOperator(h.handoff.staff, OPERATOR.id, "Анна", { onShift: true });
  await h.handle(h.text("какая погода завтра в москве"));
  await h.handle(h.press("hy"));
  await h.deliver();
  const ticket = await h.handoff.tickets.openTicketOf(777);
  if (!ticket) throw new Error("no ticket");
  h.calls.length = 0;
  return { h, ticket };
}

describe("the handoff in the bot", () => {
  it("opens a ticket from an unanswered question once the citizen confirms", async () => {
    const { h, ticket } = await withWaitingTicket();
    expect(ticket.question).toBe("какая погода завтра в москве");
    const cards = await h.handoff.outbox.tagged(ticket.id, "card");
    expect(cards.map((c) => [c.chatId, c.state])).toEqual([[OPERATOR.id, "sent"]]);
  });

  it("sends a waiting citizen's text to the ticket, not to the FAQ; commands still work", async () => {
    const { h, ticket } = await withWaitingTicket();
    await h.handle(h.text("телефон горячей линии"));
    await h.handle(h.text("/menu"));
    await h.deliver();
    const messages = (await h.handoff.tickets.transcript(ticket.id))?.messages ?? [];
    expect(messages.map((m) => m.text)).toEqual(["телефон горячей линии"]);
    expect(h.sent()).toHaveLength(2);
    expect(h.sent().some((text) => text.includes("8 800"))).toBe(false);
    expect(h.sent()).toContain("Выберите тему:");
  });

  it("refuses a file outside the rules while waiting, and a sticker gets 'text only'", async () => {
    const { h, ticket } = await withWaitingTicket();
    await h.handle(
      h.message({
        document: {
          file_id: "big",
          file_unique_id: "b",
          mime_type: "application/pdf",
          file_size: 9e6,
        },
      }),
    );
    await h.handle(h.message({ sticker: { file_id: "s", file_unique_id: "s", type: "regular" } }));
    await h.handle(
      h.message({
        photo: [{ file_id: "ok-photo", file_unique_id: "p", width: 1, height: 1, file_size: 1e5 }],
      }),
    );
    expect(h.sent()[0]).toContain("до 5 МБ");
    expect(h.sent()[1]).toContain("только текстовые");
    const messages = (await h.handoff.tickets.transcript(ticket.id))?.messages ?? [];
    expect(messages.map((m) => m.file?.id)).toEqual(["ok-photo"]);
  });

  it("treats an operator's chat as the console, without the flood limit", async () => {
    const { h, ticket } = await withWaitingTicket({ rateLimitPerMinute: 3 });
    await h.handle(h.text(`/take ${ticket.id}`, OPERATOR));
    for (let i = 0; i < 6; i++) await h.handle(h.text(`ответ ${i}`, OPERATOR));
    await h.deliver();
    const toCitizen = h.calls
      .filter((c) => c.method === "sendMessage" && c.payload.chat_id === 777)
      .map((c) => String(c.payload.text));
    expect(toCitizen.filter((text) => text.startsWith("👤 <b>Оператор:</b> ответ"))).toHaveLength(
      6,
    );
    expect(h.sent().some((text) => text.includes("очень часто"))).toBe(false);
  });

  it("answers a citizen's forged Take press with nothing and changes nothing", async () => {
    const { h, ticket } = await withWaitingTicket();
    await h.handle(h.press(`ht:${ticket.id}`));
    await h.deliver();
    const answer = h.calls.find((c) => c.method === "answerCallbackQuery");
    expect(answer?.payload.text).toBeUndefined();
    expect(h.sent()).toEqual([]);
    expect((await h.handoff.tickets.ticket(ticket.id))?.state).toBe("waiting");
  });

  it("a used offer's buttons go, and the old one pressed after the ticket closed opens nothing", async () => {
    const { h, ticket } = await withWaitingTicket();
    // Confirming removed the offer's keyboard (the press in withWaitingTicket).
    const h2 = createHarness();
    await h2.handle(h2.text("какая погода завтра в москве"));
    await h2.handle(h2.press("hy"));
    expect(h2.calls.filter((c) => c.method === "editMessageReplyMarkup")).toHaveLength(1);
    await h.handle(h.text(`/take`, OPERATOR));
    await h.handle(h.text(`/close`, OPERATOR));
    await h.handle(h.text("какая погода послезавтра"));
    await h.deliver();
    h.calls.length = 0;
    await h.handle(h.press("hy"));
    await h.deliver();
    expect(await h.handoff.tickets.openTicketOf(777)).toBeUndefined();
    expect((await h.handoff.tickets.ticket(ticket.id))?.state).toBe("closed");
    expect(h.sent()).toEqual([]);
    const answer = h.calls.find((c) => c.method === "answerCallbackQuery");
    expect(answer?.payload.text).toBe(CITIZEN_TEXTS.ru.offerStale);
    const edit = h.calls.find((c) => c.method === "editMessageReplyMarkup");
    expect(edit?.payload.reply_markup).toEqual({ inline_keyboard: [] });
  });

  it("/cancel takes the citizen out of the queue; then questions go to the FAQ again", async () => {
    const { h, ticket } = await withWaitingTicket();
    await h.handle(h.text("/cancel"));
    await h.handle(h.text("телефон горячей линии"));
    await h.deliver();
    expect((await h.handoff.tickets.ticket(ticket.id))?.state).toBe("closed");
    expect(h.sent().some((text) => text.includes("8 800"))).toBe(true);
  });

  it("names an operator added by id alone after their Telegram first name", async () => {
    const { h, ticket } = await withWaitingTicket();
    const newcomer = { id: 602, first_name: "Борис", language_code: "ru" };
    await h.handoff.staff.add({
      telegramUserId: newcomer.id,
      name: defaultOperatorName(newcomer.id),
      role: "operator",
    });
    await h.handle(h.text("/shift on", newcomer));
    await h.handle(h.text(`/take ${ticket.id}`, newcomer));
    await h.deliver();
    expect((await h.handoff.staff.byTelegram(newcomer.id))?.name).toBe("Борис");
    expect(h.sent()).toContain(CITIZEN_TEXTS.ru.operatorJoined(ticket.id, "Борис"));
  });
});
