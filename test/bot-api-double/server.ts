import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NOT_FOUND } from "./responses.ts";
import type { ApiResponse } from "./types.ts";

/** A downloaded file, or the JSON error Telegram gives instead. */
export type FileAnswer = { ok: true; bytes: Uint8Array } | { ok: false; response: ApiResponse };

/** Where the server sends the two kinds of request it knows. */
export interface ServerRoutes {
  /**
   * `{GET|POST} /bot{token}/{method}`; `signal` aborts when the client goes
   * away. `undefined` closes the connection without an answer.
   */
  api(
    token: string,
    method: string,
    request: IncomingMessage,
    query: URLSearchParams,
    signal: AbortSignal,
  ): Promise<ApiResponse | undefined>;
  /** `GET /file/bot{token}/{file_path}`. */
  file(token: string, path: string): FileAnswer;
}

/** An HTTP server on 127.0.0.1 with a free port. */
export interface ApiServer {
  /** Listens; resolves with the root URL, like `http://127.0.0.1:PORT`. */
  start(): Promise<string>;
  /** Closes every connection, long polls included. */
  stop(): Promise<void>;
}

const API_PATH = /^\/bot([^/]+)\/([^/]*)$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;

/** @example const server = createApiServer(routes); const root = await server.start() */
export function createApiServer(routes: ServerRoutes): ApiServer {
  const server = createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        send(response, 500, {
          ok: false,
          error_code: 500,
          description: `Internal Server Error: ${String(error)}`,
        });
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = decodeURIComponent(url.pathname);
    const file = FILE_PATH.exec(path);
    if (file) {
      const answer = routes.file(file[1] ?? "", file[2] ?? "");
      if (!answer.ok) return send(response, statusOf(answer.response), answer.response);
      response.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": answer.bytes.length,
      });
      response.end(answer.bytes);
      return;
    }
    const api = API_PATH.exec(path);
    if (!api) {
      request.resume();
      return send(response, 404, NOT_FOUND);
    }
    const aborted = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) aborted.abort();
    });
    const answer = await routes.api(
      api[1] ?? "",
      api[2] ?? "",
      request,
      url.searchParams,
      aborted.signal,
    );
    if (answer === undefined) response.destroy();
    else if (!response.destroyed) send(response, statusOf(answer), answer);
  }

  return {
    start() {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as AddressInfo;
          resolve(`http://127.0.0.1:${port}`);
        });
      });
    },
    stop() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function statusOf(answer: ApiResponse): number {
  return answer.ok ? 200 : answer.error_code;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
  });
  response.end(json);
}
