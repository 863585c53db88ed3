import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message } from "grammy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openHandoff, recordingChannel, type SqlValue } from "../../handoff/index.ts";
import { openStorage } from "../../handoff/storage/index.ts";
import { createMatcher } from "../../knowledge/index.ts";
import {
  type ApiCall,
  type BotApiDouble,
  callbackDataOf,
  createBotApiDouble,
  textOf,
} from "../bot-api-double/index.ts";
import { realKnowledgeBase } from "../knowledge-fixture.ts";
import { freshPostgres } from "../postgres/fresh.ts";
import { TEST_ENGINE } from "../storage.ts";
import { type BotProcess, startBot } from "./bot-process.ts";

const TOKEN = "123456:AAE-e2e-token-0123456789abcdef";
const operatorA = { id: 2001, first_name: "Ольга", language_code: "ru" };
const operatorB = { id: 2002, first_name: "Игорь", language_code: "ru" };
const citizenOf = (id: number) => ({ id, first_name: "Анна", language_code: "ru" });
/** A ticket's operator as the Telegram user they are (tickets name staff by staff id). */
const WITH_STAFF = "LEFT JOIN staff ON staff.id = tickets.operator_id";
const OPERATOR_TELEGRAM_ID = "staff.telegram_user_id AS operator";

/** Out of the knowledge base's scope: the bot offers an operator. */
const OUT_OF_SCOPE = "какая погода завтра в Москве";

let double: BotApiDouble;
let dir: string;
let bot: BotProcess | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "e2e-handoff-"));
});
// A double per test: updates a killed bot left unconfirmed do not leak into the next test.
beforeEach(async () => {
  double = createBotApiDouble({ token: TOKEN });
  await double.start();
});
afterEach(async () => {
  await bot?.stop("SIGKILL");
  bot = undefined;
  await double.stop();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let databases = 0;
/** A new database for the bot on this run's engine: a SQLite file's path, or a PostgreSQL URL. */
const newDatabase = async () => {
  if (TEST_ENGINE === "sqlite") return join(dir, `handoff-${++databases}.sqlite`);
  const { db, url } = await freshPostgres();
  await db.close();
  return url;
};
const databaseEnv = (database: string) =>
  database.startsWith("postgres") ? { DATABASE_URL: database } : { DATABASE_PATH: database };

// Starts the program and resolves once it is polling for updates.
async function launch(database: string) {
  const before = double.calls.length;
  bot = startBot({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: double.apiRoot,
    ...databaseEnv(database),
    OPERATOR_IDS: `${operatorA.id},${operatorB.id}`,
  });
  const started = bot;
  const deadline = Date.now() + 20_000;
  while (!double.calls.slice(before).some((call) => call.method === "getUpdates")) {
    if (Date.now() > deadline)
      throw new Error(`the bot did not start polling:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return started;
}

/** Kills the bot and checks that the process itself (not a wrapper) is gone. */
async function kill(signal: NodeJS.Signals) {
  const running = bot;
  if (!running) throw new Error("no bot to stop");
  const pid = running.child.pid;
  const code = await running.stop(signal);
  bot = undefined;
  expect(pid).toBeDefined();
  expect(() => process.kill(pid as number, 0)).toThrow(/ESRCH/);
  return code;
}

async function query<T>(database: string, sql: string, ...params: SqlValue[]): Promise<T[]> {
  const db = await openStorage(
    database.startsWith("postgres")
      ? { engine: "postgres", url: database, poolSize: 1 }
      : { engine: "sqlite", path: database },
    { create: false },
  );
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

const to = (chatId: number, includes: string) => (m: Message) =>
  m.chat.id === chatId && textOf(m).includes(includes);
const WAIT = { timeoutMs: 10_000 };

/** The bot's successful sends of a method to a chat, from `since`. */
const sends = (method: string, chatId: number, since = 0): ApiCall[] =>
  double.calls
    .slice(since)
    .filter(
      (c) => c.method === method && Number(c.params.chat_id) === chatId && c.response?.ok === true,
    );

async function startShift(operator: typeof operatorA) {
  const since = double.calls.length;
  double.sendText(operator, "/shift on");
  await double.waitForMessage(to(operator.id, "Смена начата"), { since, ...WAIT });
}

/** The citizen asks what the bot cannot answer and confirms an operator; returns the ticket. */
async function openTicket(citizen: { id: number; first_name: string }) {
  const since = double.calls.length;
  double.sendText(citizen, OUT_OF_SCOPE);
  const offer = await double.waitForMessage(
    (m) => m.chat.id === citizen.id && confirmOf(m) !== undefined,
    { since, ...WAIT },
  );
  double.pressButton(citizen, offer, confirmOf(offer) ?? "hy");
  const opened = await double.waitForMessage(to(citizen.id, "передано операторам"), {
    since,
    ...WAIT,
  });
  const id = Number(/№(\d+)/.exec(textOf(opened))?.[1]);
  expect(id).toBeGreaterThan(0);
  // The offer's buttons, used, are removed.
  const removed = await double.waitFor(
    (c) => c.method === "editMessageReplyMarkup" && c.params.message_id === offer.message_id,
    { since, ...WAIT },
  );
  expect(removed.params.reply_markup).toEqual({ inline_keyboard: [] });
  return { id, offer, opened, since };
}

const cardOf = (operatorId: number, ticketId: number, since = 0) =>
  double.waitForMessage(
    (m) => m.chat.id === operatorId && callbackDataOf(m).includes(`ht:${ticketId}`),
    { since, ...WAIT },
  );

/** The operator takes the ticket from its card; resolves once the citizen is told. */
async function takeFromCard(operator: typeof operatorA, citizenId: number, ticketId: number) {
  const card = await cardOf(operator.id, ticketId);
  const since = double.calls.length;
  double.pressButton(operator, card, `ht:${ticketId}`);
  await double.waitForMessage(to(citizenId, "взято в работу"), { since, ...WAIT });
  await double.waitForMessage(to(operator.id, `История обращения №${ticketId}`), {
    since,
    ...WAIT,
  });
}

/** A running bot on a new database, and a citizen's ticket operator A took from its card. */
async function takenByA(citizen: { id: number; first_name: string }) {
  const database = await newDatabase();
  await launch(database);
  await startShift(operatorA);
  const { id } = await openTicket(citizen);
  await takeFromCard(operatorA, citizen.id, id);
  return { database, citizen, id };
}

describe("operator handoff: the bot as a process against the Bot API double", () => {
  it("sends to Telegram what another process's desk said (a web console's take), in order", async () => {
    const database = await newDatabase();
    const citizen = citizenOf(3009);
    await launch(database);
    await startShift(operatorA);
    const { id } = await openTicket(citizen);
    await cardOf(operatorA.id, id);

    // Another process on the same database, whose desk has no Telegram: it
    // records what it says for a bot process to render.
    const db = await openStorage(
      database.startsWith("postgres")
        ? { engine: "postgres", url: database, poolSize: 2 }
        : { engine: "sqlite", path: database },
      { create: false },
    );
    const kb = realKnowledgeBase();
    const knowledge = { kb, matcher: createMatcher(kb) };
    const other = openHandoff(db, { knowledge: () => knowledge, channel: recordingChannel() });
    const since = double.calls.length;
    try {
      const olga = { chatId: operatorA.id, userId: operatorA.id, language: "ru" as const };
      await other.desk.operatorRequest(olga, { kind: "take", ticketId: id });
      await other.desk.operatorMessage(olga, { text: "Здравствуйте, это Ольга из консоли" });
    } finally {
      await other.close();
    }
    await double.waitForMessage(to(citizen.id, "взято в работу"), { since, ...WAIT });
    await double.waitForMessage(to(citizen.id, "Ольга из консоли"), { since, ...WAIT });
    await double.waitForMessage(to(operatorA.id, `История обращения №${id}`), { since, ...WAIT });
    const toCitizen = double.calls
      .slice(since)
      .filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === citizen.id)
      .map((c) => String(c.params.text));
    expect(toCitizen.findIndex((t) => t.includes("взято в работу"))).toBeLessThan(
      toCitizen.findIndex((t) => t.includes("Ольга из консоли")),
    );
  });

  it("goes from an unanswerable question to a ticket, a conversation, a close and a rating", async () => {
    const database = await newDatabase();
    const citizen = citizenOf(3001);
    await launch(database);
    await startShift(operatorA);

    const { id, offer, opened, since } = await openTicket(citizen);
    expect(textOf(offer)).toContain("оператору");
    expect(textOf(opened)).toMatch(new RegExp(`№${id}.*1-й в очереди`));

    // The operator on shift got a card with a Take button, and takes it.
    const card = await cardOf(operatorA.id, id, since);
    expect(textOf(card)).toContain(OUT_OF_SCOPE);
    const taking = double.calls.length;
    double.pressButton(operatorA, card, `ht:${id}`);
    const joined = await double.waitForMessage(to(citizen.id, "взято в работу"), {
      since: taking,
      ...WAIT,
    });
    expect(textOf(joined)).toContain(`№${id}`);
    const transcript = await double.waitForMessage(to(operatorA.id, `История обращения №${id}`), {
      since: taking,
      ...WAIT,
    });
    expect(textOf(transcript)).toContain(OUT_OF_SCOPE);
    // The card says it is taken (and has no Take button any more).
    await double.waitFor(
      (c) =>
        c.method === "editMessageText" &&
        Number(c.params.chat_id) === operatorA.id &&
        c.response?.ok === true,
      { since: taking, ...WAIT },
    );
    const edited = double.sentTo(operatorA).find((m) => m.message_id === card.message_id);
    expect(edited && textOf(edited)).toContain("взял(а)");
    expect(edited && callbackDataOf(edited)).toEqual([]);

    // Operator → citizen, HTML escaped: the citizen sees the tag as typed.
    const answer = "Откройте раздел <b>Документы</b> & проверьте статус";
    let mark = double.calls.length;
    double.sendText(operatorA, answer);
    const relayed = await double.waitForMessage(to(citizen.id, answer), { since: mark, ...WAIT });
    expect(textOf(relayed)).toContain("Оператор");

    // Citizen → operator: a text and a photo, each marked with the ticket number.
    mark = double.calls.length;
    double.sendText(citizen, "Статус «на проверке» уже неделю");
    const fromCitizen = await double.waitForMessage(to(operatorA.id, "уже неделю"), {
      since: mark,
      ...WAIT,
    });
    expect(textOf(fromCitizen)).toContain(`№${id}`);
    const photo = double.sendPhoto(citizen, { fileSize: 50_000 });
    const photoId = photo.message?.photo?.at(-1)?.file_id;
    expect(photoId).toBeDefined();
    const photoRelay = await double.waitFor(
      (c) =>
        c.method === "sendPhoto" &&
        Number(c.params.chat_id) === operatorA.id &&
        c.response?.ok === true,
      { since: mark, ...WAIT },
    );
    expect(photoRelay.params.photo).toBe(photoId);
    expect(String(photoRelay.params.caption)).toContain(`№${id}`);

    // Operator → citizen: a photo.
    mark = double.calls.length;
    const operatorPhoto = double.sendPhoto(operatorA, { fileSize: 80_000 });
    const operatorPhotoId = operatorPhoto.message?.photo?.at(-1)?.file_id;
    const photoToCitizen = await double.waitFor(
      (c) =>
        c.method === "sendPhoto" &&
        Number(c.params.chat_id) === citizen.id &&
        c.response?.ok === true,
      { since: mark, ...WAIT },
    );
    expect(photoToCitizen.params.photo).toBe(operatorPhotoId);

    // Close, solved, rating.
    mark = double.calls.length;
    double.sendText(operatorA, "/close");
    const closed = await double.waitForMessage(
      (m) => m.chat.id === citizen.id && callbackDataOf(m).includes(`hs:${id}:1`),
      { since: mark, ...WAIT },
    );
    expect(textOf(closed)).toContain("Удалось решить");
    await double.waitForMessage(to(operatorA.id, `Обращение №${id} закрыто`), {
      since: mark,
      ...WAIT,
    });
    double.pressButton(citizen, closed, `hs:${id}:1`);
    const rating = await double.waitForMessage(
      (m) => m.chat.id === citizen.id && callbackDataOf(m).includes(`hr:${id}:1:5`),
      { since: mark, ...WAIT },
    );
    expect(callbackDataOf(rating)).toEqual([1, 2, 3, 4, 5].map((r) => `hr:${id}:1:${r}`));
    double.pressButton(citizen, rating, `hr:${id}:1:5`);
    await double.waitForMessage(to(citizen.id, "Спасибо за оценку"), { since: mark, ...WAIT });

    expect(await kill("SIGTERM")).toBe(0);
    expect(
      await query(
        database,
        `SELECT state, ${OPERATOR_TELEGRAM_ID}, closed_by, rating, solved FROM tickets ${WITH_STAFF}`,
      ),
    ).toEqual([
      { state: "closed", operator: operatorA.id, closed_by: "operator", rating: 5, solved: 1 },
    ]);
    // Every operator action audited as done in Telegram.
    expect(await query(database, "SELECT DISTINCT via FROM audit_log")).toEqual([
      { via: "telegram" },
    ]);
    const messages = await query<{
      direction: string;
      text: string | null;
      file_id: string | null;
    }>(
      database,
      "SELECT direction, text, file_id FROM ticket_messages WHERE ticket_id = ? ORDER BY id",
      id,
    );
    expect(messages).toEqual([
      { direction: "operator", text: answer, file_id: null },
      { direction: "citizen", text: "Статус «на проверке» уже неделю", file_id: null },
      { direction: "citizen", text: null, file_id: photoId },
      { direction: "operator", text: null, file_id: operatorPhotoId },
    ]);
  });

  it("sends an operator's burst to the citizen at most a message a second, in order", async () => {
    const { citizen } = await takenByA(citizenOf(3002));

    const mark = double.calls.length;
    const burst = ["Первое", "Второе", "Третье", "Четвёртое"].map((word) => `${word} сообщение`);
    for (const text of burst) double.sendText(operatorA, text);
    await double.waitForMessage(to(citizen.id, burst.at(-1) as string), {
      since: mark,
      timeoutMs: 20_000,
    });
    const sent = double.calls
      .slice(mark)
      .filter(
        (c) =>
          c.method === "sendMessage" &&
          Number(c.params.chat_id) === citizen.id &&
          c.response?.ok === true,
      );
    expect(sent.map((c) => burst.find((text) => String(c.params.text).includes(text)))).toEqual(
      burst,
    );
    // Each went out a second or more after the one before had been sent.
    const gaps = sent.slice(1).map((c, n) => c.time - (sent[n] as ApiCall).time);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it("relays a citizen's message exactly once when killed between receiving and relaying it", async () => {
    const { database, citizen } = await takenByA(citizenOf(3002));

    const text = "Код подтверждения не приходит уже час";
    // The relay to the operator never gets an answer; nor does the poll that
    // would confirm the citizen's update, so Telegram delivers it again.
    const relay = double.hold(
      (method, params) =>
        method === "sendMessage" &&
        Number(params.chat_id) === operatorA.id &&
        String(params.text ?? "").includes(text),
    );
    let updateId = Number.POSITIVE_INFINITY;
    const confirm = double.hold(
      (method, params) => method === "getUpdates" && Number(params.offset) > updateId,
    );
    updateId = double.sendText(citizen, text).update_id;
    await relay.waitForHeld(1, WAIT);

    await kill("SIGKILL");
    const deadline = Date.now() + 5_000;
    while (relay.abandoned() < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(relay.abandoned()).toBe(1);
    relay.drop();
    confirm.drop();
    expect(double.pendingUpdates.map((u) => u.update_id)).toContain(updateId);
    expect(
      sends("sendMessage", operatorA.id).filter((c) => String(c.params.text).includes(text)),
    ).toHaveLength(0);

    const restart = double.calls.length;
    await launch(database);
    // The update came again and was skipped: it was marked handled with the relay.
    await double.waitFor(
      (c) =>
        c.method === "getUpdates" &&
        c.response?.ok === true &&
        (c.response.result as { update_id: number }[]).some((u) => u.update_id === updateId),
      { since: restart, ...WAIT },
    );
    await double.waitForMessage(to(operatorA.id, text), { since: restart, ...WAIT });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // settle: would a second copy come?
    expect(
      sends("sendMessage", operatorA.id).filter((c) => String(c.params.text).includes(text)),
    ).toHaveLength(1);
    expect(
      await query(database, "SELECT count(*) AS n FROM ticket_messages WHERE text = ?", text),
    ).toEqual([{ n: 1 }]);
  });

  it("gives a ticket to one of two operators pressing Take at the same moment", async () => {
    const database = await newDatabase();
    const citizen = citizenOf(3003);
    await launch(database);
    await startShift(operatorA);
    await startShift(operatorB);
    const { id, since } = await openTicket(citizen);
    const cards = await Promise.all([
      cardOf(operatorA.id, id, since),
      cardOf(operatorB.id, id, since),
    ]);

    const pressed = double.calls.length;
    const presses = await Promise.all(
      [operatorA, operatorB].map(async (operator, i) =>
        double.pressButton(operator, cards[i] as Message, `ht:${id}`),
      ),
    );
    const answers = await Promise.all(
      presses.map((update) =>
        double.waitFor(
          (c) =>
            c.method === "answerCallbackQuery" &&
            c.params.callback_query_id === update.callback_query?.id,
          { since: pressed, ...WAIT },
        ),
      ),
    );
    await double.waitForMessage(to(citizen.id, "взято в работу"), { since: pressed, ...WAIT });
    // Both cards end "taken".
    await Promise.all(
      [operatorA, operatorB].map((operator) =>
        double.waitFor(
          (c) =>
            c.method === "editMessageText" &&
            Number(c.params.chat_id) === operator.id &&
            String(c.params.text).includes("взял(а)") &&
            c.response?.ok === true,
          { since: pressed, ...WAIT },
        ),
      ),
    );

    const [ticket] = await query<{ state: string; operator: number }>(
      database,
      `SELECT state, ${OPERATOR_TELEGRAM_ID} FROM tickets ${WITH_STAFF} WHERE tickets.id = ?`,
      id,
    );
    expect(ticket?.state).toBe("assigned");
    const winner = ticket?.operator;
    expect([operatorA.id, operatorB.id]).toContain(winner);
    const loserIndex = winner === operatorA.id ? 1 : 0;
    const winnerAnswer = answers[1 - loserIndex];
    const loserAnswer = answers[loserIndex];
    expect(winnerAnswer?.params.text).toBeUndefined();
    expect(String(loserAnswer?.params.text)).toContain(`№${id} уже взял(а)`);
    // Only the winner was told they took it and got the transcript.
    const loser = loserIndex === 0 ? operatorA : operatorB;
    expect(
      double
        .sentTo(loser)
        .some((m) => textOf(m).includes("Вы взяли") || textOf(m).includes("История обращения")),
    ).toBe(false);
    for (const [i, operator] of [operatorA, operatorB].entries()) {
      const card = double.sentTo(operator).find((m) => m.message_id === cards[i]?.message_id);
      expect(card && textOf(card)).toContain(`№${id} взял(а)`);
      expect(card && callbackDataOf(card)).toEqual([]);
    }
  });

  it("goes on with open tickets, assigned and waiting, over a restart", async () => {
    const database = await newDatabase();
    const assigned = citizenOf(3004);
    const waiting = citizenOf(3005);
    await launch(database);
    await startShift(operatorA);
    await startShift(operatorB);
    const first = await openTicket(assigned);
    await takeFromCard(operatorA, assigned.id, first.id);
    const second = await openTicket(waiting);
    await cardOf(operatorB.id, second.id, second.since);

    expect(await kill("SIGTERM")).toBe(0);
    const restart = double.calls.length;
    await launch(database);

    double.sendText(operatorA, "Сейчас проверю вашу заявку");
    await double.waitForMessage(to(assigned.id, "Сейчас проверю вашу заявку"), {
      since: restart,
      ...WAIT,
    });
    double.sendText(assigned, "Спасибо, жду");
    const relayed = await double.waitForMessage(to(operatorA.id, "Спасибо, жду"), {
      since: restart,
      ...WAIT,
    });
    expect(textOf(relayed)).toContain(`№${first.id}`);
    double.sendText(operatorB, `/take ${second.id}`);
    await double.waitForMessage(to(waiting.id, "взято в работу"), { since: restart, ...WAIT });
    await double.waitForMessage(to(operatorB.id, `История обращения №${second.id}`), {
      since: restart,
      ...WAIT,
    });
    expect(
      await query(
        database,
        `SELECT tickets.id, state, ${OPERATOR_TELEGRAM_ID} FROM tickets ${WITH_STAFF} ORDER BY tickets.id`,
      ),
    ).toEqual([
      { id: first.id, state: "assigned", operator: operatorA.id },
      { id: second.id, state: "assigned", operator: operatorB.id },
    ]);
  });

  it("gives a citizen who forges a Take press nothing", async () => {
    const database = await newDatabase();
    const citizen = citizenOf(3006);
    await launch(database);
    await startShift(operatorA);
    const { id, opened } = await openTicket(citizen);
    await cardOf(operatorA.id, id);

    const forged = double.calls.length;
    double.sendUpdate({
      callback_query: {
        id: "forged-take-1",
        from: { is_bot: false, ...citizen },
        message: opened as never,
        chat_instance: "forged",
        data: `ht:${id}`,
      },
    });
    const answer = await double.waitFor(
      (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === "forged-take-1",
      { since: forged, ...WAIT },
    );
    expect(answer.params.text).toBeUndefined();
    // A later message to the citizen comes after anything the press sent (one chat's
    // messages go in order): the acknowledgement is the first thing since.
    double.sendText(citizen, "Я ещё жду");
    await double.waitForMessage(to(citizen.id, `Добавлено к обращению №${id}`), {
      since: forged,
      ...WAIT,
    });
    const toCitizen = double.calls
      .slice(forged)
      .filter((c) => Number(c.params.chat_id) === citizen.id && c.method !== "answerCallbackQuery");
    expect(toCitizen.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(
      double.calls
        .slice(forged)
        .filter((c) => Number(c.params.chat_id) === operatorA.id && c.method !== "getUpdates"),
    ).toEqual([]);
    expect(
      await query(database, "SELECT state, operator_id FROM tickets WHERE id = ?", id),
    ).toEqual([{ state: "waiting", operator_id: null }]);
  });

  it("tells the operator when the citizen has blocked the bot", async () => {
    const { database, citizen, id } = await takenByA(citizenOf(3007));

    double.blockBy(citizen);
    const mark = double.calls.length;
    double.sendText(operatorA, "Вы здесь?");
    const warning = await double.waitForMessage(to(operatorA.id, "бот заблокирован"), {
      since: mark,
      ...WAIT,
    });
    expect(textOf(warning)).toContain(`№${id}`);
    expect(
      double.calls
        .slice(mark)
        .some(
          (c) =>
            c.method === "sendMessage" &&
            Number(c.params.chat_id) === citizen.id &&
            c.response?.ok === false &&
            c.response.error_code === 403,
        ),
    ).toBe(true);
    expect(
      await query(
        database,
        "SELECT CASE WHEN blocked_at IS NULL THEN 0 ELSE 1 END AS blocked FROM chats WHERE chat_id = ?",
        citizen.id,
      ),
    ).toEqual([{ blocked: 1 }]);
  });
});

/** The offer's confirm button data: "hy", or "hy:N" once the chat has had a ticket. */
function confirmOf(message: Parameters<typeof callbackDataOf>[0]): string | undefined {
  return callbackDataOf(message).find((data) => /^hy(:|$)/.test(data ?? ""));
}
