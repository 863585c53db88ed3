import type { FastifyInstance } from "fastify";
import type { ConsoleContext } from "./context.ts";

/** Live: Server-Sent Events of what changed for this page; the page fetches the rest. */
export function eventRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, me } = ctx;
  const { feed } = deps;
  // Live: Server-Sent Events of what changed; the page fetches the rest.
  app.get("/api/events", (request, reply) => {
    const { member } = me(request);
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    out.write("retry: 2000\n\n");
    const remove = feed.add({
      staffId: member.id,
      role: member.role,
      send: (event) => out.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`),
    });
    const beat = setInterval(() => out.write(": beat\n\n"), 15_000);
    request.raw.on("close", () => {
      clearInterval(beat);
      remove();
    });
  });
}
