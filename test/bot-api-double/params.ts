import type { IncomingMessage } from "node:http";
import { type FormPart, headerParameter, parseMultipart } from "./multipart.ts";
import { badRequest } from "./responses.ts";
import type { ApiFailure, Params, UploadedFile } from "./types.ts";

/** Fields Telegram takes as JSON; in a form or query string they come serialized. */
const JSON_FIELDS: Record<string, string> = {
  reply_markup: "reply keyboard markup",
  entities: "message entities",
  caption_entities: "caption entities",
  link_preview_options: "link preview options",
  reply_parameters: "reply parameters",
  commands: "commands",
  scope: "bot command scope",
  allowed_updates: "allowed updates",
};

/**
 * Reads a call's parameters the ways Telegram accepts them: the query string,
 * then a JSON, urlencoded or multipart/form-data body. Uploaded files become
 * `UploadedFile` values under the field that names them (directly, or through
 * grammY's `attach://id`); JSON fields sent as strings are parsed.
 */
export async function readParams(
  request: IncomingMessage,
  query: URLSearchParams,
): Promise<{ ok: true; params: Params } | ApiFailure> {
  const params: Params = Object.fromEntries(query);
  const body = await readBody(request);
  const type = request.headers["content-type"] ?? "";
  if (body.length > 0) {
    const parsed = parseBody(body, type);
    if (!parsed.ok) return parsed;
    Object.assign(params, parsed.params);
  }
  for (const [field, what] of Object.entries(JSON_FIELDS)) {
    const value = params[field];
    if (typeof value !== "string") continue;
    try {
      params[field] = JSON.parse(value);
    } catch {
      return badRequest(`can't parse ${what} JSON object`);
    }
  }
  return { ok: true, params };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(body: Buffer, type: string): { ok: true; params: Params } | ApiFailure {
  const mime = type.split(";")[0]?.trim().toLowerCase();
  if (mime === "application/json") {
    try {
      const value: unknown = JSON.parse(body.toString("utf8"));
      if (typeof value === "object" && value !== null && !Array.isArray(value))
        return { ok: true, params: value as Params };
    } catch {}
    return badRequest("can't parse JSON object");
  }
  if (mime === "application/x-www-form-urlencoded")
    return { ok: true, params: Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
  if (mime === "multipart/form-data") {
    const boundary = headerParameter(type, "boundary");
    const parts = boundary === undefined ? undefined : parseMultipart(body, boundary);
    if (!parts) return badRequest("can't parse multipart/form-data body");
    return { ok: true, params: formParams(parts) };
  }
  return badRequest(`unsupported Content-Type "${type}"`);
}

function formParams(parts: FormPart[]): Params {
  const files = new Map<string, UploadedFile>();
  const params: Params = {};
  for (const part of parts) {
    if (part.fileName === undefined) params[part.name] = part.data.toString("utf8");
    else
      files.set(part.name, {
        kind: "upload",
        fileName: part.fileName,
        mimeType: part.contentType ?? "application/octet-stream",
        bytes: new Uint8Array(part.data),
      });
  }
  const attached = new Set<string>();
  for (const [field, value] of Object.entries(params)) {
    if (typeof value !== "string" || !value.startsWith("attach://")) continue;
    const id = value.slice("attach://".length);
    const file = files.get(id);
    if (file) {
      params[field] = file;
      attached.add(id);
    }
  }
  for (const [name, file] of files) if (!attached.has(name)) params[name] = file;
  return params;
}

/** A string parameter; numbers count (Telegram accepts either). */
export function stringParam(params: Params, name: string): string | undefined {
  const value = params[name];
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** An integer parameter, from a number or a numeric string; otherwise undefined. */
export function integerParam(params: Params, name: string): number | undefined {
  const value = params[name];
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isInteger(number) ? number : undefined;
}

/** A boolean parameter: true, "true" or "1". */
export function booleanParam(params: Params, name: string): boolean {
  const value = params[name];
  return value === true || value === "true" || value === "1" || value === 1;
}

/** Whether a parameter is an uploaded file. */
export function isUpload(value: unknown): value is UploadedFile {
  return typeof value === "object" && value !== null && (value as UploadedFile).kind === "upload";
}
