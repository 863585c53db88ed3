import { Api } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramSender } from "../../bot/telegram-send.ts";
import { createOutbox, type Outbox } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { type BotApiDouble, createBotApiDouble, type DoubleUser } from "../bot-api-double/index.ts";

const citizen: DoubleUser = { id: 777, first_name: "Иван", language_code: "ru" };
let double: BotApiDouble;
let outbox: Outbox;
let send: ReturnType<typeof createTelegramSender>;

beforeEach(async () => {
  double = createBotApiDouble();
  await double.start();
  outbox = createOutbox(openSqlite(":memory:"));
  send = createTelegramSender(new Api(double.token, { apiRoot: double.apiRoot }), outbox);
  // Telegram only sends to a user who has written to the bot.
  double.sendText(citizen, "привет");
});
afterEach(() => double.stop());

/** Queues a row and claims it, as the delivery worker would. */
async function claimed(message: Parameters<Outbox["enqueue"]>[0]["message"]) {
  await outbox.enqueue({ chatId: citizen.id, message });
  const item = await outbox.claimNext();
  if (!item) throw new Error("nothing claimed");
  return item;
}

describe("sending outbox rows to Telegram", () => {
  it("sends text and returns Telegram's message id; edits a row sent before", async () => {
    const first = await claimed({
      kind: "text",
      text: "<b>№1</b>",
      options: { parse_mode: "HTML" },
    });
    const result = await send(first);
    expect(result).toEqual({ ok: true, messageId: expect.any(Number) });
    await outbox.markSent(first.id, result.ok ? result.messageId : undefined);
    const edit = await claimed({ kind: "edit", outboxId: first.id, text: "взято" });
    expect(await send(edit)).toEqual({
      ok: true,
      messageId: first.messageId ?? expect.any(Number),
    });
    expect(double.sentTo(citizen).at(-1)?.text).toBe("взято");
  });

  it("skips an edit of a message that was never delivered", async () => {
    const never = await outbox.enqueue({
      chatId: citizen.id,
      message: { kind: "text", text: "x" },
    });
    await outbox.markFailed(never, "403");
    const edit = await claimed({ kind: "edit", outboxId: never, text: "взято" });
    expect(await send(edit)).toEqual({ ok: true });
    expect(double.calls.some((c) => c.method === "editMessageText")).toBe(false);
  });

  it("reports 429 with retry_after, 5xx as transient, 403 and 400 as permanent", async () => {
    const row = await claimed({ kind: "text", text: "ответ" });
    double.failNext("sendMessage", { status: 429, retryAfter: 7 });
    expect(await send(row)).toMatchObject({ ok: false, retryAfterMs: 7000 });
    double.failNext("sendMessage", { status: 502 });
    const transient = await send(row);
    expect(transient).toMatchObject({ ok: false });
    expect(transient).not.toHaveProperty("permanent");
    double.blockBy(citizen);
    expect(await send(row)).toMatchObject({
      ok: false,
      permanent: true,
      error: expect.stringMatching(/^403/),
    });
    double.unblockBy(citizen);
    await outbox.markFailed(row.id, "403");
    const bad = await claimed({ kind: "text", text: "<b>broken", options: { parse_mode: "HTML" } });
    expect(await send(bad)).toMatchObject({
      ok: false,
      permanent: true,
      error: expect.stringMatching(/^400/),
    });
  });

  it("reports a network failure as transient", async () => {
    const row = await claimed({ kind: "text", text: "ответ" });
    // Nothing listens on port 9 (discard) here: the connection is refused.
    const offline = new Api(double.token, { apiRoot: "http://127.0.0.1:9" });
    const result = await createTelegramSender(offline, outbox)(row);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^network/) });
    expect(result).not.toHaveProperty("permanent");
  });
});
