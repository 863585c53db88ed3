export type { WaitOptions } from "./call-log.ts";
export { type BotApiDouble, type BotApiDoubleOptions, createBotApiDouble } from "./double.ts";
export type { HeldRequest, Hold, HoldPredicate, HoldWaitOptions } from "./holds.ts";
export { parseHtml } from "./html.ts";
export { callbackDataOf, textOf } from "./message-reading.ts";
export type {
  ApiCall,
  ApiFailure,
  ApiResponse,
  ApiSuccess,
  CallbackAnswer,
  CommandsSetting,
  DoubleUser,
  Fault,
  Params,
  UploadedFile,
  UserOrChat,
} from "./types.ts";
export type { RawUpdate, ReplyTo, UserActions } from "./user-actions.ts";
