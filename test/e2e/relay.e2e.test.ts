import { join } from "node:path";
import type { Message } from "grammy/types";
import { describe, expect, it } from "vitest";
import { callbackDataOf, textOf } from "../bot-api-double/index.ts";
import { useBotProcess } from "./e2e-setup.ts";

// The relay against the Bot API double, which refuses what Telegram refuses
// (a text over 4,096 characters, a caption over 1,024, broken HTML): a long
// question full of characters that grow when escaped, a flood in a ticket,
// and /close, all reach who they are for.

const e2e = useBotProcess("e2e-relay-");
const operator = { id: 2101, first_name: "Ольга", language_code: "ru" };
const citizen = { id: 3101, first_name: "Анна", language_code: "ru" };
const WAIT = { timeoutMs: 15_000 };
const to = (chatId: number, includes: string) => (m: Message) =>
  m.chat.id === chatId && textOf(m).includes(includes);

describe("the relay as a process against the Bot API double", () => {
  it("delivers a near-limit question's transcript, a flood in the ticket and the close", async () => {
    const { double } = e2e;
    await e2e.launch({
      DATABASE_PATH: join(e2e.dir, "bot.sqlite"),
      OPERATOR_IDS: String(operator.id),
      RATE_LIMIT_PER_MINUTE: "20",
    });
    let since = double.calls.length;
    double.sendText(operator, "/shift on");
    await double.waitForMessage(to(operator.id, "Смена начата"), { since, ...WAIT });

    // About 4,000 characters, over 10,000 once escaped.
    const question = `какая погода завтра в Москве <&> ${"дождь & <снег> ".repeat(265)}`.trim();
    expect(question.length).toBeGreaterThan(3900);
    since = double.calls.length;
    double.sendText(citizen, question);
    const offer = await double.waitForMessage(
      (m) => m.chat.id === citizen.id && callbackDataOf(m).includes("hy"),
      { since, ...WAIT },
    );
    double.pressButton(citizen, offer, "hy");
    const opened = await double.waitForMessage(to(citizen.id, "передано операторам"), {
      since,
      ...WAIT,
    });
    const id = Number(/№(\d+)/.exec(textOf(opened))?.[1]);
    const card = await double.waitForMessage(
      (m) => m.chat.id === operator.id && callbackDataOf(m).includes(`ht:${id}`),
      { since, ...WAIT },
    );

    since = double.calls.length;
    double.pressButton(operator, card, `ht:${id}`);
    await double.waitForMessage(to(citizen.id, "взято в работу"), { since, ...WAIT });
    // The whole question reaches the operator, in as many messages as it takes.
    const lastWords = question.slice(-40);
    await double.waitForMessage(to(operator.id, lastWords), { since, ...WAIT });

    // A flood in the ticket: 30 messages in a moment, over the limit of 20.
    since = double.calls.length;
    for (let i = 0; i < 30; i++) double.sendText(citizen, `деталь ${i}.`);
    for (let i = 0; i < 30; i++) {
      await double.waitForMessage(to(operator.id, `деталь ${i}.`), { since, ...WAIT });
    }

    since = double.calls.length;
    double.sendText(operator, "/close");
    await double.waitForMessage(to(citizen.id, "Удалось решить"), { since, ...WAIT });
    await double.waitForMessage(to(operator.id, `Обращение №${id} закрыто`), { since, ...WAIT });
    await double.waitForMessage(to(operator.id, "К какой теме"), { since, ...WAIT });

    const refused = double.calls.filter(
      (c) => c.response?.ok === false && c.method !== "getUpdates",
    );
    expect(refused.map((c) => `${c.method}: ${JSON.stringify(c.response)}`)).toEqual([]);
  }, 90_000);
});
