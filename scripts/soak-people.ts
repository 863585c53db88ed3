// The soak's people before the traffic starts: operators begin a shift, each
// citizen asks what the bot cannot answer and accepts an operator, and the
// operators take the tickets with /take until the queue is empty.
import type { Message } from "grammy/types";
import {
  type BotApiDouble,
  callbackDataOf,
  type DoubleUser,
  textOf,
} from "../test/bot-api-double/index.ts";

/** Out of the knowledge base's scope: the bot offers an operator. */
const UNANSWERABLE = "какая погода завтра в Москве";
const TAKEN = /Вы взяли обращение №(\d+)/;
const QUEUE_EMPTY = "Очередь пуста.";

/** A ticket in the hands of an operator. */
export interface Taken {
  ticketId: number;
  citizen: DoubleUser;
  operator: DoubleUser;
  /** "You took №…" in the operator's chat: the operator's messages reply to it, so they go to this ticket. */
  replyTo: Message;
}

/** `count` users with ids from `firstId`, named `name N`, writing in Russian. */
export function makeUsers(count: number, firstId: number, name: string): DoubleUser[] {
  return Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    first_name: `${name} ${i + 1}`,
    language_code: "ru",
  }));
}

/** Each operator sends `/shift on`; resolves once every one is told the shift started. */
export async function startShifts(
  double: BotApiDouble,
  operators: readonly DoubleUser[],
  timeoutMs: number,
): Promise<void> {
  await Promise.all(
    operators.map(async (operator) => {
      const since = double.calls.length;
      double.sendText(operator, "/shift on");
      await double.waitForMessage(
        (m) => m.chat.id === operator.id && textOf(m).startsWith("Смена начата"),
        { since, timeoutMs },
      );
    }),
  );
}

/** The citizen asks what the bot cannot answer and presses "Yes" on the offer; resolves with the ticket id. */
export async function escalate(
  double: BotApiDouble,
  citizen: DoubleUser,
  timeoutMs: number,
): Promise<number> {
  const since = double.calls.length;
  double.sendText(citizen, UNANSWERABLE);
  const offer = await double.waitForMessage(
    (m) => m.chat.id === citizen.id && confirmOf(m) !== undefined,
    { since, timeoutMs },
  );
  double.pressButton(citizen, offer, confirmOf(offer) ?? "hy");
  const opened = await double.waitForMessage(
    (m) => m.chat.id === citizen.id && /№\d+ передано операторам/.test(textOf(m)),
    { since, timeoutMs },
  );
  return Number(/№(\d+)/.exec(textOf(opened))?.[1]);
}

/**
 * Every operator sends `/take` (the oldest waiting ticket) again and again,
 * all at once, until told the queue is empty. Returns who took which ticket;
 * throws if a ticket of `ticketOf` was left.
 */
export async function takeAll(
  double: BotApiDouble,
  operators: readonly DoubleUser[],
  ticketOf: ReadonlyMap<number, DoubleUser>,
  timeoutMs: number,
): Promise<Taken[]> {
  const taken: Taken[] = [];
  await Promise.all(
    operators.map(async (operator) => {
      for (;;) {
        const since = double.calls.length;
        double.sendText(operator, "/take");
        const reply = await double.waitForMessage(
          (m) =>
            m.chat.id === operator.id &&
            (TAKEN.test(textOf(m)) || textOf(m).startsWith(QUEUE_EMPTY)),
          { since, timeoutMs },
        );
        const id = TAKEN.exec(textOf(reply))?.[1];
        if (id === undefined) return;
        const citizen = ticketOf.get(Number(id));
        if (!citizen) throw new Error(`operator ${operator.id} took №${id}, not a soak ticket`);
        taken.push({ ticketId: Number(id), citizen, operator, replyTo: reply });
      }
    }),
  );
  const left = [...ticketOf.keys()].filter((id) => !taken.some((t) => t.ticketId === id));
  if (left.length > 0) throw new Error(`tickets left in the queue: ${left.join(", ")}`);
  return taken.sort((a, b) => a.ticketId - b.ticketId);
}

/** The offer's confirm button data: "hy", or "hy:N" once the chat has had a ticket. */
function confirmOf(message: Parameters<typeof callbackDataOf>[0]): string | undefined {
  return callbackDataOf(message).find((data) => /^hy(:|$)/.test(data ?? ""));
}
