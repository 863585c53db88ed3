import { Composer } from "grammy";
import type { BotContext } from "../context.ts";
import type { BotDeps } from "../deps.ts";
import { menuMessage } from "../messages.ts";
import { sendMessage } from "../send.ts";
import { TEXTS } from "../texts.ts";

/** The portal's own rule for files sent to support. */
export const ACCEPTED_FILE_TYPES = ["image/jpeg", "image/png", "application/pdf"] as const;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Whether a file may go to support: JPEG, PNG or PDF up to 5 MB.
 */
export function checkFile(
  mimeType: string | undefined,
  size: number | undefined,
): { ok: true } | { ok: false; reason: "type" | "size" } {
  if (!ACCEPTED_FILE_TYPES.some((type) => type === mimeType)) return { ok: false, reason: "type" };
  if (size === undefined || size > MAX_FILE_BYTES) return { ok: false, reason: "size" };
  return { ok: true };
}

/**
 * Everything that is not a text question: files are explained (they go to an
 * operator with a question) or refused with the reason; stickers, voice,
 * locations and the like get a polite "text only" and the menu.
 */
export function createUnsupportedFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChats = composer.chatType("private");

  privateChats.on("message:photo", async (ctx) => {
    const largest = ctx.message.photo.at(-1);
    const check = checkFile("image/jpeg", largest?.file_size);
    const t = TEXTS[ctx.language];
    await ctx.reply(check.ok ? t.fileNeedsQuestion : t.fileRefused(check.reason));
  });

  privateChats.on("message:document", async (ctx) => {
    const { mime_type, file_size } = ctx.message.document;
    const check = checkFile(mime_type, file_size);
    const t = TEXTS[ctx.language];
    deps.log.info({ chat: ctx.chat.id, mime_type, file_size, ok: check.ok }, "document");
    await ctx.reply(check.ok ? t.fileNeedsQuestion : t.fileRefused(check.reason));
  });

  // Any other message: stickers, voice, video, locations, contacts, polls...
  privateChats.on("message", async (ctx) => {
    await ctx.reply(TEXTS[ctx.language].onlyText);
    await sendMessage(ctx, menuMessage(ctx.language));
  });

  return composer;
}
