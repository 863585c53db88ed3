import type { SqlClient } from "./client.ts";

/** Whether a chat's message (or press) is within its limit, and whether to tell it this minute. */
export type FloodVerdict = { allowed: true } | { allowed: false; notify: boolean };

/**
 * A citizen's messages counted per minute in the database, so that every
 * process sharing it counts the same chat together (a flooder spread over
 * three processes by the load balancer still gets `perMinute`, not three
 * times that). Fixed minutes: a burst across a minute's edge may get up to
 * twice the limit, never more.
 */
export interface FloodCounts {
  hit(chatId: number): Promise<FloodVerdict>;
}

const HIT = `INSERT INTO flood_counts (chat_id, kind, window_start, hits) VALUES (:chat, :kind, :window, 1)
  ON CONFLICT (chat_id, kind) DO UPDATE SET
    hits = CASE WHEN flood_counts.window_start = excluded.window_start THEN flood_counts.hits + 1 ELSE 1 END,
    window_start = excluded.window_start
  RETURNING hits`;
// One statement: of processes over the limit at once, one tells the chat.
const NOTIFY = `UPDATE flood_counts SET notified_window = :window
  WHERE chat_id = :chat AND kind = :kind AND notified_window IS DISTINCT FROM :window`;

/**
 * The flood counter of `kind` ("message", "press") on `sql`.
 *
 * @example const verdict = await createFloodCounts(db, "message", 20).hit(chatId);
 */
export function createFloodCounts(
  sql: SqlClient,
  kind: string,
  perMinute: number,
  options: { now?: () => number } = {},
): FloodCounts {
  const { now = Date.now } = options;
  return {
    hit: async (chatId) => {
      const window = Math.floor(now() / 60_000) * 60_000;
      const params = { chat: chatId, kind, window };
      const counted = await sql.get<{ hits: number }>(HIT, params);
      if ((counted?.hits ?? 0) <= perMinute) return { allowed: true };
      return { allowed: false, notify: (await sql.run(NOTIFY, params)) > 0 };
    },
  };
}
