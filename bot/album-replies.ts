import type { MiddlewareFn, Transformer } from "grammy";
import type { BotContext } from "./context.ts";

/** How many chats' latest albums are remembered. */
const REMEMBERED_CHATS = 10_000;

/**
 * One reply per album. Telegram sends each photo of an album (messages
 * sharing a `media_group_id`) as an update of its own, and every feature
 * would answer each the same way: ten photos, ten identical replies. For an
 * album's messages, a text the bot already sent to this chat for the same
 * album is not sent again; the first send's result stands for it. Other
 * replies, and the outbox's relays (their own API client), are untouched.
 *
 * @example bot.use(oneReplyPerAlbum());
 */
export function oneReplyPerAlbum(): MiddlewareFn<BotContext> {
  // Each chat's latest album and the replies sent to it (albums come in order).
  const albums = new Map<number, { group: string; sent: Map<string, unknown> }>();
  return async (ctx, next) => {
    const group = ctx.message?.media_group_id;
    const chatId = ctx.chat?.id;
    if (group === undefined || chatId === undefined) return next();
    let album = albums.get(chatId);
    if (album?.group !== group) {
      album = { group, sent: new Map() };
      albums.delete(chatId);
      albums.set(chatId, album);
      const oldest = albums.keys().next().value;
      if (albums.size > REMEMBERED_CHATS && oldest !== undefined) albums.delete(oldest);
    }
    const { sent } = album;
    const once: Transformer = async (prev, method, payload, signal) => {
      const target = payload && "chat_id" in payload ? Number(payload.chat_id) : undefined;
      if (method !== "sendMessage" || target !== chatId || !("text" in payload)) {
        return prev(method, payload, signal);
      }
      const key = JSON.stringify([
        payload.text,
        "reply_markup" in payload ? payload.reply_markup : null,
      ]);
      const earlier = sent.get(key) as Awaited<ReturnType<typeof prev>> | undefined;
      if (earlier) return earlier;
      const result = await prev(method, payload, signal);
      if (result.ok) sent.set(key, result);
      return result;
    };
    // ctx.api's transformers apply to this update only.
    ctx.api.config.use(once);
    return next();
  };
}
