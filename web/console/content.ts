import type { FastifyInstance } from "fastify";
import {
  createMatcher,
  type KnowledgeBase,
  type Matcher,
  parseKnowledgeBase,
} from "../../knowledge/index.ts";
import { directoryRoutes } from "./content-directory.ts";
import { exampleRoutes } from "./content-examples.ts";
import { intentRoutes } from "./content-intents.ts";
import { publishRoutes } from "./content-publish.ts";
import { type ContentStudio, createContentStudio, versionOf } from "./content-studio.ts";
import type { ConsoleContext } from "./context.ts";
import { tryBody, tryOn } from "./try-bot.ts";

export { appendExamplesToDraft } from "./content-examples.ts";
export { type ContentStudio, createContentStudio } from "./content-studio.ts";

/**
 * The content studio's API (content staff: editors and publishers). Edits go
 * to drafts (whole file texts, in the database, so any console process
 * serves any editor); nothing invalid is kept: a draft is checked with the
 * whole knowledge base as `kb check` does, each problem at its field.
 * Publishing (publishers) checks everything again, measures the development
 * set before and after, writes the files to the knowledge folder (every bot
 * process sharing it reloads) and records what changed, to restore. Returns
 * the studio, for other pages that save drafts (appendExamplesToDraft).
 */
export function contentRoutes(
  app: FastifyInstance,
  ctx: ConsoleContext,
  folder: string,
): ContentStudio {
  const studio = createContentStudio(ctx, folder);
  intentRoutes(app, studio);
  exampleRoutes(app, studio);
  directoryRoutes(app, studio);
  publishRoutes(app, studio);

  // The test pane's other side: the knowledge base as the drafts would make
  // it. Its matcher is built once for each set of drafts.
  let drafted: { key: string; kb: KnowledgeBase; matcher: Matcher } | undefined;
  app.post("/api/content/try", async (request, reply) => {
    const { text, language } = tryBody.parse(request.body);
    const { files } = await studio.withDrafts();
    const key = versionOf(files.map((f) => `${f.name}\n${f.text}`).join("\n"));
    if (drafted?.key !== key) {
      const parsed = parseKnowledgeBase(files);
      if (!parsed.ok) return ctx.refuse(reply, 409, "drafts_invalid");
      drafted = { key, kb: parsed.kb, matcher: createMatcher(parsed.kb) };
    }
    const active = await ctx.repos().incidents.active();
    return { ok: true, ...tryOn(drafted.kb, drafted.matcher, text, language, active) };
  });
  return studio;
}
