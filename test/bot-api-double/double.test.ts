import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { run } from "@grammyjs/runner";
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from "grammy";
import type { Message, Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotApiDouble, createBotApiDouble, type DoubleUser, parseHtml } from "./index.ts";

const anna: DoubleUser = { id: 777, first_name: "Анна", language_code: "ru", username: "anna" };
const boris: DoubleUser = { id: 888, first_name: "Boris", language_code: "en" };

let double: BotApiDouble;

beforeEach(async () => {
  double = createBotApiDouble();
  await double.start();
});

afterEach(async () => {
  await double.stop();
});

interface Answer {
  status: number;
  body: {
    ok: boolean;
    result?: unknown;
    error_code?: number;
    description?: string;
    parameters?: { retry_after?: number };
  };
}

/** POSTs a JSON call, as most clients do. */
async function call(
  method: string,
  params: Record<string, unknown> = {},
  token = double.token,
): Promise<Answer> {
  const response = await fetch(`${double.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

async function resultOf<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const answer = await call(method, params);
  expect(answer.body, `${method} failed: ${answer.body.description}`).toMatchObject({ ok: true });
  return answer.body.result as T;
}

/** Polls `condition` every 10 ms, for things no call marks (a webhook delivery). */
async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function badRequest(description: string): Answer {
  return { status: 400, body: { ok: false, error_code: 400, description } };
}

describe("the Bot API over plain fetch", () => {
  it("answers getMe with the bot the token names, by POST and by GET", async () => {
    const me = await resultOf<{ id: number; is_bot: boolean; username: string }>("getMe");
    expect(me).toMatchObject({ id: 123456, is_bot: true, username: "TestBot" });
    const viaGet = await fetch(`${double.apiRoot}/bot${double.token}/getMe`);
    expect(await viaGet.json()).toEqual({ ok: true, result: me });
  });

  it("refuses a wrong token with 401 and an unknown method with 404, as Telegram does", async () => {
    expect(await call("getMe", {}, "123456:WRONG")).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: "Unauthorized" },
    });
    expect(await call("sendSticker")).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: "Not Found: method not found" },
    });
    expect(double.calls.map((c) => [c.method, c.response?.ok])).toEqual([
      ["getMe", false],
      ["sendSticker", false],
    ]);
  });

  it("delivers updates through getUpdates until an offset confirms them", async () => {
    const first = double.sendText(anna, "Здравствуйте");
    const second = double.sendText(anna, "/start");
    expect(second.update_id).toBe(first.update_id + 1);
    const updates = await resultOf<Update[]>("getUpdates");
    expect(updates).toEqual([first, second]);
    expect(updates[1]?.message).toMatchObject({
      message_id: 2,
      chat: { id: 777, type: "private", first_name: "Анна" },
      from: { id: 777, is_bot: false, language_code: "ru", username: "anna" },
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    });
    // Not confirmed yet: the same updates again.
    expect(await resultOf("getUpdates")).toEqual([first, second]);
    expect(await resultOf("getUpdates", { offset: second.update_id })).toEqual([second]);
    expect(await resultOf("getUpdates", { offset: second.update_id + 1 })).toEqual([]);
    expect(double.pendingUpdates).toEqual([]);
  });

  it("honours limit and allowed_updates", async () => {
    const texts = [1, 2, 3].map((n) => double.sendText(anna, `message ${n}`));
    expect(await resultOf("getUpdates", { limit: 2 })).toEqual(texts.slice(0, 2));
    const sent = await resultOf<Message>("sendMessage", {
      chat_id: 777,
      text: "Menu",
      reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }]] },
    });
    const press = double.pressButton(anna, sent, "yes");
    const updates = await resultOf<Update[]>("getUpdates", { allowed_updates: ["callback_query"] });
    expect(updates).toEqual([press]);
    // The skipped messages were dropped, not kept for later.
    expect(double.pendingUpdates).toEqual([press]);
  });

  it("holds a long poll until an update arrives", async () => {
    const started = Date.now();
    const poll = resultOf<Update[]>("getUpdates", { timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const update = double.sendText(anna, "Есть кто?");
    expect(await poll).toEqual([update]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("ends an empty long poll at its timeout", async () => {
    const started = Date.now();
    expect(await resultOf("getUpdates", { timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("ends a long poll with 409 when another one starts, as Telegram does", async () => {
    const first = call("getUpdates", { timeout: 5 });
    // waitFor sees a call when it arrives, not only once answered.
    const waiting = await double.waitFor((c) => c.method === "getUpdates");
    expect(waiting.response).toBeUndefined();
    const second = call("getUpdates", { timeout: 0 });
    expect((await first).body).toEqual({
      ok: false,
      error_code: 409,
      description:
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    expect((await second).body).toEqual({ ok: true, result: [] });
  });

  it("sends messages with incrementing ids per chat, echoing the inline keyboard", async () => {
    double.sendText(anna, "Привет");
    double.sendText(boris, "Hi");
    const keyboard = { inline_keyboard: [[{ text: "Да", callback_data: "yes" }]] };
    const sent = await resultOf<Message>("sendMessage", {
      chat_id: 777,
      text: "<b>Здравствуйте</b>, Анна!",
      parse_mode: "HTML",
      reply_markup: keyboard,
    });
    expect(sent).toMatchObject({
      message_id: 2,
      from: { id: 123456, is_bot: true, username: "TestBot" },
      chat: { id: 777, type: "private", first_name: "Анна" },
      text: "Здравствуйте, Анна!",
      entities: [{ type: "bold", offset: 0, length: 12 }],
      reply_markup: keyboard,
    });
    expect(typeof sent.date).toBe("number");
    const next = await resultOf<Message>("sendMessage", { chat_id: "777", text: "ещё" });
    expect(next.message_id).toBe(3);
    expect(next.reply_markup).toBeUndefined();
    const other = await resultOf<Message>("sendMessage", { chat_id: 888, text: "Hello" });
    expect(other.message_id).toBe(2);
    expect(double.sentTo(anna).map((m) => m.text)).toEqual(["Здравствуйте, Анна!", "ещё"]);
  });

  it("refuses what Telegram refuses, in Telegram's words", async () => {
    double.sendText(anna, "Привет");
    expect(await call("sendMessage", { chat_id: 999, text: "hi" })).toEqual(
      badRequest("Bad Request: chat not found"),
    );
    expect(await call("sendMessage", { chat_id: 777, text: "" })).toEqual(
      badRequest("Bad Request: message text is empty"),
    );
    expect(await call("sendMessage", { chat_id: 777, text: "  \n " })).toEqual(
      badRequest("Bad Request: message text is empty"),
    );
    expect(await call("sendMessage", { chat_id: 777, text: "я".repeat(4097) })).toEqual(
      badRequest("Bad Request: message is too long"),
    );
    expect((await call("sendMessage", { chat_id: 777, text: "я".repeat(4096) })).status).toBe(200);
    expect(
      await call("sendMessage", { chat_id: 777, text: "<foo>x</foo>", parse_mode: "HTML" }),
    ).toEqual(
      badRequest(
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0',
      ),
    );
    expect(
      await call("sendMessage", { chat_id: 777, text: "<b>жирный", parse_mode: "HTML" }),
    ).toEqual(
      badRequest(
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
      ),
    );
    expect(
      await call("sendMessage", { chat_id: 777, text: "<b><i>x</b></i>", parse_mode: "HTML" }),
    ).toEqual(
      badRequest(
        'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
      ),
    );
    // 33 Cyrillic letters are 66 bytes: the limit is in bytes.
    const tooLong = { inline_keyboard: [[{ text: "x", callback_data: "д".repeat(33) }]] };
    expect(await call("sendMessage", { chat_id: 777, text: "hi", reply_markup: tooLong })).toEqual(
      badRequest("Bad Request: BUTTON_DATA_INVALID"),
    );
    const fits = { inline_keyboard: [[{ text: "x", callback_data: "д".repeat(32) }]] };
    expect(
      (await call("sendMessage", { chat_id: 777, text: "hi", reply_markup: fits })).status,
    ).toBe(200);
    expect(await call("answerCallbackQuery", { callback_query_id: "42" })).toEqual(
      badRequest(
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
      ),
    );
  });

  it("edits a bot message, and refuses unknown messages and edits that change nothing", async () => {
    double.sendText(anna, "Привет");
    const keyboard = { inline_keyboard: [[{ text: "Да", callback_data: "yes" }]] };
    const sent = await resultOf<Message>("sendMessage", {
      chat_id: 777,
      text: "Вопрос",
      reply_markup: keyboard,
    });
    expect(await call("editMessageText", { chat_id: 777, message_id: 99, text: "x" })).toEqual(
      badRequest("Bad Request: message to edit not found"),
    );
    const same = await call("editMessageText", {
      chat_id: 777,
      message_id: sent.message_id,
      text: "Вопрос",
      reply_markup: keyboard,
    });
    expect(same.body.description).toMatch(/^Bad Request: message is not modified: /);
    expect(await call("editMessageText", { chat_id: 777, message_id: 1, text: "x" })).toEqual(
      badRequest("Bad Request: message can't be edited"),
    );
    const edited = await resultOf<Message>("editMessageText", {
      chat_id: 777,
      message_id: sent.message_id,
      text: "Ответ",
    });
    expect(edited).toMatchObject({ message_id: sent.message_id, text: "Ответ" });
    expect(edited.edit_date).toBeTypeOf("number");
    // Without reply_markup, editMessageText removes the keyboard (as on Telegram).
    expect(edited.reply_markup).toBeUndefined();
    await resultOf("editMessageReplyMarkup", {
      chat_id: 777,
      message_id: sent.message_id,
      reply_markup: keyboard,
    });
    expect(double.sentTo(777)).toEqual([
      expect.objectContaining({ text: "Ответ", reply_markup: keyboard }),
    ]);
    const unchanged = await call("editMessageReplyMarkup", {
      chat_id: 777,
      message_id: sent.message_id,
      reply_markup: keyboard,
    });
    expect(unchanged.status).toBe(400);
  });

  it("answers each callback query once", async () => {
    double.sendText(anna, "Привет");
    const sent = await resultOf<Message>("sendMessage", {
      chat_id: 777,
      text: "Вопрос",
      reply_markup: { inline_keyboard: [[{ text: "Да", callback_data: "yes" }]] },
    });
    const press = double.pressButton(anna, sent, "yes");
    const query = press.callback_query;
    expect(query).toMatchObject({ from: { id: 777 }, data: "yes", message: sent });
    await resultOf("answerCallbackQuery", { callback_query_id: query?.id, text: "Принято" });
    expect((await call("answerCallbackQuery", { callback_query_id: query?.id })).status).toBe(400);
    expect(double.callbackAnswers).toEqual([
      expect.objectContaining({ callback_query_id: query?.id, text: "Принято", query }),
    ]);
    expect(() => double.pressButton(anna, sent, "no")).toThrow(
      /no button with callback_data "no"; its buttons now: "Да" → "yes"/,
    );
  });

  it("reads form-encoded bodies and query strings with JSON fields, as Telegram does", async () => {
    double.sendText(anna, "Привет");
    const markup = JSON.stringify({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] });
    const form = await fetch(`${double.apiRoot}/bot${double.token}/sendMessage`, {
      method: "POST",
      body: new URLSearchParams({ chat_id: "777", text: "form", reply_markup: markup }),
    });
    expect(await form.json()).toMatchObject({ ok: true, result: { text: "form" } });
    const query = new URLSearchParams({ chat_id: "777", text: "query", reply_markup: markup });
    const viaGet = await fetch(`${double.apiRoot}/bot${double.token}/sendMessage?${query}`);
    expect(await viaGet.json()).toMatchObject({
      ok: true,
      result: { text: "query", reply_markup: JSON.parse(markup) },
    });
  });

  it("takes uploads as multipart/form-data and serves them back through getFile", async () => {
    double.sendText(anna, "Привет");
    const form = new FormData();
    form.set("chat_id", "777");
    form.set("caption", "<i>Справка</i>");
    form.set("parse_mode", "HTML");
    form.set("document", new Blob(["%PDF-1.4 test"]), "справка.pdf");
    const response = await fetch(`${double.apiRoot}/bot${double.token}/sendDocument`, {
      method: "POST",
      body: form,
    });
    const { result } = (await response.json()) as { result: Message };
    expect(result).toMatchObject({
      caption: "Справка",
      caption_entities: [{ type: "italic", offset: 0, length: 7 }],
      document: { file_name: "справка.pdf", mime_type: "application/pdf", file_size: 13 },
    });
    const file = await resultOf<{ file_path: string }>("getFile", {
      file_id: result.document?.file_id,
    });
    const download = await fetch(`${double.apiRoot}/file/bot${double.token}/${file.file_path}`);
    expect(await download.text()).toBe("%PDF-1.4 test");
  });

  it("plays users sending media, locations, contacts and polls", async () => {
    const updates = [
      double.sendPhoto(anna, { fileSize: 150_000, caption: "скан" }),
      double.sendDocument(anna, {
        fileName: "паспорт.pdf",
        mimeType: "application/pdf",
        fileSize: 30_000_000,
      }),
      double.sendSticker(anna),
      double.sendVoice(anna, { duration: 7 }),
      double.sendLocation(anna),
      double.sendContact(anna),
      double.sendPoll(anna, { question: "Удобно?", options: ["Да", "Нет"] }),
    ];
    const [photo, document, sticker, voice, location, contact, poll] = updates.map(
      (u) => u.message,
    );
    expect(photo?.photo?.at(-1)).toMatchObject({ file_size: 150_000 });
    expect(photo?.caption).toBe("скан");
    expect(document?.document).toMatchObject({ file_name: "паспорт.pdf", file_size: 30_000_000 });
    expect(sticker?.sticker).toMatchObject({ emoji: "👍", type: "regular" });
    expect(voice?.voice).toMatchObject({ duration: 7, mime_type: "audio/ogg" });
    expect(location?.location).toEqual({ latitude: 55.7558, longitude: 37.6173 });
    expect(contact?.contact).toMatchObject({ first_name: "Анна", user_id: 777 });
    expect(poll?.poll?.options.map((o) => o.text)).toEqual(["Да", "Нет"]);
    expect(updates.map((u) => u.message?.message_id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await resultOf("getUpdates")).toEqual(updates);
    // Bots may only download files up to 20 MB.
    expect(await call("getFile", { file_id: document?.document?.file_id })).toEqual(
      badRequest("Bad Request: file is too big"),
    );
    const big = await resultOf<{ file_path: string }>("getFile", {
      file_id: photo?.photo?.at(-1)?.file_id,
    });
    const bytes = await fetch(`${double.apiRoot}/file/bot${double.token}/${big.file_path}`);
    expect((await bytes.arrayBuffer()).byteLength).toBe(150_000);
  });

  it("copies a user's message to another chat, with a new caption", async () => {
    const photo = double.sendPhoto(anna, { fileSize: 1000, caption: "скан" }).message;
    double.sendText(boris, "operator here");
    const copied = await resultOf<{ message_id: number }>("copyMessage", {
      chat_id: 888,
      from_chat_id: 777,
      message_id: photo?.message_id,
      caption: "От Анны",
    });
    expect(copied).toEqual({ message_id: 2 });
    expect(double.sentTo(boris)).toEqual([
      expect.objectContaining({ caption: "От Анны", photo: photo?.photo }),
    ]);
    expect(await call("copyMessage", { chat_id: 888, from_chat_id: 777, message_id: 50 })).toEqual(
      badRequest("Bad Request: message to copy not found"),
    );
  });

  it("lets a user reply to a bot message, with text, a captioned photo or a document", async () => {
    double.sendText(anna, "Привет");
    const question = await resultOf<Message>("sendMessage", {
      chat_id: 777,
      text: "Опишите проблему",
      reply_markup: { inline_keyboard: [[{ text: "Отмена", callback_data: "cancel" }]] },
    });
    await resultOf("editMessageText", {
      chat_id: 777,
      message_id: question.message_id,
      text: "Опишите проблему подробнее",
    });
    const byId = double.sendText(anna, "Не могу войти", { replyTo: question.message_id }).message;
    // The replied message as it is now (edited), from the bot, with no nested reply.
    expect(byId?.reply_to_message).toMatchObject({
      message_id: question.message_id,
      from: { id: 123456, is_bot: true },
      text: "Опишите проблему подробнее",
    });
    expect(byId?.reply_to_message?.reply_markup).toBeUndefined();
    const photo = double.sendPhoto(anna, {
      fileSize: 2000,
      caption: "экран",
      replyTo: question,
    }).message;
    expect(photo).toMatchObject({
      caption: "экран",
      reply_to_message: { message_id: question.message_id },
    });
    expect(photo?.reply_to_message).not.toHaveProperty("reply_to_message");
    const reply = double.sendDocument(anna, {
      fileName: "ошибка.pdf",
      mimeType: "application/pdf",
      fileSize: 100,
      replyTo: byId?.message_id ?? 0,
    }).message;
    // A reply to a reply: the nested reply is left out, as on Telegram.
    expect(reply?.reply_to_message).toMatchObject({ text: "Не могу войти" });
    expect(reply?.reply_to_message).not.toHaveProperty("reply_to_message");
    expect(await resultOf<Update[]>("getUpdates")).toContainEqual(
      expect.objectContaining({ message: byId }),
    );
    expect(() => double.sendText(anna, "?", { replyTo: 99 })).toThrow(
      /sendText: there is no message 99 in chat 777/,
    );
    double.sendText(boris, "Hi");
    const toBoris = await resultOf<Message>("sendMessage", { chat_id: 888, text: "Hello" });
    expect(() => double.sendText(anna, "?", { replyTo: toBoris })).toThrow(
      /not of the user's chat 777/,
    );
  });

  it("relays as an operator bot does: replies, and a user's files sent again by file_id", async () => {
    const photo = double.sendPhoto(anna, { fileSize: 5000, caption: "паспорт" }).message;
    const document = double.sendDocument(anna, {
      fileName: "заявление.pdf",
      mimeType: "application/pdf",
      fileSize: 300,
    }).message;
    double.sendText(boris, "operator here");
    const card = await resultOf<Message>("sendMessage", { chat_id: 888, text: "Обращение №1" });
    const inReply = await resultOf<Message>("sendMessage", {
      chat_id: 888,
      text: "Сообщение от Анны",
      reply_parameters: { message_id: card.message_id },
    });
    expect(inReply.reply_to_message).toMatchObject({ message_id: card.message_id });
    const photoId = photo?.photo?.at(-1)?.file_id;
    const sentPhoto = await resultOf<Message>("sendPhoto", {
      chat_id: 888,
      photo: photoId,
      caption: "<b>Анна</b>: паспорт",
      parse_mode: "HTML",
      reply_parameters: { message_id: card.message_id },
    });
    expect(sentPhoto).toMatchObject({
      caption: "Анна: паспорт",
      caption_entities: [{ type: "bold", offset: 0, length: 4 }],
      reply_to_message: { message_id: card.message_id },
    });
    expect(sentPhoto.photo?.at(-1)).toMatchObject({ file_id: photoId, file_size: 5000 });
    const sentDocument = await resultOf<Message>("sendDocument", {
      chat_id: 888,
      document: document?.document?.file_id,
      caption: "Заявление",
    });
    expect(sentDocument.document).toEqual(document?.document);
    // A form-encoded call sends reply_parameters as JSON text.
    const form = await fetch(`${double.apiRoot}/bot${double.token}/copyMessage`, {
      method: "POST",
      body: new URLSearchParams({
        chat_id: "888",
        from_chat_id: "777",
        message_id: String(photo?.message_id),
        reply_parameters: JSON.stringify({ message_id: card.message_id }),
      }),
    });
    const { result: copied } = (await form.json()) as { result: { message_id: number } };
    expect(double.sentTo(boris).find((m) => m.message_id === copied.message_id)).toMatchObject({
      caption: "паспорт",
      reply_to_message: { message_id: card.message_id },
    });
    expect(
      await call("sendMessage", {
        chat_id: 888,
        text: "x",
        reply_parameters: { message_id: 99 },
      }),
    ).toEqual(badRequest("Bad Request: message to be replied not found"));
    expect(
      (
        await call("sendMessage", {
          chat_id: 888,
          text: "x",
          reply_parameters: { message_id: 99, allow_sending_without_reply: true },
        })
      ).status,
    ).toBe(200);
    expect(await call("sendPhoto", { chat_id: 888, photo: document?.document?.file_id })).toEqual(
      badRequest("Bad Request: can't use file of type Document as Photo"),
    );
    expect(await call("sendDocument", { chat_id: 888, document: photoId })).toEqual(
      badRequest("Bad Request: can't use file of type Photo as Document"),
    );
    expect(await call("sendPhoto", { chat_id: 888, photo: "AgACAgIAAxkNoSuchFile" })).toEqual(
      badRequest("Bad Request: wrong file identifier/HTTP URL specified"),
    );
  });

  it("keeps the command lists per language", async () => {
    const ru = [{ command: "start", description: "Начать" }];
    const en = [{ command: "start", description: "Start" }];
    await resultOf("setMyCommands", { commands: ru });
    await resultOf("setMyCommands", { commands: en, language_code: "en" });
    expect(double.commands).toEqual({ commands: en, language_code: "en" });
    expect(await resultOf("getMyCommands")).toEqual(ru);
    expect(await resultOf("getMyCommands", { language_code: "en" })).toEqual(en);
    await resultOf("deleteMyCommands", { language_code: "en" });
    expect(await resultOf("getMyCommands", { language_code: "en" })).toEqual([]);
    expect(
      await call("setMyCommands", { commands: [{ command: "Start!", description: "x" }] }),
    ).toEqual(badRequest("Bad Request: BOT_COMMAND_INVALID"));
  });

  it("fails calls on demand: 429 with retry_after, 500, 403, a number of times", async () => {
    double.sendText(anna, "Привет");
    double.failNext("sendMessage", { status: 429, retryAfter: 2 });
    double.failNext("sendMessage", { status: 500, times: 2 });
    double.failNext("sendMessage", { status: 403 });
    const send = () => call("sendMessage", { chat_id: 777, text: "hi" });
    expect(await send()).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 2",
        parameters: { retry_after: 2 },
      },
    });
    expect((await send()).body.description).toBe("Internal Server Error");
    expect((await send()).status).toBe(500);
    expect(await send()).toEqual({
      status: 403,
      body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" },
    });
    expect((await send()).status).toBe(200);
    expect(() => double.failNext("sendMesage", { status: 500 })).toThrow(
      /does not implement "sendMesage"/,
    );
  });

  it("answers 403 to every send to a user who blocked the bot, until unblocked", async () => {
    double.sendText(anna, "Привет");
    double.sendText(boris, "Hi");
    double.blockBy(anna);
    const blocked = await call("sendMessage", { chat_id: 777, text: "hi" });
    expect(blocked.body.description).toBe("Forbidden: bot was blocked by the user");
    expect((await call("sendChatAction", { chat_id: 777, action: "typing" })).status).toBe(403);
    expect((await call("sendMessage", { chat_id: 888, text: "hi" })).status).toBe(200);
    double.unblockBy(777);
    expect((await call("sendMessage", { chat_id: 777, text: "hi" })).status).toBe(200);
  });

  it("explains a waitFor that timed out with the calls it saw", async () => {
    double.sendText(anna, "Привет");
    await call("sendMessage", { chat_id: 777, text: "" });
    await expect(
      double.waitForMessage((m) => m.text === "never", { timeoutMs: 50 }),
    ).rejects.toThrow(
      /nothing matched within 50 ms[\s\S]*#0 sendMessage \{"chat_id":777,"text":""\} → 400 Bad Request: message text is empty/,
    );
  });
});

describe("holding requests", () => {
  /** POSTs sendMessage with an AbortSignal; the promise settles with the answer or the error. */
  function sendWithSignal(text: string, signal?: AbortSignal, chatId = 777) {
    return fetch(`${double.apiRoot}/bot${double.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: chatId, text }),
      ...(signal ? { signal } : {}),
    }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as Message }),
      (error: unknown) => error as Error,
    );
  }

  const sendCalls = () => double.calls.filter((c) => c.method === "sendMessage");

  it("keeps matching requests unanswered and unexecuted, then runs them in order on release", async () => {
    double.sendText(anna, "Привет");
    const hold = double.hold("sendMessage");
    const first = call("sendMessage", { chat_id: 777, text: "один" });
    await hold.waitForHeld(1);
    const second = call("sendMessage", { chat_id: 777, text: "два" });
    const third = call("sendMessage", { chat_id: 777, text: "три" });
    const held = await hold.waitForHeld(3);
    // The second and third raced on their own connections; the first came first.
    expect(held.map((r) => r.params.text)).toEqual([
      "один",
      expect.any(String),
      expect.any(String),
    ]);
    expect(new Set(held.map((r) => r.params.text))).toEqual(new Set(["один", "два", "три"]));
    // Other methods go on; nothing held was sent, recorded or answered.
    await resultOf("getMe");
    expect(hold.held()).toBe(3);
    expect(sendCalls()).toEqual([]);
    expect(double.sentTo(anna)).toEqual([]);
    const order = hold.requests().map((r) => r.params.text);
    const released = await hold.release();
    expect(hold.active).toBe(false);
    expect(released.map((c) => [c.method, c.params.text, c.response?.ok])).toEqual(
      order.map((text) => ["sendMessage", text, true]),
    );
    expect(released.map((c) => c.message?.message_id)).toEqual([2, 3, 4]);
    expect((await first).body.result).toMatchObject({ message_id: 2, text: "один" });
    expect([(await second).status, (await third).status]).toEqual([200, 200]);
    expect(double.sentTo(anna).map((m) => m.text)).toEqual(order);
    expect(sendCalls().map((c) => c.params.text)).toEqual(order);
    // No longer holding: the next send goes through at once.
    expect((await call("sendMessage", { chat_id: 777, text: "четыре" })).status).toBe(200);
  });

  it("never executes a held request whose client went away; the retry goes through once", async () => {
    double.sendText(anna, "Привет");
    double.sendText(boris, "Hi");
    const hold = double.hold(
      (method, params) => method === "sendMessage" && params.chat_id === 777,
    );
    expect((await call("sendMessage", { chat_id: 888, text: "not held" })).status).toBe(200);
    const killed = new AbortController();
    const lost = sendWithSignal("ответ оператора", killed.signal);
    await hold.waitForHeld();
    // The bot process dies with the request in flight.
    killed.abort();
    expect(await lost).toBeInstanceOf(Error);
    await until(() => hold.held() === 0);
    expect(hold.abandoned()).toBe(1);
    expect(double.sentTo(anna)).toEqual([]);
    expect(sendCalls().map((c) => c.params.chat_id)).toEqual([888]);
    // Restarted, the bot sends again: held again, then delivered exactly once.
    const retry = sendWithSignal("ответ оператора");
    await hold.waitForHeld();
    const [released] = await hold.release();
    expect(released?.response?.ok).toBe(true);
    expect(await retry).toMatchObject({ status: 200 });
    expect(double.sentTo(anna).map((m) => m.text)).toEqual(["ответ оператора"]);
    expect(sendCalls().map((c) => c.params.chat_id)).toEqual([888, 777]);
  });

  it("drops held requests: never executed, the connection closed unanswered", async () => {
    double.sendText(anna, "Привет");
    const hold = double.hold("SENDMESSAGE");
    const dropped = sendWithSignal("пропадёт");
    await hold.waitForHeld();
    const waiting = hold.waitForHeld(2, { timeoutMs: 2000 });
    hold.drop();
    await expect(waiting).rejects.toThrow(/hold on sendMessage was dropped/);
    expect(await dropped).toBeInstanceOf(Error);
    expect([hold.held(), hold.abandoned(), hold.active]).toEqual([0, 0, false]);
    expect(sendCalls()).toEqual([]);
    expect(double.sentTo(anna)).toEqual([]);
    expect((await call("sendMessage", { chat_id: 777, text: "дойдёт" })).status).toBe(200);
    expect(() => double.hold("sendMesage")).toThrow(/hold: the double does not implement/);
  });

  it("explains a waitForHeld that timed out, and answers 500 when a predicate throws", async () => {
    double.sendText(anna, "Привет");
    const quiet = double.hold("sendPhoto");
    await expect(quiet.waitForHeld(1, { timeoutMs: 30 })).rejects.toThrow(
      "waitForHeld: 0 of 1 request(s) to sendPhoto held after 30 ms.",
    );
    quiet.drop();
    const broken = double.hold((_method, params) => (params.text as string).length > 0);
    const answer = await call("getMe");
    expect(answer.status).toBe(500);
    expect(answer.body.description).toMatch(/^Internal Server Error: a hold's predicate threw: /);
    broken.drop();
    expect((await call("getMe")).status).toBe(200);
  });

  it("stop() ends with requests held, never executing them", async () => {
    const own = createBotApiDouble();
    await own.start();
    own.sendText(anna, "Привет");
    const hold = own.hold("sendMessage");
    const pending = fetch(`${own.apiRoot}/bot${own.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: 777, text: "в полёте" }),
    }).catch((error: unknown) => error as Error);
    await hold.waitForHeld();
    const waiting = hold.waitForHeld(2);
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(waiting).rejects.toThrow(/was ended by stop\(\)/);
    expect(await pending).toBeInstanceOf(Error);
    expect(own.calls).toEqual([]);
    expect(own.sentTo(anna)).toEqual([]);
  });
});

describe("webhooks", () => {
  interface Received {
    headers: IncomingHttpHeaders;
    update: Update;
  }

  /** A webhook endpoint that records deliveries; `answer` decides each reply. */
  async function endpoint(
    answer: (update: Update, count: number) => { status: number; body?: unknown } = () => ({
      status: 200,
    }),
  ): Promise<{ url: string; received: Received[]; server: Server }> {
    const received: Received[] = [];
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const update = JSON.parse(Buffer.concat(chunks).toString()) as Update;
      received.push({ headers: request.headers, update });
      const { status, body } = answer(update, received.length);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(body === undefined ? "" : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/hook`, received, server };
  }

  it("POSTs updates with the secret header, retries failures, and blocks getUpdates", async () => {
    const hook = await endpoint((_update, count) => ({ status: count === 1 ? 500 : 200 }));
    try {
      expect(
        await call("setWebhook", { url: hook.url, secret_token: "s3cret_token" }),
      ).toMatchObject({ body: { ok: true, result: true, description: "Webhook was set" } });
      const update = double.sendText(anna, "Привет");
      await until(() => hook.received.length === 2);
      expect(hook.received.map((r) => r.update)).toEqual([update, update]);
      expect(hook.received[1]?.headers["x-telegram-bot-api-secret-token"]).toBe("s3cret_token");
      await until(() => double.pendingUpdates.length === 0);
      const info = await resultOf<Record<string, unknown>>("getWebhookInfo");
      expect(info).toMatchObject({
        url: hook.url,
        pending_update_count: 0,
        last_error_message: "Wrong response from the webhook: 500 Internal Server Error",
      });
      expect(await call("getUpdates")).toEqual({
        status: 409,
        body: {
          ok: false,
          error_code: 409,
          description:
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        },
      });
      await resultOf("deleteWebhook");
      expect(await resultOf("getUpdates")).toEqual([]);
    } finally {
      hook.server.close();
      hook.server.closeAllConnections();
    }
  });

  it("delivers different chats' updates at once and one chat's one at a time, in order, as Telegram does", async () => {
    // Answers wait until the test lets them go: what is in flight is visible.
    const waiting: (() => void)[] = [];
    const received: Update[] = [];
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push(JSON.parse(Buffer.concat(chunks).toString()) as Update);
      waiting.push(() => response.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await resultOf("setWebhook", { url: `http://127.0.0.1:${port}/hook` });
      const first = double.sendText(anna, "раз");
      const second = double.sendText(anna, "два");
      const other = double.sendText(boris, "one");
      await until(() => received.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Anna's second waits for the answer to her first; Boris's went meanwhile.
      expect(received).toEqual([first, other]);
      // Setting the same webhook again changes nothing: nothing is sent twice.
      expect(await call("setWebhook", { url: `http://127.0.0.1:${port}/hook` })).toMatchObject({
        body: { ok: true, description: "Webhook is already set" },
      });
      for (const answer of waiting.splice(0)) answer();
      await until(() => received.length === 3);
      expect(received[2]).toEqual(second);
      for (const answer of waiting.splice(0)) answer();
      await until(() => double.pendingUpdates.length === 0);
      expect(received).toHaveLength(3);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it("runs a method the webhook answers with", async () => {
    const hook = await endpoint((update) => ({
      status: 200,
      body: { method: "sendMessage", chat_id: update.message?.chat.id, text: "Ответ из вебхука" },
    }));
    try {
      await resultOf("setWebhook", { url: hook.url });
      double.sendText(anna, "Привет");
      const reply = await double.waitForMessage((m) => m.chat.id === 777);
      expect(reply.text).toBe("Ответ из вебхука");
    } finally {
      hook.server.close();
      hook.server.closeAllConnections();
    }
  });
});

describe("a real grammY bot against the double", () => {
  function createBot(token = double.token): Bot {
    return new Bot(token, { client: { apiRoot: double.apiRoot } });
  }

  it("talks: a reply with a keyboard, a button press, an answer and an edit", async () => {
    const bot = createBot();
    bot.on("message:text", (ctx) =>
      ctx.reply(`Вы написали: <b>${ctx.message.text}</b>`, {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().text("Ответ помог", "helpful"),
      }),
    );
    bot.callbackQuery("helpful", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Спасибо!" });
      await ctx.editMessageText("Спасибо за оценку");
    });
    const polling = bot.start({ timeout: 1 });
    try {
      double.sendText(anna, "как восстановить пароль");
      const reply = await double.waitForMessage((m) => m.chat.id === anna.id);
      expect(reply.text).toBe("Вы написали: как восстановить пароль");
      expect(reply.entities).toEqual([{ type: "bold", offset: 13, length: 23 }]);
      double.pressButton(anna, reply, "helpful");
      await double.waitFor((c) => c.method === "editMessageText");
      expect(double.callbackAnswers.map((a) => a.text)).toEqual(["Спасибо!"]);
      expect(double.sentTo(anna)).toEqual([
        expect.objectContaining({ message_id: reply.message_id, text: "Спасибо за оценку" }),
      ]);
      expect(double.sentTo(anna)[0]?.reply_markup).toBeUndefined();
    } finally {
      await bot.stop();
      await polling;
    }
    // grammY confirms the last update on stop.
    expect(double.pendingUpdates).toEqual([]);
    expect(double.calls.map((c) => c.method)).toContain("deleteWebhook");
  });

  it("serves the grammY runner too", async () => {
    const bot = createBot();
    bot.command("start", (ctx) => ctx.reply("Здравствуйте!"));
    const runner = run(bot, { runner: { fetch: { allowed_updates: ["message"] } } });
    try {
      double.sendText(boris, "/start");
      expect((await double.waitForMessage((m) => m.chat.id === boris.id)).text).toBe(
        "Здравствуйте!",
      );
    } finally {
      await runner.stop();
    }
  });

  it("surfaces Telegram's errors as GrammyError: 400, 401, 403, 429", async () => {
    const bot = createBot();
    double.sendText(anna, "Привет");
    const errorOf = (promise: Promise<unknown>) =>
      promise.then(
        () => expect.fail("the call should have failed"),
        (error: unknown) => error as GrammyError,
      );

    const html = await errorOf(bot.api.sendMessage(777, "<b>x", { parse_mode: "HTML" }));
    expect(html).toBeInstanceOf(GrammyError);
    expect(html.error_code).toBe(400);
    expect(html.description).toMatch(/^Bad Request: can't parse entities: /);
    const keyboard = new InlineKeyboard().text("x", "x".repeat(65));
    const data = await errorOf(bot.api.sendMessage(777, "hi", { reply_markup: keyboard }));
    expect(data.description).toBe("Bad Request: BUTTON_DATA_INVALID");

    const unauthorized = await errorOf(createBot("123456:WRONG").init());
    expect(unauthorized.error_code).toBe(401);

    double.failNext("sendMessage", { status: 429, retryAfter: 2 });
    const flood = await errorOf(bot.api.sendMessage(777, "hi"));
    expect(flood.error_code).toBe(429);
    expect(flood.parameters.retry_after).toBe(2);

    double.blockBy(anna);
    const blocked = await errorOf(bot.api.sendMessage(777, "hi"));
    expect([blocked.error_code, blocked.description]).toEqual([
      403,
      "Forbidden: bot was blocked by the user",
    ]);
  });

  it("uploads a file with grammY's multipart and downloads it again", async () => {
    const bot = createBot();
    double.sendText(anna, "Пришлите справку");
    const content = new TextEncoder().encode("справка о доходах");
    const sent = await bot.api.sendDocument(777, new InputFile(content, "справка.txt"), {
      caption: "Ваша справка",
      reply_markup: new InlineKeyboard().text("Спасибо", "thanks"),
    });
    expect(sent.document).toMatchObject({ file_name: "справка.txt", mime_type: "text/plain" });
    expect(sent.reply_markup?.inline_keyboard[0]?.[0]?.text).toBe("Спасибо");
    const photo = await bot.api.sendPhoto(777, new InputFile(content, "scan.jpg"));
    expect(photo.photo?.at(-1)?.file_size).toBe(content.length);
    const file = await bot.api.getFile(sent.document?.file_id ?? "");
    const url = `${double.apiRoot}/file/bot${double.token}/${file.file_path}`;
    expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(content);
  });

  it("delivers to grammY's webhookCallback with the secret token", async () => {
    const bot = createBot();
    await bot.init();
    bot.on("message:text", (ctx) => ctx.reply("Получено"));
    const handle = webhookCallback(bot, "http", { secretToken: "hook_secret" });
    const server = createServer((request, response) => void handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await bot.api.setWebhook(`http://127.0.0.1:${port}/`, { secret_token: "hook_secret" });
      double.sendText(anna, "Привет");
      expect((await double.waitForMessage((m) => m.chat.id === 777)).text).toBe("Получено");
      expect(double.webhookInfo.last_error_message).toBeUndefined();
    } finally {
      server.close();
    }
  });
});

describe("parseHtml", () => {
  it("counts entity offsets in UTF-16 units and decodes entities", () => {
    expect(parseHtml('👍 <a href="https://gosuslugi.ru">портал</a> &lt;3 &amp; &copy;')).toEqual({
      ok: true,
      text: "👍 портал <3 & &copy;",
      entities: [{ type: "text_link", offset: 3, length: 6, url: "https://gosuslugi.ru" }],
    });
  });

  it("knows spoilers, code blocks with a language, and expandable quotes", () => {
    const parsed = parseHtml(
      '<span class="tg-spoiler">a</span><pre><code class="language-ts">b</code></pre><blockquote expandable>c</blockquote>',
    );
    expect(parsed).toEqual({
      ok: true,
      text: "abc",
      entities: [
        { type: "spoiler", offset: 0, length: 1 },
        { type: "pre", offset: 1, length: 1, language: "ts" },
        { type: "expandable_blockquote", offset: 2, length: 1 },
      ],
    });
    expect(parseHtml("<span>x</span>")).toMatchObject({ ok: false });
    expect(parseHtml("a < b")).toEqual({
      ok: false,
      error: 'Unsupported start tag "" at byte offset 2',
    });
    expect(parseHtml("</b>")).toEqual({ ok: false, error: "Unexpected end tag at byte offset 0" });
  });
});
