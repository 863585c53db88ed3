import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";

/** The subset of a pino logger the webhook server writes to. */
export interface WebhookLog {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface WebhookServerOptions {
  /** The port to listen on; 0 picks a free one. */
  port: number;
  /** Telegram sends it in X-Telegram-Bot-Api-Secret-Token; other requests are refused (401). */
  secret: string;
  /** The address to listen on. Defaults to all addresses (Telegram calls in from outside). */
  host?: string;
  /** The path Telegram posts to. Defaults to "/telegram". */
  path?: string;
  /**
   * A larger body is refused (413) without being read whole. Telegram's
   * updates are a few KB (texts are at most 4,096 characters). Defaults to
   * 1048576 (1 MiB).
   */
  maxBodyBytes?: number;
}

export interface WebhookServer {
  /** Starts listening; rejects with Node's error (EADDRINUSE…); resolves with the port. */
  listen(): Promise<number>;
  /**
   * From now on updates go to `handle`, answered 200 once it resolves (500
   * if it rejects: Telegram delivers again). Before, they are answered 503.
   */
  accept(handle: (update: Update) => Promise<void>): void;
  /** Updates being handled now. */
  inHand(): number;
  /**
   * Stops taking updates (new requests get 503, Telegram delivers them again
   * later), then resolves once those in hand are answered. Bound it from outside.
   */
  stop(): Promise<void>;
  /** Closes the port and drops every connection (after stop, or at a deadline). */
  close(): Promise<void>;
}

/** Why a request's body is refused, or the update it carries. */
export type WebhookBody =
  | { ok: true; update: Update }
  | { ok: false; status: 400 | 413; reason: string };

/**
 * The webhook's HTTP server: POST `path` with the secret header and a JSON
 * update, read up to `maxBodyBytes`; every request gets an answer (400 for
 * malformed JSON or anything but an update, 413 for a body too large, 404 /
 * 405 elsewhere). Nothing listens until `listen()`.
 *
 * @example const webhook = createWebhookServer(log, { port: 8080, secret }); await webhook.listen(); webhook.accept((u) => bot.handleUpdate(u));
 */
export function createWebhookServer(log: WebhookLog, options: WebhookServerOptions): WebhookServer {
  const { port, secret, host, path = "/telegram", maxBodyBytes = 1_048_576 } = options;
  const expected = Buffer.from(secret);
  let handle: ((update: Update) => Promise<void>) | undefined;
  let stopping = false;
  let inHand = 0;
  let whenIdle: (() => void) | undefined;

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      log.error({ error }, "webhook request failed");
      answer(res, 500, "internal error");
    });
  });
  // A client that sends its body slowly must not hold a connection for minutes.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? "/", "http://x").pathname !== path)
      return refuse(req, res, 404, "not found");
    if (req.method !== "POST") return refuse(req, res, 405, "use POST");
    if (!secretMatches(req.headers["x-telegram-bot-api-secret-token"]))
      return refuse(req, res, 401, "wrong secret token");
    if (stopping || !handle) return refuse(req, res, 503, "not taking updates now");
    const body = await readUpdate(req, maxBodyBytes);
    if (!body.ok) {
      log.warn({ status: body.status, reason: body.reason }, "webhook request refused");
      return refuse(req, res, body.status, body.reason);
    }
    inHand++;
    try {
      await handle(body.update);
      answer(res, 200, "");
    } catch (error) {
      log.error({ error, update: body.update.update_id }, "webhook update failed");
      answer(res, 500, "update failed");
    } finally {
      inHand--;
      if (inHand === 0) whenIdle?.();
    }
  }

  function secretMatches(given: string | string[] | undefined): boolean {
    if (typeof given !== "string") return false;
    const bytes = Buffer.from(given);
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  }

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port, ...(host ? { host } : {}) }, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    accept(next) {
      handle = next;
    },
    inHand: () => inHand,
    async stop() {
      stopping = true;
      if (inHand === 0) return;
      await new Promise<void>((resolve) => {
        whenIdle = resolve;
      });
    },
    close: () =>
      new Promise((resolve) => {
        stopping = true;
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Reads a request's body as one Telegram update: at most `maxBytes` (a larger
 * one is refused as soon as it is known, without reading it whole), JSON, an
 * object with an integer `update_id`.
 *
 * @example const body = await readUpdate(req, 1_048_576); if (!body.ok) res.writeHead(body.status);
 */
export async function readUpdate(req: IncomingMessage, maxBytes: number): Promise<WebhookBody> {
  const declared = Number(req.headers["content-length"]);
  const tooLarge = {
    ok: false,
    status: 413,
    reason: `body over ${maxBytes} bytes`,
  } as const;
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  // Not `for await`: leaving it early would destroy the socket, and the answer with it.
  const text = await new Promise<string | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData).off("end", onEnd).pause();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString("utf8"));
    req.on("data", onData).on("end", onEnd).once("error", reject);
  });
  if (text === undefined) return tooLarge;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, reason: "body is not JSON" };
  }
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    Array.isArray(parsed) ||
    !Number.isSafeInteger((parsed as { update_id?: unknown }).update_id)
  ) {
    return { ok: false, status: 400, reason: "body is not a Telegram update (no update_id)" };
  }
  return { ok: true, update: parsed as Update };
}

/** Answers and ends the exchange; the rest of an unread body is not read (the connection closes). */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  answer(res, status, text, !req.readableEnded);
}

function answer(res: ServerResponse, status: number, text: string, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(text);
}
