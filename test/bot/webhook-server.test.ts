import { request } from "node:http";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookServer, type WebhookServer } from "../../bot/webhook-server.ts";

const SECRET = "unit-webhook-secret-0123456789";
const MAX = 64 * 1024;
const update = {
  update_id: 1,
  message: { message_id: 1, date: 0, chat: { id: 5, type: "private" } },
};

let servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

function quietLog() {
  const lines: { level: string; object: object; message: string }[] = [];
  return {
    lines,
    warn: (object: object, message: string) => void lines.push({ level: "warn", object, message }),
    error: (object: object, message: string) =>
      void lines.push({ level: "error", object, message }),
  };
}

/** A server on a free port; `ready` false leaves it not yet accepting updates. */
async function serve(handle?: (update: Update) => Promise<void>, ready = true) {
  const log = quietLog();
  const server = createWebhookServer(log, {
    port: 0,
    secret: SECRET,
    host: "127.0.0.1",
    maxBodyBytes: MAX,
  });
  servers.push(server);
  const port = await server.listen();
  const handled: Update[] = [];
  if (ready)
    server.accept(
      handle ??
        (async (u) => {
          handled.push(u);
        }),
    );
  return { server, port, log, handled };
}

/**
 * Posts `chunks` one after another (chunked unless `length` is declared) and
 * resolves with the status as soon as the answer arrives, whether or not the
 * whole body was taken.
 */
function post(
  port: number,
  chunks: Iterable<Buffer | string>,
  options: { secret?: string; length?: number; path?: string } = {},
): Promise<{ status: number; body: string }> {
  const { secret = SECRET, length, path = "/telegram" } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": secret,
          ...(length === undefined ? {} : { "content-length": length }),
        },
      },
      (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    // The server may close the connection mid-body once it has answered.
    req.on("error", (error) => reject(error));
    const iterator = chunks[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        const next = iterator.next();
        if (next.done) return void req.end();
        if (!req.write(next.value)) return void req.once("drain", pump);
      }
    };
    pump();
  });
}

/** 60 MB in 1 MB chunks, made as they are sent. */
function* sixtyMegabytes() {
  const chunk = Buffer.alloc(1024 * 1024, "a");
  for (let i = 0; i < 60; i++) yield chunk;
}

describe("the webhook server", () => {
  it("hands a Telegram update to the bot and answers 200 once it is handled", async () => {
    const s = await serve();
    expect(await post(s.port, [JSON.stringify(update)])).toEqual({ status: 200, body: "" });
    expect(s.handled).toEqual([update]);
  });

  it.each([
    ["malformed JSON", "{not json", /not JSON/],
    ["null", "null", /not a Telegram update/],
    ["an array", "[1]", /not a Telegram update/],
    ["an object without update_id", '{"message":{}}', /not a Telegram update/],
    ["an empty body", "", /not JSON/],
  ])("answers 400 to %s, without handling it", async (_, body, reason) => {
    const s = await serve();
    const answer = await post(s.port, [body]);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(reason);
    expect(s.handled).toEqual([]);
    expect(s.log.lines).toEqual([
      {
        level: "warn",
        object: { status: 400, reason: expect.stringMatching(reason) },
        message: "webhook request refused",
      },
    ]);
  });

  it("answers 413 to a 60 MB body, declared or chunked, without reading it whole", async () => {
    const s = await serve();
    const declared = await post(s.port, sixtyMegabytes(), { length: 60 * 1024 * 1024 }).catch(
      (error: Error) => ({ status: -1, body: error.message }),
    );
    expect(declared.status).toBe(413);
    const chunked = await post(s.port, sixtyMegabytes()).catch((error: Error) => ({
      status: -1,
      body: error.message,
    }));
    expect(chunked.status).toBe(413);
    expect(s.handled).toEqual([]);
  });

  it("refuses a wrong secret (401), another path (404), before the bot is ready (503)", async () => {
    const s = await serve(undefined, false);
    expect((await post(s.port, [JSON.stringify(update)], { secret: "x".repeat(30) })).status).toBe(
      401,
    );
    expect((await post(s.port, [JSON.stringify(update)], { path: "/other" })).status).toBe(404);
    expect((await post(s.port, [JSON.stringify(update)])).status).toBe(503);
  });

  it("answers 500 when handling fails (Telegram delivers it again), logged once", async () => {
    const s = await serve(async () => {
      throw new Error("database is locked");
    });
    expect((await post(s.port, [JSON.stringify(update)])).status).toBe(500);
    expect(s.log.lines).toHaveLength(1);
    expect(s.log.lines[0]).toMatchObject({ level: "error", message: "webhook update failed" });
  });

  it("stop() refuses new updates (503) and resolves once those in hand are answered", async () => {
    let finish: () => void = () => undefined;
    const s = await serve(() => new Promise<void>((resolve) => (finish = resolve)));
    const inHand = post(s.port, [JSON.stringify(update)]);
    while (s.server.inHand() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    let stopped = false;
    const stopping = s.server.stop().then(() => {
      stopped = true;
    });
    expect((await post(s.port, [JSON.stringify({ ...update, update_id: 2 })])).status).toBe(503);
    expect(stopped).toBe(false);
    finish();
    expect((await inHand).status).toBe(200);
    await stopping;
    expect(stopped).toBe(true);
  });
});
