import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import { isDeskRole, probeWritable } from "../../handoff/index.ts";
import type { ConsoleContext } from "./context.ts";

/** The pages, their scripts and style: web/public/, served as they are (no build). */
export const PUBLIC = fileURLToPath(new URL("../public/", import.meta.url));
const page = (name: string) => readFileSync(`${PUBLIC}${name}`, "utf8");

/** The pages (shells whose content comes from the API) and /healthz. */
export function pageRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, sessionOf } = ctx;
  const { handoff } = deps;
  // Pages: the shells; everything in them comes from the API.
  const html = (reply: FastifyReply, name: string) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(page(name));
  // The console is the desk's; content staff start at the studio (once a
  // second factor they must have is set up, which the console page does).
  app.get("/", async (request, reply) => {
    const signed = await sessionOf(request);
    if (!signed) return reply.redirect("/sign-in");
    if (!isDeskRole(signed.member.role) && !signed.mustSetUpTotp) return reply.redirect("/content");
    return html(reply, "console.html");
  });
  app.get("/try", async (request, reply) =>
    (await sessionOf(request)) ? html(reply, "try.html") : reply.redirect("/sign-in"),
  );
  app.get("/incidents", async (request, reply) =>
    (await sessionOf(request)) ? html(reply, "incidents.html") : reply.redirect("/sign-in"),
  );
  // The studio's pages are content staff's; the desk goes to its console.
  const studioPage = (path: string, name: string) =>
    app.get(path, async (request, reply) => {
      const signed = await sessionOf(request);
      if (!signed) return reply.redirect("/sign-in");
      return isDeskRole(signed.member.role) ? reply.redirect("/") : html(reply, name);
    });
  studioPage("/content", "content.html");
  studioPage("/content/learn", "learn.html");
  studioPage("/content/history", "history.html");
  app.get("/sign-in", async (_request, reply) => html(reply, "sign-in.html"));
  // No icon: said so, rather than a 404 in every browser's console.
  app.get("/favicon.ico", async (_request, reply) => reply.code(204).send());
  // For a load balancer: whether this process can serve (its database takes a write, no fault known).
  app.get("/healthz", async (_request, reply) => {
    handoff.storage.checkFile();
    const probe = await probeWritable(handoff.db);
    const fault = handoff.storage.fault();
    const ok = probe.ok && fault === undefined;
    // Public (a load balancer asks): the status only; why, in the log.
    if (!ok) {
      deps.log?.warn(
        { database: probe.ok ? fault?.kind : `not writable: ${probe.error}` },
        "console /healthz degraded",
      );
    }
    return reply
      .code(ok ? 200 : 503)
      .header("cache-control", "no-store")
      .send({ status: ok ? "ok" : "degraded" });
  });
  app.get("/welcome", async (_request, reply) => html(reply, "welcome.html"));
}
