import type { ContentDraft, ContentDrafts, Publication, PublishedFile } from "../ports.ts";
import type { SqlClient } from "./client.ts";

interface DraftRow {
  file: string;
  text: string;
  edited_by: number;
  edited_at: number;
}
interface PublicationRow {
  id: number;
  published_by: number;
  published_at: number;
  files: string;
  restores: number | null;
}

const toDraft = (row: DraftRow): ContentDraft => ({
  file: row.file,
  text: row.text,
  editedBy: row.edited_by,
  editedAt: row.edited_at,
});
const toPublication = (row: PublicationRow): Publication => ({
  id: row.id,
  publishedBy: row.published_by,
  publishedAt: row.published_at,
  files: JSON.parse(row.files) as PublishedFile[],
  restores: row.restores,
});

// A draft replaces the one its editor started from, or none: another
// editor's save in between leaves the row otherwise, and this one is refused.
const CREATE = `INSERT INTO kb_drafts (file, text, edited_by, edited_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (file) DO NOTHING`;
const REPLACE = `UPDATE kb_drafts SET text = ?, edited_by = ?, edited_at = ?
  WHERE file = ? AND text = ?`;
const PUBLISH = `INSERT INTO kb_publications (published_by, published_at, files, restores)
  VALUES (?, ?, ?, ?) RETURNING id`;

/**
 * The content studio's drafts and publications on `sql`.
 *
 * @example await createContentDrafts(tx).save("account.login_recovery.yaml", text, editorId)
 */
export function createContentDrafts(
  sql: SqlClient,
  options: { now?: () => number } = {},
): ContentDrafts {
  const { now = Date.now } = options;
  return {
    list: async () =>
      (await sql.all<DraftRow>("SELECT * FROM kb_drafts ORDER BY file")).map(toDraft),
    get: async (file) => {
      const row = await sql.get<DraftRow>("SELECT * FROM kb_drafts WHERE file = ?", [file]);
      return row ? toDraft(row) : undefined;
    },
    save: async (file, text, editedBy, replacing) =>
      (replacing === null
        ? await sql.run(CREATE, [file, text, editedBy, now()])
        : await sql.run(REPLACE, [text, editedBy, now(), file, replacing])) > 0,
    discard: async (file) => {
      await sql.run("DELETE FROM kb_drafts WHERE file = ?", [file]);
    },
    recordPublication: async (publishedBy, files, restores) => {
      const row = await sql.get<{ id: number }>(PUBLISH, [
        publishedBy,
        now(),
        JSON.stringify(files),
        restores ?? null,
      ]);
      // The drafts of the files it wrote are published (or, for a restore, out of date).
      for (const file of files) await sql.run("DELETE FROM kb_drafts WHERE file = ?", [file.name]);
      return Number(row?.id);
    },
    publications: async (limit) =>
      (
        await sql.all<PublicationRow>("SELECT * FROM kb_publications ORDER BY id DESC LIMIT ?", [
          limit,
        ])
      ).map(toPublication),
    publication: async (id) => {
      const row = await sql.get<PublicationRow>("SELECT * FROM kb_publications WHERE id = ?", [id]);
      return row ? toPublication(row) : undefined;
    },
  };
}
