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

const SAVE = `INSERT INTO kb_drafts (file, text, edited_by, edited_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (file) DO UPDATE SET text = excluded.text, edited_by = excluded.edited_by,
    edited_at = excluded.edited_at`;
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
    save: async (file, text, editedBy) => {
      await sql.run(SAVE, [file, text, editedBy, now()]);
    },
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
      await sql.run("DELETE FROM kb_drafts");
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
