import { InlineKeyboard } from "grammy";
import { type Incident, moscowDay, noticeIn } from "../handoff/index.ts";
import { escapeHtml, type Language } from "../knowledge/index.ts";
import { encodeAction } from "./callback-data.ts";
import type { OutgoingMessage } from "./messages.ts";
import { TEXTS } from "./texts.ts";

const LOCALES = { ru: "ru-RU", en: "en-GB" } as const;
const formats = new Map<string, Intl.DateTimeFormat>();
/** A Moscow clock in `language`, with the day and month when `withDate`; made once each. */
function moscowFormat(language: Language, withDate: boolean): Intl.DateTimeFormat {
  const key = `${language}:${withDate}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], {
      timeZone: "Europe/Moscow",
      ...(withDate ? { day: "numeric", month: "long" } : {}),
      hour: "2-digit",
      minute: "2-digit",
    });
    formats.set(key, format);
  }
  return format;
}

/** A moment in Moscow time: the time alone on the day of `now`, with the date otherwise. */
function moscowTime(at: number, language: Language, now: number): string {
  return moscowFormat(language, moscowDay(at) !== moscowDay(now)).format(at);
}

/**
 * The incidents' notices as Telegram HTML, one paragraph each: the notice
 * (staff's words, escaped) in bold, then since when and the expected fix.
 * Empty for none.
 *
 * @example incidentNotices(active, "ru", Date.now()) // "⚠️ <b>Вход не работает</b>\nСбой с 14:05…"
 */
export function incidentNotices(
  incidents: readonly Incident[],
  language: Language,
  now: number,
): string {
  const t = TEXTS[language];
  return incidents
    .map((incident) =>
      [
        `⚠️ <b>${escapeHtml(noticeIn(incident, language))}</b>`,
        [
          t.incidentSince(moscowTime(incident.since, language, now)),
          incident.expectedFix === null ? "" : t.incidentFix(escapeHtml(incident.expectedFix)),
        ]
          .filter(Boolean)
          .join(" "),
      ].join("\n"),
    )
    .join("\n\n");
}

/** `message` with the incidents' notices first (unchanged when there are none). */
export function withNotices(
  message: OutgoingMessage,
  incidents: readonly Incident[],
  language: Language,
  now: number,
): OutgoingMessage {
  if (incidents.length === 0) return message;
  return { ...message, html: `${incidentNotices(incidents, language, now)}\n\n${message.html}` };
}

/**
 * What a question about a broken part of the portal gets instead of an
 * escalation or "did you mean": the notices, and the operator button (a
 * person is still one press away).
 */
export function incidentReply(
  incidents: readonly Incident[],
  language: Language,
  now: number,
): OutgoingMessage {
  const t = TEXTS[language];
  return {
    html: `${incidentNotices(incidents, language, now)}\n\n${escapeHtml(t.incidentInstead)}`,
    keyboard: new InlineKeyboard().text(t.topics.operator, encodeAction({ kind: "operator" })),
  };
}
