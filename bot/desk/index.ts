// The desk in Telegram: its effects rendered as Telegram messages (texts in
// ru/en, HTML, keyboards, callback data, limits), its actions decoded from
// Telegram's vocabulary. The terminal chat renders the same effects in plain text.
export { withoutBidiControlsIn } from "./bidi-controls.ts";
export { decodeDeskAction, encodeDeskAction, MAX_CALLBACK_DATA } from "./callback-data.ts";
export { parseOperatorCommand } from "./commands.ts";
export { CITIZEN_TEXTS, HTML, HTML_FORMAT, OPERATOR_TEXTS, PLAIN_FORMAT } from "./formats.ts";
export {
  CAPTION_LIMIT,
  cutBefore,
  cutHtml,
  fitMessage,
  shownLength,
  splitHtml,
  splitPlainText,
  TEXT_LIMIT,
} from "./message-limits.ts";
export { createOutboxChannel, type OutboxChannelOptions } from "./outbox-channel.ts";
export {
  type ChatButton,
  type ChatMessage,
  createRenderer,
  type Renderer,
  toastText,
} from "./render.ts";
export { formatReportText, type ReportTextOptions } from "./report-text.ts";
export { createTelegramChannel, type TelegramChannelOptions } from "./telegram.ts";
export {
  type Command,
  type TelegramDesk,
  type TelegramPressAnswer,
  telegramDesk,
} from "./telegram-desk.ts";
export { type CitizenTexts, citizenTexts, type Format, operatorTexts } from "./texts.ts";
