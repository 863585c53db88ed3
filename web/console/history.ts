import { structuredPatch } from "diff";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { PublishedFile } from "../../handoff/index.ts";
import { type ConsoleContext, idParam } from "./context.ts";

/** Lines of context around each change, as `git diff` shows them. */
const CONTEXT = 3;

/** One changed stretch of a file: its place in each version and its lines, each marked. */
export interface Hunk {
  oldStart: number;
  newStart: number;
  lines: { kind: "context" | "removed" | "added"; text: string }[];
}

/**
 * What one publication changed (content staff): each file it wrote as a
 * line diff of before and after, `git diff`'s hunks; a file it created has
 * every line added, one it deleted (a restore of a publication that created
 * it) every line removed.
 */
export function historyRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { repos, refuse } = ctx;
  app.get("/api/content/publications/:id", async (request, reply) => {
    const { id } = z.object({ id: idParam }).parse(request.params);
    const publication = await repos().content.publication(id);
    if (!publication) return refuse(reply, 404, "not_found");
    const by = await repos().staff.get(publication.publishedBy);
    return {
      ok: true,
      id: publication.id,
      at: publication.publishedAt,
      by: by?.name ?? null,
      restores: publication.restores,
      files: publication.files.map((file) => ({
        name: file.name,
        created: file.before === null,
        deleted: file.after === null,
        hunks: changes(file),
      })),
    };
  });
}

/** A file's change as hunks of lines. */
export function changes(file: PublishedFile): Hunk[] {
  const patch = structuredPatch(file.name, file.name, file.before ?? "", file.after ?? "", "", "", {
    context: CONTEXT,
  });
  return patch.hunks.map((hunk) => ({
    oldStart: hunk.oldStart,
    newStart: hunk.newStart,
    lines: hunk.lines
      .filter((line) => !line.startsWith("\\")) // "\ No newline at end of file"
      .map((line) => ({
        kind: line[0] === "+" ? "added" : line[0] === "-" ? "removed" : "context",
        text: line.slice(1),
      })),
  }));
}
