import { escapeHtml, htmlToText, withoutBidiControls } from "../../knowledge/index.ts";
import { citizenTexts, type Format, operatorTexts } from "./texts.ts";

/** Telegram HTML: bold tags, a person's words escaped. */
export const HTML_FORMAT: Format = {
  b: (text) => `<b>${text}</b>`,
  text: (raw) => escapeHtml(raw),
  html: (markup) => markup,
};

/** Plain text (a terminal, a button's notice): no markup, no bidi controls in a person's words. */
export const PLAIN_FORMAT: Format = {
  b: (text) => text,
  text: (raw) => withoutBidiControls(raw),
  html: (markup) => htmlToText(markup),
};

/** How the desk's messages are sent: Telegram HTML, without link previews. */
export const HTML = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const;

/** The citizens' texts as the bot sends them (Telegram HTML). */
export const CITIZEN_TEXTS = citizenTexts(HTML_FORMAT);
/** The operator console's texts as the bot sends them (Telegram HTML). */
export const OPERATOR_TEXTS = operatorTexts(HTML_FORMAT);
