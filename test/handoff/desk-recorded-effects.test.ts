import { describe, expect, it } from "vitest";
import {
  type ChannelFactory,
  createEffectsRenderer,
  type DeskEffect,
  openHandoff,
  type Person,
  recordingChannel,
  type SqlDatabase,
} from "../../handoff/index.ts";
import { createMatcher } from "../../knowledge/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { openTestDatabase } from "../storage.ts";
import { addOperator } from "./staff-fixture.ts";

// What a web console's desk says waits, recorded, for a bot process to
// render it to Telegram; what the bot's own desk says is recorded rendered,
// for the consoles to follow.

const kb = realKnowledgeBase();
const knowledge = { kb, matcher: createMatcher(kb) };
const CITIZEN: Person = { chatId: 501, userId: 501, language: "ru" };
const ANNA: Person = { chatId: 601, userId: 601, language: "ru" };

/** A channel that keeps what it is given, in order (a stand-in for Telegram's). */
function keeper() {
  const delivered: DeskEffect[] = [];
  const channel: ChannelFactory = () => ({
    deliver: async (effect) => {
      delivered.push(effect);
    },
    wasShown: async () => false,
  });
  return { delivered, channel };
}

async function consoleDesk(db: SqlDatabase) {
  const handoff = openHandoff(db, { knowledge: () => knowledge, channel: recordingChannel() });
  await addOperator(handoff.staff, ANNA.userId, "Анна", { onShift: true });
  return handoff;
}

describe("the desk's recorded effects", () => {
  it("wait, unrendered, until a renderer gives them to its channel once, in order", async () => {
    const db = await openTestDatabase();
    const handoff = await consoleDesk(db);
    await handoff.desk.offer(CITIZEN);
    await handoff.desk.press(CITIZEN, { kind: "confirm" });
    const recorded = await handoff.repositories(db).effects.after(0, 100);
    expect(recorded.map((r) => [r.effect.kind, r.renderedAt])).toEqual([
      ["citizen", null],
      ["citizen", null],
      ["staff", null],
    ]);

    const { delivered, channel } = keeper();
    let woken = 0;
    const renderer = createEffectsRenderer({
      db,
      repositories: handoff.repositories,
      channel,
      onEnqueued: () => woken++,
    });
    expect(await renderer.renderPending()).toBe(3);
    expect(delivered).toEqual(recorded.map((r) => r.effect));
    expect(woken).toBe(1);
    expect(await renderer.renderPending()).toBe(0);
    expect(delivered).toHaveLength(3);
    expect(await handoff.repositories(db).effects.anyUnrendered()).toBe(false);
  });

  it("are recorded rendered when the step's own channel delivered them", async () => {
    const db = await openTestDatabase();
    const { delivered, channel } = keeper();
    const handoff = openHandoff(db, {
      knowledge: () => knowledge,
      channel: recordingChannel(channel),
    });
    await handoff.desk.offer(CITIZEN);
    expect(delivered.map((e) => e.kind)).toEqual(["citizen"]);
    const [recorded] = await handoff.repositories(db).effects.after(0, 10);
    expect(recorded?.effect).toEqual(delivered[0]);
    expect(recorded?.renderedAt).not.toBeNull();
    expect(await handoff.repositories(db).effects.anyUnrendered()).toBe(false);
  });

  it("are not recorded when the step fails: said and changed go together", async () => {
    const db = await openTestDatabase();
    const handoff = await consoleDesk(db);
    const before = await handoff.repositories(db).effects.latestId();
    await expect(
      db.transaction(async (tx) => {
        const repos = handoff.repositories(tx);
        await recordingChannel()(repos).deliver({
          kind: "citizen",
          chatId: CITIZEN.chatId,
          language: "ru",
          notice: { kind: "declined" },
        });
        throw new Error("the step failed after saying it");
      }),
    ).rejects.toThrow("the step failed");
    expect(await handoff.repositories(db).effects.latestId()).toBe(before);
  });

  it("answer whether the rating question was asked, from any process", async () => {
    const db = await openTestDatabase();
    const handoff = await consoleDesk(db);
    const repos = handoff.repositories(db);
    const channel = recordingChannel()(repos);
    expect(await channel.wasShown(7, "rating")).toBe(false);
    await channel.deliver({
      kind: "citizen",
      chatId: CITIZEN.chatId,
      language: "ru",
      notice: { kind: "ask_rating", ticketId: 7, solved: true },
      ticketId: 7,
      shown: "rating",
    });
    expect(await channel.wasShown(7, "rating")).toBe(true);
    expect(await channel.wasShown(8, "rating")).toBe(false);
  });

  it("are rendered once and in order by renderers running at once (processes)", async () => {
    const db = await openTestDatabase();
    const handoff = await consoleDesk(db);
    const count = 250;
    for (let i = 0; i < count; i++) {
      await handoff.repositories(db).effects.record(
        {
          kind: "citizen",
          chatId: CITIZEN.chatId,
          language: "ru",
          notice: { kind: "from_operator", text: `№${i}` },
        },
        { rendered: false },
      );
    }
    const { delivered, channel } = keeper();
    const renderers = [1, 2, 3].map(() =>
      createEffectsRenderer({ db, repositories: handoff.repositories, channel }),
    );
    const counts = await Promise.all(renderers.map((r) => r.renderPending()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
    expect(
      delivered.map((e) =>
        e.kind === "citizen" && e.notice.kind === "from_operator" ? e.notice.text : "?",
      ),
    ).toEqual(Array.from({ length: count }, (_, i) => `№${i}`));
  });
});

describe("a ticket's messages and what is said of them", () => {
  it("keep one order when a staff member sends many at once (tabs, processes)", async () => {
    const db = await openTestDatabase();
    const handoff = await consoleDesk(db);
    const olga = (await handoff.staff.byTelegram(ANNA.userId))?.id as number;
    await handoff.desk.press(CITIZEN, { kind: "confirm" });
    const ticketId = (await handoff.tickets.openTicketOf(CITIZEN.chatId))?.id as number;
    await handoff.desk.staffPress(olga, { kind: "take", ticketId });
    const texts = Array.from({ length: 30 }, (_, i) => `ответ ${i}`);
    await Promise.all(texts.map((text) => handoff.desk.staffMessage(olga, { text, ticketId })));
    const stored = ((await handoff.tickets.transcript(ticketId))?.messages ?? []).map(
      (m) => m.text,
    );
    const said = (await handoff.repositories(db).effects.after(0, 500))
      .map((r) => r.effect)
      .filter((e) => e.kind === "citizen" && e.notice.kind === "from_operator")
      .map((e) => (e.kind === "citizen" && e.notice.kind === "from_operator" ? e.notice.text : ""));
    expect(new Set(stored)).toEqual(new Set(texts));
    expect(said).toEqual(stored);
  });
});
