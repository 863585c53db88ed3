import type { PhotoSize } from "grammy/types";
import type { FileKind, StoredFile } from "../files.ts";
import { mimeTypeOf } from "../files.ts";
import { characterCount, formatText } from "../formatting.ts";
import { checkReplyMarkup } from "../keyboard.ts";
import { isUpload, stringParam } from "../params.ts";
import { badRequest, ok } from "../responses.ts";
import type { ApiFailure, Params } from "../types.ts";
import { replyTarget } from "./messages.ts";
import { type DoubleState, type MethodHandler, newBotMessage, optional } from "./state.ts";

/** Bots may download files up to 20 MB. */
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const CAPTION_LIMIT = 1024;
/** TDLib's names of file types, in its "can't use file of type … as …" errors. */
const TYPE_NAMES: Record<FileKind, string> = {
  photo: "Photo",
  document: "Document",
  sticker: "Sticker",
  voice: "VoiceNote",
};

/**
 * Whether a file_id of one kind may be sent as another: a photo only as a
 * photo; a document, sticker or voice note as a document (TDLib's "document
 * types"), but none of them as a photo.
 */
function usableAs(actual: FileKind, wanted: FileKind): boolean {
  return actual === wanted || (wanted === "document" && actual !== "photo");
}

/** A file as a photo's sizes: a small preview made up, then the file itself. */
export function photoSizes(state: DoubleState, file: StoredFile): PhotoSize[] {
  const preview = state.files.add("photo", { size: Math.min(file.file_size, 1500) });
  return [
    {
      file_id: preview.file_id,
      file_unique_id: preview.file_unique_id,
      width: 90,
      height: 90,
      file_size: preview.file_size,
    },
    {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: 1280,
      height: 1280,
      file_size: file.file_size,
    },
  ];
}

/** sendPhoto: an upload, a known file_id or a URL, with an optional caption. */
export const sendPhoto: MethodHandler = (params, state) =>
  sendMedia(params, state, "photo", (file) => ({ photo: photoSizes(state, file) }));

/** sendDocument: an upload, a known file_id or a URL, with an optional caption. */
export const sendDocument: MethodHandler = (params, state) =>
  sendMedia(params, state, "document", (file) => {
    const fileName = file.file_name ?? file.file_path.split("/").pop() ?? "file";
    return {
      document: {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_name: fileName,
        mime_type: file.mime_type ?? mimeTypeOf(fileName),
        file_size: file.file_size,
      },
    };
  });

/** getFile: the file's download path (under {apiRoot}/file/bot{token}/), up to 20 MB. */
export const getFile: MethodHandler = (params, state) => {
  const fileId = stringParam(params, "file_id");
  const file = fileId === undefined ? undefined : state.files.get(fileId);
  if (!file) return badRequest("invalid file_id");
  if (file.file_size > DOWNLOAD_LIMIT) return badRequest("file is too big");
  const { file_id, file_unique_id, file_size, file_path } = file;
  return ok({ file_id, file_unique_id, file_size, file_path });
};

function sendMedia(
  params: Params,
  state: DoubleState,
  kind: FileKind,
  content: (file: StoredFile) => Record<string, unknown>,
) {
  const target = state.chats.lookup(params.chat_id);
  if (!target.ok) return target;
  const file = inputFile(params[kind], kind, state);
  if (!file.ok) return file;
  const caption = formatText(params.caption, params.parse_mode, params.caption_entities);
  if (!caption.ok) return caption;
  if (characterCount(caption.text) > CAPTION_LIMIT)
    return badRequest("message caption is too long");
  const markup = checkReplyMarkup(params.reply_markup);
  if (!markup.ok) return markup;
  const reply = replyTarget(params, target.chat, state);
  if (!reply.ok) return reply;
  const message = newBotMessage(state, target.chat, {
    ...content(file.file),
    ...optional("caption", caption.text === "" ? undefined : caption.text),
    ...optional("caption_entities", caption.entities.length > 0 ? caption.entities : undefined),
    ...optional("reply_markup", markup.echoed),
    ...optional("reply_to_message", reply.message),
  });
  state.chats.save(message, true);
  return ok(message);
}

/** The file a media parameter names: uploaded now, known by file_id, or fetched from a URL. */
function inputFile(
  value: unknown,
  kind: FileKind,
  state: DoubleState,
): { ok: true; file: StoredFile } | ApiFailure {
  if (isUpload(value)) {
    const mimeType = value.mimeType === "application/octet-stream" ? undefined : value.mimeType;
    return {
      ok: true,
      file: state.files.add(kind, {
        bytes: value.bytes,
        fileName: value.fileName,
        ...optional("mimeType", mimeType),
      }),
    };
  }
  if (typeof value !== "string" || value === "")
    return badRequest(`there is no ${kind} in the request`);
  const known = state.files.get(value);
  if (known) {
    if (!usableAs(known.kind, kind))
      return badRequest(`can't use file of type ${TYPE_NAMES[known.kind]} as ${TYPE_NAMES[kind]}`);
    return { ok: true, file: known };
  }
  if (/^https?:\/\/\S+$/.test(value)) {
    const fileName = new URL(value).pathname.split("/").pop() || undefined;
    return {
      ok: true,
      file: state.files.add(kind, { size: 20_480, ...optional("fileName", fileName) }),
    };
  }
  return badRequest("wrong file identifier/HTTP URL specified");
}
