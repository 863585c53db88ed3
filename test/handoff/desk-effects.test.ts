import { describe, expect, it } from "vitest";
import {
  type DeskChannel,
  type DeskEffect,
  type Handoff,
  openHandoff,
  type Person,
  type Shown,
} from "../../handoff/index.ts";
import { createMatcher } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { openTestDatabase } from "../storage.ts";
import { addOperator } from "./staff-fixture.ts";

// The desk on its own: actions in, effects out, with a channel that only
// records what it is given. No Telegram, no texts, no markup: what a web
// console or a terminal would render.

const kb = realKnowledgeBase();
const knowledge = { kb, matcher: createMatcher(kb) };
const NOON = new Date("2026-11-25T12:00:00+03:00").getTime();
const CITIZEN: Person = { chatId: 501, userId: 501, language: "en" };
const ANNA: Person = { chatId: 601, userId: 601, language: "ru" };

async function setUp() {
  const effects: DeskEffect[] = [];
  /** What was shown per ticket, as a channel remembers it. */
  const shown = new Set<string>();
  const channel = (): DeskChannel => ({
    deliver: async (effect) => {
      effects.push(effect);
      if (effect.kind !== "update" && effect.shown && effect.ticketId !== undefined) {
        shown.add(`${effect.ticketId}:${effect.shown}`);
      }
    },
    wasShown: async (ticketId: number, what: Shown) => shown.has(`${ticketId}:${what}`),
  });
  const handoff = openHandoff(await openTestDatabase(), {
    knowledge: () => knowledge,
    channel,
    now: () => NOON,
  });
  const anna = await addOperator(handoff.staff, ANNA.userId, "Анна <i>", { onShift: true });
  await handoff.store.recordQuestion({
    chatId: CITIZEN.chatId,
    text: "my <question> about a passport",
    language: "en",
    decision: "escalate",
    intent: null,
    confidence: 0.2,
    candidates: [{ intent: "contacts.hotline", score: 0.31 }],
  });
  /** The effects since the last call. */
  const taken = () => effects.splice(0);
  return { handoff, desk: handoff.desk, taken, anna };
}

/** The id of the ticket's newest message: the one a staff notice names. */
const lastMessageId = async (handoff: Handoff, ticketId: number | undefined) =>
  (await handoff.tickets.transcript(ticketId ?? 0))?.messages.at(-1)?.id;

describe("the desk decides, channels render", () => {
  it("says a ticket's life as effects in the domain's words, people's words raw", async () => {
    const { handoff, desk, taken, anna } = await setUp();
    await desk.offer(CITIZEN);
    expect(taken()).toEqual([
      {
        kind: "citizen",
        chatId: CITIZEN.chatId,
        language: "en",
        notice: { kind: "offer", availability: { kind: "on_shift" } },
      },
    ]);

    await desk.press(CITIZEN, { kind: "confirm" });
    const opened = taken();
    const ticketId = opened[0]?.kind === "citizen" ? opened[0].ticketId : undefined;
    expect(ticketId).toBeTypeOf("number");
    expect(opened).toEqual([
      {
        kind: "citizen",
        chatId: CITIZEN.chatId,
        language: "en",
        notice: { kind: "ticket_opened", ticketId, position: 1 },
        ticketId,
      },
      {
        kind: "staff",
        staffId: anna,
        notice: {
          kind: "card",
          ticketId,
          language: "en",
          question: "my <question> about a passport",
          tried: [{ intent: "contacts.hotline", score: 0.31, title: expect.any(String) }],
        },
        ticketId,
        shown: "card",
      },
    ]);

    expect(await desk.press(ANNA, { kind: "take", ticketId: ticketId ?? 0 })).toEqual({
      spent: true,
    });
    const notices = taken().map((effect) => [effect.kind, effect.notice.kind]);
    expect(notices).toEqual([
      ["citizen", "operator_joined"],
      ["staff", "taken"],
      ["staff", "transcript"],
      ["update", "card_taken"],
    ]);

    await desk.operatorMessage(ANNA, { text: "<b>not bold</b> & fine" });
    expect(taken()).toEqual([
      {
        kind: "citizen",
        chatId: CITIZEN.chatId,
        language: "en",
        notice: {
          kind: "from_operator",
          text: "<b>not bold</b> & fine",
          messageId: await lastMessageId(handoff, ticketId),
        },
        ticketId,
      },
    ]);

    await desk.operatorRequest(ANNA, { kind: "close" });
    expect(taken().map((effect) => effect.notice)).toEqual([
      { kind: "closed", ticketId },
      {
        kind: "closed_by_you",
        ticketId,
        question: "my <question> about a passport",
        choices: [{ intent: "contacts.hotline", title: expect.any(String) }],
      },
    ]);

    await desk.press(CITIZEN, { kind: "solved", ticketId: ticketId ?? 0, solved: true });
    expect(taken()).toMatchObject([{ notice: { kind: "ask_rating" }, shown: "rating" }]);
    // Asked once: the channel remembers it was shown.
    expect(
      await desk.press(CITIZEN, { kind: "solved", ticketId: ticketId ?? 0, solved: true }),
    ).toEqual({
      toast: { kind: "citizen", notice: { kind: "rating_asked" } },
      spent: true,
    });
  });

  it("answers a citizen's operator request and a forged take with effects, not texts", async () => {
    const { desk, taken, anna } = await setUp();
    await desk.operatorRequest(CITIZEN, { kind: "queue" });
    expect(taken()).toEqual([
      {
        kind: "citizen",
        chatId: CITIZEN.chatId,
        language: "en",
        notice: { kind: "operators_only" },
      },
    ]);
    // A citizen pressing an operator's choice gets nothing, and nothing is said.
    expect(await desk.press(CITIZEN, { kind: "take_next" })).toEqual({});
    expect(taken()).toEqual([]);
    // An operator with an empty queue hears it, as a notice and a message.
    expect(await desk.press(ANNA, { kind: "take_next" })).toEqual({
      toast: { kind: "staff", notice: { kind: "queue_empty" } },
      spent: true,
    });
    expect(taken()).toEqual([{ kind: "staff", staffId: anna, notice: { kind: "queue_empty" } }]);
  });
});

describe("staff outside Telegram (the web console)", () => {
  it("take, reply to a named ticket and close by staff id; told by staff id", async () => {
    const { handoff, desk, taken } = await setUp();
    const { member: web } = await handoff.staff.add({
      login: "olga",
      name: "Ольга",
      role: "operator",
    });
    await handoff.staff.setShift(web.id, true);
    await desk.press(CITIZEN, { kind: "confirm" });
    const ticketId = (await handoff.tickets.openTicketOf(CITIZEN.chatId))?.id as number;
    taken();

    expect(await desk.staffPress(web.id, { kind: "take", ticketId })).toEqual({ spent: true });
    expect((await handoff.tickets.ticket(ticketId))?.operatorId).toBe(web.id);
    const onTake = taken();
    expect(onTake).toContainEqual(
      expect.objectContaining({
        kind: "citizen",
        notice: { kind: "operator_joined", ticketId, operatorName: "Ольга" },
      }),
    );
    expect(onTake).toContainEqual(
      expect.objectContaining({
        kind: "staff",
        staffId: web.id,
        notice: expect.objectContaining({ kind: "taken" }),
      }),
    );

    expect(await desk.staffMessage(web.id, { text: "Добрый день", ticketId })).toBe(true);
    expect(taken()).toEqual([
      {
        kind: "citizen",
        chatId: CITIZEN.chatId,
        language: "en",
        notice: {
          kind: "from_operator",
          text: "Добрый день",
          messageId: await lastMessageId(handoff, ticketId),
        },
        ticketId,
      },
    ]);
    expect(await desk.staffRequest(web.id, { kind: "close", ticketId })).toBe(true);
    expect((await handoff.tickets.ticket(ticketId))?.state).toBe("closed");
  });

  it("refuses another operator's ticket, audited as from the web, and anyone not staff", async () => {
    const { handoff, desk, taken, anna } = await setUp();
    const { member: web } = await handoff.staff.add({
      login: "boris",
      name: "Борис",
      role: "operator",
    });
    await desk.press(CITIZEN, { kind: "confirm" });
    const ticketId = (await handoff.tickets.openTicketOf(CITIZEN.chatId))?.id as number;
    await desk.press(ANNA, { kind: "take", ticketId });
    taken();

    await desk.staffMessage(web.id, { text: "чужое", ticketId });
    expect(taken()).toEqual([
      { kind: "staff", staffId: web.id, notice: { kind: "not_yours", ticketId } },
    ]);
    expect((await handoff.tickets.transcript(ticketId))?.messages).toEqual([]);

    await handoff.staff.remove(web.id);
    expect(await desk.staffPress(web.id, { kind: "take_next" })).toBeUndefined();
    expect(await desk.staffMessage(web.id, { text: "уже не сотрудник", ticketId })).toBe(false);
    expect(await desk.staffRequest(9999, { kind: "close", ticketId })).toBe(false);
    expect(taken()).toEqual([]);
    expect((await handoff.tickets.ticket(ticketId))?.operatorId).toBe(anna);
  });
});
