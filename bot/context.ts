import type { Context } from "grammy";
import type { Language } from "../knowledge/index.ts";

/** grammY's context plus the language to talk in. */
export type BotContext = Context & {
  /** The citizen's chosen language, else one from Telegram's language_code. */
  language: Language;
};

/** Russian for Russian and neighbouring languages' users, English for the rest. */
export function languageFromCode(code: string | undefined): Language {
  if (code === undefined) return "ru";
  return /^(ru|uk|be|kk|ky|uz|tg|hy|ka|az)\b/.test(code) ? "ru" : "en";
}
