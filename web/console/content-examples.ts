import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Repositories } from "../../handoff/index.ts";
import { type AppendExampleResult, appendExample, removeExample } from "../../knowledge/index.ts";
import { INTENT_PARAM } from "./content-intents.ts";
import type { ContentStudio, EditResult, FileEdit, SaveOutcome } from "./content-studio.ts";

type Language = "ru" | "en";

const exampleBody = z.object({
  change: z.enum(["add", "remove", "move"]),
  language: z.enum(["ru", "en"]),
  example: z.string().trim().min(1).max(500),
  version: z.string().max(100),
  /** For a move: the intent it goes to, and (if the editor has it open) the version of its file. */
  to: INTENT_PARAM.shape.id.optional(),
  toVersion: z.string().max(100).optional(),
  /** Only check: what saving would say (the lint's warnings, before saving), nothing saved. */
  check: z.boolean().default(false),
});

/**
 * Appends examples to an intent's draft, as an editor adding them one by
 * one would: each as the last line of its language's list, the file
 * checked with the whole base and the examples linted (an example another
 * intent has refuses all; a near one, or one closer to another intent, is a
 * warning in the outcome). Conditional: refused as "changed" if the file is
 * not at `version` (when given), or if another editor saves it meanwhile;
 * nothing is saved unless everything is.
 *
 * @example
 * await appendExamplesToDraft(studio, {
 *   intent: "account.login_recovery",
 *   examples: [{ language: "ru", text: "не помню пароль" }],
 *   by: staffId,
 * });
 */
export async function appendExamplesToDraft(
  studio: ContentStudio,
  request: {
    intent: string;
    examples: readonly { language: Language; text: string }[];
    by: number;
    version?: string;
    /** Said in the audit entry with the draft (where the examples came from). */
    details?: Record<string, unknown>;
    /** Only check: the outcome saving would have, nothing saved. */
    check?: boolean;
    /** More work committed with the draft (studio.save's `alongside`). */
    alongside?: (r: Repositories) => Promise<void>;
  },
): Promise<SaveOutcome | { ok: false; error: "not_found" }> {
  const found = await studio.findIntent(request.intent);
  if (!found) return { ok: false, error: "not_found" };
  const edit: FileEdit = {
    file: found.file,
    ...(request.version !== undefined ? { version: request.version } : {}),
    edit: (current) =>
      request.examples.reduce<EditResult>(
        (text, { language, text: example }) =>
          text.ok ? said(appendExample(text.text, language, example), language) : text,
        { ok: true, text: current },
      ),
  };
  return studio.save(
    [edit],
    request.by,
    { intent: found.id, examples: request.examples.length, ...request.details },
    {
      lint: true,
      check: request.check ?? false,
      ...(request.alongside ? { alongside: request.alongside } : {}),
    },
  );
}

/** An example edit's result, its problem said at the language's list. */
function said(result: AppendExampleResult, language: Language): EditResult {
  return result.ok
    ? result
    : { ok: false, issues: [{ field: `examples.${language}`, message: result.reason }] };
}

/**
 * One example added to an intent, removed from it, or moved to another
 * intent (removed here and added there, both drafts saved together or
 * neither), linted as `kb check` lints.
 */
export function exampleRoutes(app: FastifyInstance, studio: ContentStudio): void {
  const { refuse } = studio.ctx;

  app.post("/api/content/intents/:id/examples", async (request, reply) => {
    const { id } = INTENT_PARAM.parse(request.params);
    const body = exampleBody.parse(request.body);
    const by = studio.staffId(request);
    const found = await studio.findIntent(id);
    if (!found) return refuse(reply, 404, "not_found");
    let saved: SaveOutcome;
    if (body.change === "add") {
      const added = await appendExamplesToDraft(studio, {
        intent: id,
        examples: [{ language: body.language, text: body.example }],
        by,
        version: body.version,
        check: body.check,
      });
      if (!added.ok && added.error === "not_found") return refuse(reply, 404, "not_found");
      saved = added as SaveOutcome;
    } else {
      const remove: FileEdit = {
        file: found.file,
        version: body.version,
        edit: (current) => said(removeExample(current, body.language, body.example), body.language),
      };
      if (body.change === "remove") {
        saved = await studio.save([remove], by, { intent: id }, { check: body.check });
      } else {
        const target = body.to === undefined ? undefined : await studio.findIntent(body.to);
        if (!target || target.id === id) {
          return refuse(reply, 422, "invalid", {
            issues: [{ field: "move.to", message: "choose another existing intent to move it to" }],
          });
        }
        const append: FileEdit = {
          file: target.file,
          ...(body.toVersion !== undefined ? { version: body.toVersion } : {}),
          edit: (current) =>
            said(appendExample(current, body.language, body.example), body.language),
        };
        saved = await studio.save(
          [remove, append],
          by,
          { intent: id, movedTo: target.id },
          {
            lint: true,
          },
        );
      }
    }
    if (!saved.ok) return studio.refused(reply, saved);
    if (body.check) return { ok: true, checked: true, warnings: saved.warnings };
    return {
      ok: true,
      version: saved.versions[found.file],
      preview: studio.preview(saved.kb, id),
      warnings: saved.warnings,
    };
  });
}
