import type { Incident, IncidentChange, IncidentText } from "../incident-model.ts";
import type { Incidents } from "../ports.ts";
import type { SqlClient } from "./client.ts";

interface IncidentRow {
  id: number;
  notice_ru: string;
  notice_en: string | null;
  broken: string;
  since: number;
  expected_fix: string | null;
  intents: string;
  posted_by: number;
  posted_at: number;
  updated_by: number;
  updated_at: number;
  ended_by: number | null;
  ended_at: number | null;
}

const toIncident = (row: IncidentRow): Incident => ({
  id: Number(row.id),
  noticeRu: row.notice_ru,
  noticeEn: row.notice_en,
  broken: row.broken,
  since: Number(row.since),
  expectedFix: row.expected_fix,
  intents: JSON.parse(row.intents) as string[],
  postedBy: Number(row.posted_by),
  postedAt: Number(row.posted_at),
  updatedBy: Number(row.updated_by),
  updatedAt: Number(row.updated_at),
  endedBy: row.ended_by === null ? null : Number(row.ended_by),
  endedAt: row.ended_at === null ? null : Number(row.ended_at),
});

const textParams = (text: IncidentText) => ({
  notice_ru: text.noticeRu,
  notice_en: text.noticeEn,
  broken: text.broken,
  since: text.since,
  expected_fix: text.expectedFix,
  intents: JSON.stringify(text.intents),
});

const POST = `INSERT INTO incidents
  (notice_ru, notice_en, broken, since, expected_fix, intents, posted_by, posted_at, updated_by, updated_at)
  VALUES (:notice_ru, :notice_en, :broken, :since, :expected_fix, :intents, :by, :at, :by, :at)
  RETURNING *`;
// Only an active incident changes: an ended one stays as it was when it ended.
const UPDATE = `UPDATE incidents SET notice_ru = :notice_ru, notice_en = :notice_en,
    broken = :broken, since = :since, expected_fix = :expected_fix, intents = :intents,
    updated_by = :by, updated_at = :at
  WHERE id = :id AND ended_at IS NULL RETURNING *`;
const END = `UPDATE incidents SET ended_by = :by, ended_at = :at
  WHERE id = :id AND ended_at IS NULL RETURNING *`;

/**
 * The incidents on `sql`: each change one guarded statement, so two staff
 * ending the same incident at once end it once.
 *
 * @example await createIncidents(tx).post({ noticeRu, noticeEn: null, broken, since, expectedFix: null, intents }, staffId)
 */
export function createIncidents(sql: SqlClient, options: { now?: () => number } = {}): Incidents {
  const { now = Date.now } = options;
  const get = async (id: number) => {
    const row = await sql.get<IncidentRow>("SELECT * FROM incidents WHERE id = ?", [id]);
    return row ? toIncident(row) : undefined;
  };
  /** A guarded change's outcome: the changed row, or why there was none. */
  const changed = async (id: number, row: IncidentRow | undefined): Promise<IncidentChange> => {
    if (row) return { ok: true, incident: toIncident(row) };
    return { ok: false, reason: (await get(id)) ? "ended" : "not_found" };
  };
  return {
    post: async (text, by) => {
      const row = await sql.get<IncidentRow>(POST, { ...textParams(text), by, at: now() });
      if (!row) throw new Error("the incident was not stored");
      return toIncident(row);
    },
    update: async (id, text, by) =>
      changed(id, await sql.get<IncidentRow>(UPDATE, { ...textParams(text), by, at: now(), id })),
    end: async (id, by) => changed(id, await sql.get<IncidentRow>(END, { by, at: now(), id })),
    get,
    active: async () =>
      (
        await sql.all<IncidentRow>(
          "SELECT * FROM incidents WHERE ended_at IS NULL ORDER BY posted_at, id",
        )
      ).map(toIncident),
    ended: async (limit) =>
      (
        await sql.all<IncidentRow>(
          "SELECT * FROM incidents WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, id DESC LIMIT ?",
          [limit],
        )
      ).map(toIncident),
  };
}
