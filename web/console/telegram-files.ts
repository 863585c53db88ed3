// The citizens' photos and documents, fetched from Telegram on the server
// with the bot's token (which never reaches the browser) and passed on.

/** Telegram lets bots download files up to 20 MB. */
const MAX_BYTES = 20 * 1024 * 1024;

export interface FetchedFile {
  bytes: Uint8Array;
  /** What the browser is told it is: an image or a PDF shown, anything else downloaded. */
  contentType: string;
  inline: boolean;
}

/** Why a file could not be fetched: Telegram refused (gone, too big) or did not answer. */
export class FileUnavailable extends Error {
  override readonly name = "FileUnavailable";
}

const TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  pdf: "application/pdf",
};

export interface TelegramFilesOptions {
  token: string;
  /** The Bot API's root (TELEGRAM_API_ROOT): the test's double, or Telegram's. */
  apiRoot?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Fetches a Telegram file by its id: getFile, then the download. Only what
 * the extension says is an image or a PDF is marked to be shown; anything
 * else is offered as a download (never rendered by the browser).
 *
 * @example const file = await createTelegramFiles({ token })("AgAD…")
 */
export function createTelegramFiles(options: TelegramFilesOptions) {
  const { token, apiRoot = "https://api.telegram.org", timeoutMs = 15_000 } = options;
  const get = options.fetch ?? fetch;
  const root = apiRoot.replace(/\/+$/, "");
  return async (fileId: string): Promise<FetchedFile> => {
    const signal = AbortSignal.timeout(timeoutMs);
    let path: string | undefined;
    try {
      const answer = (await (
        await get(`${root}/bot${token}/getFile`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ file_id: fileId }),
          signal,
        })
      ).json()) as {
        ok: boolean;
        result?: { file_path?: string; file_size?: number };
        description?: string;
      };
      if (!answer.ok || !answer.result?.file_path) {
        throw new FileUnavailable(answer.description ?? "Telegram has no such file");
      }
      if ((answer.result.file_size ?? 0) > MAX_BYTES) throw new FileUnavailable("file is too big");
      path = answer.result.file_path;
      const download = await get(`${root}/file/bot${token}/${path}`, { signal });
      if (!download.ok) throw new FileUnavailable(`the download answered ${download.status}`);
      const bytes = new Uint8Array(await download.arrayBuffer());
      if (bytes.byteLength > MAX_BYTES) throw new FileUnavailable("file is too big");
      const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "";
      const type = TYPES[extension];
      return {
        bytes,
        contentType: type ?? "application/octet-stream",
        inline: type !== undefined,
      };
    } catch (error) {
      if (error instanceof FileUnavailable) throw error;
      // Never the URL: it holds the token.
      throw new FileUnavailable(`Telegram did not answer (${(error as Error).name})`);
    }
  };
}

export type TelegramFiles = ReturnType<typeof createTelegramFiles>;
