import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CITIZEN_TEXTS, OPERATOR_TEXTS } from "../../bot/desk/index.ts";
import { TEXTS } from "../../bot/texts.ts";
import { defaultOperatorName } from "../../handoff/index.ts";
import {
  BIDI_CONTROL,
  createMatcher,
  htmlToText,
  withoutBidiControls,
} from "../../knowledge/index.ts";
import { type ApiCall, createHarness } from "../bot/harness.ts";
import { formatText } from "../bot-api-double/formatting.ts";
import { addOperator } from "../handoff/staff-fixture.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { fuzzParameters, fuzzTimeout } from "./fuzz-settings.ts";
import { createHangGuard } from "./hang-guard.ts";
import { problemsOf } from "./telegram-checks.ts";
import {
  callbackData,
  citizenUpdate,
  cut,
  forgedUpdate,
  messageContent,
  messageText,
  type RawUpdate,
  user,
} from "./update-arbitraries.ts";

// The real bot (test/bot/harness.ts: in-memory Bot API, SQLite in memory)
// fed random updates of every kind: it never fails an update, every call it
// makes is one Telegram accepts, no one but an operator acts as one, and
// tickets stay consistent.

const kb = realKnowledgeBase();
const knowledge = { kb, matcher: createMatcher(kb) };
const guard = createHangGuard();
const OPERATOR_ID = 601;
const FAILURE_TEXTS = new Set([TEXTS.ru.failure, TEXTS.en.failure]);

type Harness = ReturnType<typeof createHarness>;

/** Handles one update and delivers what it queued; fails on a rejection or a refused call. */
async function feed(h: Harness, update: RawUpdate): Promise<void> {
  const from = h.calls.length;
  await guard.timeAsync("handle + deliver", async () => {
    await h.handle(update);
    await h.deliver();
  });
  const problems = h.calls.slice(from).flatMap(problemsOf);
  if (problems.length > 0) {
    const what = JSON.stringify(update);
    throw new Error(
      `${problems.map((p) => (p.length > 400 ? `${p.slice(0, 400)}…` : p)).join("\n")}\nafter the update ${what.length > 600 ? `${what.slice(0, 600)}…` : what}`,
    );
  }
}

/** The chats whose updates pressed "hy" or "hy:N" (confirm an operator) in their own private chat. */
function confirmedChats(updates: readonly RawUpdate[]): Set<number> {
  const chats = new Set<number>();
  for (const update of updates) {
    const query = update.callback_query;
    const chat = query?.message?.chat;
    if (/^hy(:|$)/.test(query?.data ?? "") && chat?.type === "private") chats.add(chat.id);
  }
  return chats;
}

/** What the tables say about tickets and operator actions. */
async function ticketState(h: Harness) {
  const { db } = h.handoff;
  return {
    tickets: await db.all<{
      id: number;
      chat_id: number;
      state: string;
      operator_id: number | null;
    }>("SELECT id, chat_id, state, operator_id FROM tickets"),
    openPerChat: await db.all<{ chat_id: number; n: number }>(
      "SELECT chat_id, count(*) AS n FROM tickets WHERE state <> 'closed' GROUP BY chat_id",
    ),
    audit: await db.all<{ staff_id: number | null; action: string; details: string }>(
      "SELECT staff_id, action, details FROM audit_log",
    ),
    staffMessages: await db.all<{ operator_id: number | null }>(
      "SELECT operator_id FROM ticket_messages WHERE direction <> 'citizen'",
    ),
    staff: await db.all<{ id: number; telegram_user_id: number | null }>(
      "SELECT id, telegram_user_id FROM staff",
    ),
  };
}

/**
 * Only the Telegram users `operatorIds` act as operators (tickets, messages
 * and audit rows name them by their staff ids); a ticket per chat at most;
 * tickets only for who asked.
 */
async function expectConsistent(h: Harness, updates: readonly RawUpdate[], operatorIds: number[]) {
  const state = await ticketState(h);
  expect(state.staff.map((member) => member.telegram_user_id).sort()).toEqual(
    [...operatorIds].sort(),
  );
  const staffIds = state.staff.map((member) => member.id);
  for (const row of state.openPerChat) expect(row.n, `chat ${row.chat_id}`).toBe(1);
  const confirmed = confirmedChats(updates);
  for (const ticket of state.tickets) {
    expect(confirmed.has(ticket.chat_id), `ticket for chat ${ticket.chat_id}`).toBe(true);
    if (ticket.operator_id !== null) expect(staffIds).toContain(ticket.operator_id);
    if (ticket.state === "assigned") expect(ticket.operator_id).not.toBeNull();
  }
  for (const entry of state.audit) {
    if (entry.staff_id !== null && staffIds.includes(entry.staff_id)) continue;
    expect(JSON.parse(entry.details), `${entry.action} by ${entry.staff_id}`).toHaveProperty(
      "refused",
    );
  }
  for (const row of state.staffMessages) expect(staffIds).toContain(row.operator_id);
}

/** What a call shows a person: its text or caption, its buttons' labels, a callback's notice. */
function shownBy({ payload }: ApiCall): string[] {
  const shown = [payload.text, payload.caption].filter((v): v is string => typeof v === "string");
  const markup = payload.reply_markup as { inline_keyboard?: { text?: unknown }[][] } | undefined;
  for (const button of markup?.inline_keyboard?.flat() ?? []) {
    if (typeof button.text === "string") shown.push(button.text);
  }
  return shown;
}

/**
 * No call shows a bidi control: the bot's own texts have none, and what one
 * person wrote (a name, a text, a caption) reaches another without them.
 */
function expectNoBidiControls(h: Harness) {
  for (const call of h.calls) {
    for (const text of shownBy(call)) {
      expect(text, `${call.method} ${JSON.stringify(text)}`).not.toMatch(BIDI_CONTROL);
    }
  }
}

describe("the bot fed random updates", () => {
  it(
    "handles every kind, makes only valid calls, and lets no citizen act as an operator",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(citizenUpdate, { minLength: 1, maxLength: 12 }),
          async (updates) => {
            const h = createHarness({ knowledge });
            for (const update of updates) await feed(h, update);
            const failures = h.sent().filter((text) => FAILURE_TEXTS.has(text));
            expect(failures, "a handler threw").toEqual([]);
            await expectConsistent(h, updates, []);
            await h.handoff.close();
          },
        ),
        fuzzParameters(60, { shrink: false }),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "survives updates Telegram never sends",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(forgedUpdate, citizenUpdate), { minLength: 1, maxLength: 6 }),
          async (updates) => {
            const h = createHarness({ knowledge });
            for (const update of updates) await feed(h, update);
            await expectConsistent(h, updates, []);
            await h.handoff.close();
          },
        ),
        fuzzParameters(40, { shrink: false }),
      );
    },
    fuzzTimeout(60_000),
  );
});

// Citizens 777-779 ask, confirm ("hy"), write, send files and cancel; one
// operator on shift takes, answers, notes, transfers and closes, with random
// arguments; strangers press random buttons.
const citizen = user(fc.constantFrom(777, 778, 779)).map((u) => ({ ...u, is_bot: false }));
const privateMessage = (from: typeof citizen, content = messageContent) =>
  fc.tuple(from, content).map(([sender, fields]) => ({
    message: {
      message_id: 1,
      date: 0,
      chat: { id: sender.id, type: "private", first_name: sender.first_name },
      from: sender,
      ...fields,
    },
  })) as fc.Arbitrary<RawUpdate>;
const press = (from: typeof citizen, data: fc.Arbitrary<string>) =>
  fc.tuple(from, data).map(([sender, payload]) => ({
    callback_query: {
      id: `cb${sender.id}`,
      from: sender,
      chat_instance: "1",
      data: payload,
      message: {
        message_id: 5,
        date: 0,
        chat: { id: sender.id, type: "private", first_name: "x" },
        text: "…",
      },
    },
  })) as fc.Arbitrary<RawUpdate>;
const UNANSWERABLE = ["какая погода завтра в москве", "what is the weather tomorrow"];
const ticketIds = fc.integer({ min: 1, max: 6 }).map(String);
const operatorCommand = fc
  .tuple(
    fc.constantFrom(
      "/take",
      "/close",
      "/note",
      "/kb",
      "/transfer",
      "/tickets",
      "/shift",
      "/queue",
      "/stats",
      "/help",
      "/topic",
      "/cancel",
      "/start",
    ),
    fc.oneof(
      fc.constant(""),
      ticketIds,
      fc.constantFrom("on", "off", "queue", "пароль", "602", "new", "skip"),
      messageText,
    ),
  )
  .map(([name, args]) => ({
    text: cut(`${name}${args ? ` ${args}` : ""}`, 4096),
    entities: [{ type: "bot_command", offset: 0, length: name.length }],
  }));

const command = (text: string) => ({
  text,
  entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length ?? 0 }],
});
const sequenceStep = (operator: typeof citizen) =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: privateMessage(
        citizen,
        fc.constantFrom(...UNANSWERABLE).map((text) => ({ text })),
      ),
    },
    { weight: 3, arbitrary: press(citizen, fc.constant("hy")) },
    { weight: 6, arbitrary: privateMessage(citizen) },
    { weight: 2, arbitrary: press(citizen, callbackData(ticketIds)) },
    { weight: 3, arbitrary: privateMessage(operator, fc.constantFrom(command("/take"))) },
    { weight: 1, arbitrary: privateMessage(operator, fc.constantFrom(command("/close"))) },
    { weight: 3, arbitrary: privateMessage(operator, operatorCommand) },
    { weight: 4, arbitrary: privateMessage(operator) },
    { weight: 2, arbitrary: press(operator, callbackData(ticketIds)) },
    { weight: 1, arbitrary: citizenUpdate },
  );

describe("the handoff fed random sequences", () => {
  // Their Telegram name, which citizens see, carries a bidi control.
  const operator = fc
    .tuple(user(fc.constant(OPERATOR_ID)), fc.constantFrom("\u202e", "\u2067", "\u200f"))
    .map(([u, control]) => ({ ...u, is_bot: false, first_name: `${control}${u.first_name}` }));

  it(
    "keeps one open ticket per chat, only the operator acting, and every call valid",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("operator", "supervisor") as fc.Arbitrary<"operator" | "supervisor">,
          fc.array(sequenceStep(operator), { minLength: 5, maxLength: 30, size: "max" }),
          async (role, steps) => {
            const h = createHarness({ knowledge });
            // Named after their Telegram first name (random) on their first message.
            await addOperator(h.handoff.staff, OPERATOR_ID, defaultOperatorName(OPERATOR_ID), {
              role,
              onShift: true,
            });
            for (const step of steps) await feed(h, step);
            await expectConsistent(h, steps, [OPERATOR_ID]);
            expectNoBidiControls(h);
            await h.handoff.close();
          },
        ),
        fuzzParameters(60, { shrink: false }),
      );
    },
    fuzzTimeout(60_000),
  );
});

describe("relaying through a ticket", () => {
  const OPERATOR = { id: OPERATOR_ID, is_bot: false, first_name: "Анна" };
  const CITIZEN = { id: 777, is_bot: false, first_name: "Иван", language_code: "ru" };
  const content = fc.oneof(
    messageText.map((text) => ({ text })),
    fc.tuple(fc.constantFrom("photo", "document"), messageText).map(([kind, text]) => ({
      caption: cut(text, 1024),
      ...(kind === "photo"
        ? { photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1, file_size: 1000 }] }
        : {
            document: {
              file_id: "d",
              file_unique_id: "d",
              mime_type: "application/pdf",
              file_size: 1000,
            },
          }),
    })),
  );
  // What the desk puts before relayed text, then ": " if text follows: "💬 №1", "👤 Оператор".
  const labels = [OPERATOR_TEXTS.fileFromCitizen(1), CITIZEN_TEXTS.ru.operatorLabel].map((html) =>
    htmlToText(html).replace(/\s+/g, ""),
  );
  /** The text relayed to a chat since a call: every message as Telegram shows it, labels and spaces removed. */
  const relayedTo = (h: Harness, chatId: number, since: number) =>
    h.calls
      .slice(since)
      .filter((c) => c.payload.chat_id === chatId)
      .map((c) => formatText(c.payload.text ?? c.payload.caption, c.payload.parse_mode, undefined))
      .map((shown) => (shown.ok ? shown.text.replace(/\s+/g, "") : ""))
      .map((shown) => {
        const label = labels.find((l) => shown.startsWith(l));
        return label === undefined ? shown : shown.slice(label.length).replace(/^:/, "");
      })
      .join("");

  it("delivers texts and captions of any length whole, in messages Telegram accepts", async () => {
    await fc.assert(
      fc.asyncProperty(content, content, async (fromCitizen, fromOperator) => {
        const h = createHarness({ knowledge });
        try {
          await addOperator(h.handoff.staff, OPERATOR_ID, "Анна", { onShift: true });
          await feed(h, h.text("какая погода завтра в москве", CITIZEN));
          await feed(h, h.press("hy", {}, CITIZEN));
          await feed(h, h.text("/take", OPERATOR));
          for (const [from, fields, to] of [
            [CITIZEN, fromCitizen, OPERATOR_ID],
            [OPERATOR, fromOperator, CITIZEN.id],
          ] as const) {
            const since = h.calls.length;
            await feed(h, h.message(fields, from));
            // As written, less bidi controls.
            const written = "text" in fields ? fields.text : fields.caption;
            const sent = withoutBidiControls(written).replace(/\s+/g, "");
            expect(relayedTo(h, to, since)).toBe(sent);
          }
        } finally {
          await h.handoff.close();
        }
      }),
      fuzzParameters(40, { shrink: false }),
    );
  });
});
