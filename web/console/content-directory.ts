import type { FastifyInstance } from "fastify";
import { parseDocument } from "yaml";
import { z } from "zod";
import {
  DIRECTORY_FILE,
  directoryUsage,
  type PatchResult,
  patchYaml,
  renameKey,
} from "../../knowledge/index.ts";
import { referencesOf } from "./content-intents.ts";
import { type ContentStudio, type EditResult, versionOf } from "./content-studio.ts";

const GROUPS = ["phone", "email", "channel", "url", "schedule"] as const;
const short = z.string().max(300);
const entryValue = z.union([
  short,
  z.object({ display: z.string().max(100), note: short.optional() }),
  z.object({
    timezone: z.string().max(100),
    weekdays: z.string().max(20),
    saturday: z.string().max(20),
    sunday: z.string().max(20),
    holiday: z.string().max(20),
  }),
]);
const version = z.string().max(100);
const name = z.string().trim().min(1).max(60);
const directoryBody = z.discriminatedUnion("change", [
  z.object({ change: z.literal("set"), group: z.enum(GROUPS), name, value: entryValue, version }),
  z.object({ change: z.literal("remove"), group: z.enum(GROUPS), name, version }),
  z.object({ change: z.literal("rename"), group: z.enum(GROUPS), name, to: name, version }),
  z.object({
    change: z.literal("holidays"),
    holidays: z.array(z.string().max(20)).max(200),
    version,
  }),
]);
type DirectoryChange = z.infer<typeof directoryBody>;

/**
 * The directory (`_directory.yaml`) in the studio: its entries as the draft
 * or the published file has them, with the intents that use each; an entry
 * set (changed or added), removed or renamed, or the holidays set, as a
 * draft like an intent's (conditional on the version, checked with the
 * whole base). An entry an answer uses is neither removed nor renamed: the
 * refusal names the intents that use it.
 */
export function directoryRoutes(app: FastifyInstance, studio: ContentStudio): void {
  const { refuse } = studio.ctx;
  const usageOf = async () => directoryUsage((await studio.draftedBase()).intents);

  app.get("/api/content/directory", async () => {
    const { draft, text } = await studio.currentOf(DIRECTORY_FILE);
    return {
      ok: true,
      directory: parseDocument(text).toJS(),
      version: versionOf(text),
      draftBy: await studio.draftOf(draft),
      usage: Object.fromEntries(await usageOf()),
      references: referencesOf(await studio.draftedBase()),
    };
  });

  app.post("/api/content/directory", async (request, reply) => {
    const body = directoryBody.parse(request.body);
    if (body.change === "remove" || body.change === "rename") {
      const users = (await usageOf()).get(`${body.group}.${body.name}`);
      if (users) {
        const field = `${body.group}.${body.name}`;
        const message = `${users.join(", ")} use ${field}: change their answers and links first, then ${body.change === "remove" ? "remove" : "rename"} it`;
        return refuse(reply, 422, "invalid", { issues: [{ field, message }] });
      }
    }
    const saved = await studio.save(
      [{ file: DIRECTORY_FILE, version: body.version, edit: (current) => changed(current, body) }],
      studio.staffId(request),
      {
        directory: body.change,
        entry: "group" in body ? `${body.group}.${body.name}` : "holidays",
      },
    );
    if (!saved.ok) return studio.refused(reply, saved);
    return { ok: true, version: saved.versions[DIRECTORY_FILE] };
  });

  app.post("/api/content/directory/discard", async (request) => {
    await studio.inStep(async (r) => {
      await r.content.discard(DIRECTORY_FILE);
      await r.audit.record({
        staffId: studio.staffId(request),
        action: "kb_draft",
        details: { files: [DIRECTORY_FILE], discarded: true },
      });
    });
    return { ok: true };
  });
}

/** The directory's text with one change made, its problem at the entry's field. */
function changed(current: string, body: DirectoryChange): EditResult {
  const field = body.change === "holidays" ? "holidays" : `${body.group}.${body.name}`;
  let result: PatchResult;
  switch (body.change) {
    case "set":
      result = patchYaml(current, (data) => {
        data[body.group] ??= {};
        // An empty note is no note.
        const value =
          typeof body.value === "object" && "display" in body.value && !body.value.note?.trim()
            ? { display: body.value.display }
            : body.value;
        data[body.group][body.name] = value;
      });
      break;
    case "remove":
      result = patchYaml(current, (data) => {
        if (!data[body.group] || !(body.name in data[body.group])) return;
        delete data[body.group][body.name];
      });
      if (result.ok && result.text === current) {
        return { ok: false, issues: [{ field, message: `there is no ${field} to remove` }] };
      }
      break;
    case "rename":
      result = renameKey(current, [body.group, body.name], body.to);
      break;
    case "holidays":
      result = patchYaml(current, (data) => {
        data.holidays = body.holidays.map((h) => h.trim()).filter(Boolean);
      });
      break;
  }
  return result.ok ? result : { ok: false, issues: [{ field, message: result.reason }] };
}
