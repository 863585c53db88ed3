// A small round-robin HTTP proxy for the soak: Telegram's webhook calls (from
// the Bot API double) spread over several bot processes, as a load balancer
// in front of them would; a process that is down is skipped.
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  /** Starts listening on loopback; resolves with the port. */
  listen(): Promise<number>;
  /** Requests each target answered, by its URL. */
  readonly answered: ReadonlyMap<string, number>;
  /** Requests a target did not take (down, dropped them, or answered 503), passed to the next one. */
  passedOn(): number;
  close(): Promise<void>;
}

/**
 * Forwards each request to the next of `targets()` (base URLs such as
 * `http://127.0.0.1:8081`), path and headers as they came; a target that
 * refuses the connection, or answers 503 (a bot starting or stopping), is
 * skipped for the next one, and when none takes it the caller gets 502 (or
 * the last 503; Telegram then delivers the update again).
 *
 * @example const proxy = createRoundRobinProxy(() => bots.map((b) => b.url)); const port = await proxy.listen();
 */
export function createRoundRobinProxy(targets: () => readonly string[]): RoundRobinProxy {
  let next = 0;
  let passed = 0;
  const answered = new Map<string, number>();

  const forward = (target: string, incoming: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>(
      (resolve, reject) => {
        const url = new URL(incoming.url ?? "/", target);
        const outgoing = request(
          url,
          { method: incoming.method, headers: { ...incoming.headers, host: url.host } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () =>
              resolve({
                status: response.statusCode ?? 502,
                headers: response.headers,
                body: Buffer.concat(chunks),
              }),
            );
            response.on("error", reject);
          },
        );
        outgoing.on("error", reject);
        outgoing.end(body);
      },
    );

  const handle = async (incoming: IncomingMessage, answer: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const list = targets();
    for (let tries = 0; tries < list.length; tries++) {
      const target = list[next++ % list.length] as string;
      try {
        const response = await forward(target, incoming, body);
        // Starting or stopping ("not taking updates now"): a load balancer's
        // health check would have taken it out of the rotation.
        if (response.status === 503 && tries < list.length - 1) {
          passed++;
          continue;
        }
        answered.set(target, (answered.get(target) ?? 0) + 1);
        answer.writeHead(response.status, response.headers);
        answer.end(response.body);
        return;
      } catch {
        // Down (refused, reset): the next one.
        passed++;
      }
    }
    answer.writeHead(502).end("no bot process took the request");
  };

  const server = createServer((incoming, answer) => {
    handle(incoming, answer).catch(() => {
      if (!answer.headersSent) answer.writeHead(502);
      answer.end();
    });
  });
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
      }),
    answered,
    passedOn: () => passed,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
