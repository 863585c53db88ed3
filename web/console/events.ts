import type { FastifyInstance } from "fastify";
import type { ConsoleContext } from "./context.ts";

/** Live: Server-Sent Events of what changed for this page; the page fetches the rest. */
export function eventRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, me } = ctx;
  const { feed } = deps;
  app.get("/api/events", (request, reply) => {
    const { member, tokenHash } = me(request);
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
    const end = () => {
      clearInterval(beat);
      remove();
      forget();
      out.end();
    };
    // The stream lives only as long as its session: checked at every beat
    // (signed out elsewhere, removed, timed out, its role changed), and ended
    // at once by a sign-out in this process.
    const beat = setInterval(async () => {
      const still = await ctx.sessionOfHash(tokenHash, false).catch(() => undefined);
      if (!still || still.member.role !== member.role) end();
      else out.write(": beat\n\n");
    }, deps.streamCheckMs ?? 15_000);
    const forget = ctx.addStream(tokenHash, end);
    request.raw.on("close", end);
  });
}
