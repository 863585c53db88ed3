import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../bot/log.ts";
import { addOperator } from "../handoff/staff-fixture.ts";
import { createHarness } from "./harness.ts";

// Card numbers, SNILS and phones in a citizen's question, in the spellings
// that used to get through: grouped, with dashes, full-width digits, Amex.
const QUESTION =
  "какая погода завтра? карта 4111-1111-1111-1111, amex 3782 822463 10005, " +
  "снилс 112.233.445\u00a095, тел ＋３７５ ２９ １２３ ４５ ６７";
const MASKED = "какая погода завтра? карта [карта], amex [карта], снилс [СНИЛС], тел [телефон]";

describe("personal data in a citizen's question", () => {
  it("is masked in the stored question and on the operator's card", async () => {
    const h = createHarness();
    await addOperator(h.handoff.staff, 601, "Анна", { onShift: true });
    await h.handle(h.text(QUESTION));
    expect((await h.store.questions()).map((q) => q.text)).toEqual([MASKED]);
    await h.handle(h.press("hy"));
    await h.deliver();
    const ticket = await h.handoff.tickets.openTicketOf(777);
    expect(ticket?.question).toBe(MASKED);
    const card = h.calls.find(
      (c) => c.method === "sendMessage" && c.payload.chat_id === 601 && c.payload.reply_markup,
    );
    expect(String(card?.payload.text)).toContain(`<b>Вопрос:</b> ${MASKED}`);
  });

  it("is masked in the logs", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    createLogger("info", sink).info({ text: QUESTION }, QUESTION);
    const entry = JSON.parse(lines[0] ?? "{}");
    expect([entry.text, entry.msg]).toEqual([MASKED, MASKED]);
  });
});
