import { describe, expect, it } from "vitest";
import { addOperator } from "../handoff/staff-fixture.ts";
import { createHarness } from "./harness.ts";

// The relay in the bot loses no citizen message: floods in a ticket, files
// the rules refuse, albums, and presses as many as messages.

const OPERATOR = { id: 601, first_name: "Анна", language_code: "ru" };
const CITIZEN = 777;

/** A harness with one on-shift operator and a citizen whose ticket waits, or is the operator's. */
async function withTicket(options: { rateLimitPerMinute?: number; taken?: boolean } = {}) {
  const h = createHarness(options);
  await addOperator(h.handoff.staff, OPERATOR.id, "Анна", { onShift: true });
  await h.handle(h.text("какая погода завтра в москве"));
  await h.handle(h.press("hy"));
  const ticket = await h.handoff.tickets.openTicketOf(CITIZEN);
  if (!ticket) throw new Error("no ticket");
  if (options.taken) await h.handle(h.text(`/take ${ticket.id}`, OPERATOR));
  await h.deliver();
  h.calls.length = 0;
  return { h, ticket };
}

const textsTo = (h: ReturnType<typeof createHarness>, chatId: number) =>
  h.calls
    .filter((c) => c.method === "sendMessage" && c.payload.chat_id === chatId)
    .map((c) => String(c.payload.text));

const photo = (fields: { size: number; group?: string; caption?: string }, n = 0) => ({
  photo: [
    { file_id: `photo-${n}`, file_unique_id: `p${n}`, width: 1, height: 1, file_size: fields.size },
  ],
  ...(fields.group ? { media_group_id: fields.group } : {}),
  ...(fields.caption ? { caption: fields.caption } : {}),
});

describe("the relay in the bot", () => {
  it("passes every message of a flooding citizen in a ticket on to the operator", async () => {
    const { h, ticket } = await withTicket({ rateLimitPerMinute: 20, taken: true });
    for (let i = 0; i < 40; i++) await h.handle(h.text(`сообщение ${i}`));
    await h.deliver();
    const messages = (await h.handoff.tickets.transcript(ticket.id))?.messages ?? [];
    const sent = Array.from({ length: 40 }, (_, i) => `сообщение ${i}`);
    expect(messages.filter((m) => m.direction === "citizen").map((m) => m.text)).toEqual(sent);
    const relayed = textsTo(h, OPERATOR.id).map((text) => text.replace(/^💬 <b>№\d+:<\/b> /, ""));
    expect(relayed).toEqual(sent);
    expect(textsTo(h, CITIZEN).some((text) => text.includes("очень часто"))).toBe(false);
  });

  it("limits button presses like messages, answering every press", async () => {
    const h = createHarness({ rateLimitPerMinute: 20 });
    // "No, thanks" to an operator: each press that passes sends a message.
    for (let i = 0; i < 100; i++) await h.handle(h.press("hx"));
    await h.deliver();
    const declined = h.sent().filter((text) => text.includes("/menu"));
    expect(declined).toHaveLength(20);
    expect(h.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(100);
    const toasts = h.calls
      .filter((c) => c.method === "answerCallbackQuery" && c.payload.text !== undefined)
      .map((c) => String(c.payload.text));
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toContain("очень часто");
  });

  it("relays the caption of a file the rules refuse, saying the file was refused", async () => {
    const { h, ticket } = await withTicket({ taken: true });
    await h.handle(h.message(photo({ size: 9e6, caption: "скан паспорта" })));
    await h.deliver();
    expect(textsTo(h, CITIZEN)[0]).toContain("до 5 МБ");
    const toOperator = textsTo(h, OPERATOR.id);
    expect(toOperator).toHaveLength(1);
    expect(toOperator[0]).toContain("скан паспорта");
    expect(toOperator[0]).toContain("файл не принят");
    const messages = (await h.handoff.tickets.transcript(ticket.id))?.messages ?? [];
    expect(messages.map((m) => m.text)).toEqual(["скан паспорта"]);
  });

  it("answers an album once, outside a ticket and for files refused in one", async () => {
    const h = createHarness();
    for (let i = 0; i < 10; i++) {
      await h.handle(
        h.message(
          photo({ size: 1e5, group: "album-1", ...(i === 0 ? { caption: "вот" } : {}) }, i),
        ),
      );
    }
    const outside = textsTo(h, CITIZEN);
    expect(outside).toHaveLength(1);

    const { h: inTicket, ticket } = await withTicket({ taken: true });
    for (let i = 0; i < 10; i++)
      await inTicket.handle(inTicket.message(photo({ size: 9e6, group: "album-2" }, i)));
    // A second album is answered again.
    await inTicket.handle(inTicket.message(photo({ size: 9e6, group: "album-3" }, 10)));
    const refused = textsTo(inTicket, CITIZEN);
    expect(refused).toHaveLength(2);
    for (const text of refused) expect(text).toContain("до 5 МБ");
    // Accepted photos of an album each still reach the operator.
    for (let i = 0; i < 10; i++)
      await inTicket.handle(inTicket.message(photo({ size: 1e5, group: "album-4" }, 20 + i)));
    await inTicket.deliver();
    const files = inTicket.calls.filter(
      (c) => c.method === "sendPhoto" && c.payload.chat_id === OPERATOR.id,
    );
    expect(files).toHaveLength(10);
    expect((await inTicket.handoff.tickets.transcript(ticket.id))?.messages).toHaveLength(10);
  });
});
