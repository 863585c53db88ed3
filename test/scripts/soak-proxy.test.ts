import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRoundRobinProxy } from "../../scripts/soak-proxy.ts";

/** A backend that answers with its name and what it was sent. */
async function backend(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        name,
        path: request.url,
        secret: request.headers["x-telegram-bot-api-secret-token"],
        body: Buffer.concat(chunks).toString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("the soak's round-robin proxy", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("spreads requests over the processes in turn, as they came, and skips one that is down", async () => {
    const a = await backend("a");
    const b = await backend("b");
    const c = await backend("c");
    for (const { server } of [a, b, c]) {
      cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    }
    const proxy = createRoundRobinProxy(() => [a.url, b.url, c.url]);
    const port = await proxy.listen();
    cleanups.push(() => proxy.close());
    const post = async (body: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/telegram`, {
        method: "POST",
        headers: {
          "x-telegram-bot-api-secret-token": "s3cret",
          "content-type": "application/json",
        },
        body,
      });
      const answer = (await response.json()) as {
        name: string;
        path: string;
        secret: string;
        body: string;
      };
      return { status: response.status, ...answer };
    };
    const first = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => post(`{"update_id":${n}}`)));
    expect(first.map((r) => r.name).sort()).toEqual(["a", "a", "b", "b", "c", "c"]);
    expect(first[0]).toMatchObject({
      status: 200,
      path: "/telegram",
      secret: "s3cret",
      body: '{"update_id":1}',
    });

    b.server.closeAllConnections();
    await new Promise<void>((resolve) => b.server.close(() => resolve()));
    cleanups.shift();
    const after = await Promise.all([7, 8, 9, 10].map((n) => post(`{"update_id":${n}}`)));
    expect(after.every((r) => r.status === 200 && r.name !== "b")).toBe(true);
    expect(proxy.answered.get(b.url)).toBe(2);
    expect(proxy.passedOn()).toBeGreaterThan(0);
  });

  it("passes a request a process answers 503 (starting or stopping) to the next", async () => {
    const starting = createServer((_request, response) => response.writeHead(503).end());
    await new Promise<void>((resolve) => starting.listen(0, "127.0.0.1", resolve));
    const ready = await backend("ready");
    cleanups.push(
      () => new Promise((resolve) => starting.close(() => resolve())),
      () => new Promise((resolve) => ready.server.close(() => resolve())),
    );
    const startingUrl = `http://127.0.0.1:${(starting.address() as AddressInfo).port}`;
    const proxy = createRoundRobinProxy(() => [startingUrl, ready.url]);
    const port = await proxy.listen();
    cleanups.push(() => proxy.close());
    for (let n = 0; n < 4; n++) {
      const response = await fetch(`http://127.0.0.1:${port}/telegram`, {
        method: "POST",
        body: "{}",
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { name: string }).name).toBe("ready");
    }
    expect(proxy.passedOn()).toBe(4);
  });

  it("answers 502 when no process takes the request", async () => {
    const proxy = createRoundRobinProxy(() => ["http://127.0.0.1:1"]);
    const port = await proxy.listen();
    cleanups.push(() => proxy.close());
    const response = await fetch(`http://127.0.0.1:${port}/telegram`, {
      method: "POST",
      body: "{}",
    });
    expect(response.status).toBe(502);
  });
});
