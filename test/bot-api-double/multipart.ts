/** One part of a multipart/form-data body: a field, or a file when `fileName` is set. */
export interface FormPart {
  name: string;
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * Splits a multipart/form-data body into its parts. Lenient like Telegram:
 * header names in any case, spaces optional, quoted or bare parameter values
 * (grammY sends `filename=photo.jpg` unquoted, which undici's parser refuses).
 * Returns undefined when the body is not multipart with that boundary.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) return undefined;
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") return parts;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return undefined;
    // A part is "\r\n" headers "\r\n\r\n" data "\r\n", then the next delimiter.
    const part = body.subarray(skipNewline(body, start), next - 2);
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) return undefined;
    const parsed = parsePart(part.subarray(0, split).toString("utf8"), part.subarray(split + 4));
    if (parsed) parts.push(parsed);
    start = next;
  }
}

function skipNewline(body: Buffer, at: number): number {
  return body.subarray(at, at + 2).toString() === "\r\n" ? at + 2 : at;
}

function parsePart(head: string, data: Buffer): FormPart | undefined {
  let disposition = "";
  let contentType: string | undefined;
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    if (name === "content-type") contentType = value;
  }
  const name = headerParameter(disposition, "name");
  if (name === undefined) return undefined;
  const fileName = headerParameter(disposition, "filename");
  return {
    name,
    data: Buffer.from(data),
    ...(fileName === undefined ? {} : { fileName }),
    ...(contentType === undefined ? {} : { contentType }),
  };
}

/** A parameter of a header value: `name="x"` or `name=x`. */
export function headerParameter(header: string, parameter: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${parameter}\\s*=\\s*(?:"([^"]*)"|([^;]*))`, "i").exec(
    header,
  );
  if (!match) return undefined;
  return match[1] ?? match[2]?.trim();
}
