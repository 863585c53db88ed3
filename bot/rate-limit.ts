/**
 * Counts a chat's messages in a sliding minute. `hit` says whether this
 * message is within the limit, and whether the chat was already told to slow
 * down in this minute (so the notice goes once).
 */
export interface RateLimiter {
  hit(
    chatId: number,
  ):
    | { allowed: true }
    | { allowed: false; notify: boolean }
    | Promise<{ allowed: true } | { allowed: false; notify: boolean }>;
}

/**
 * The limit in this process's memory: right for one process (SQLite); with
 * several, the database's `createFloodCounts` counts a chat across them.
 *
 * @example createRateLimiter(20).hit(chatId)
 */
export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const recent = new Map<number, number[]>();
  const notified = new Map<number, number>();
  let lastSweep = now();
  return {
    hit(chatId) {
      const time = now();
      if (time - lastSweep > 60_000) {
        for (const [chat, times] of recent)
          if ((times.at(-1) ?? 0) < time - 60_000) recent.delete(chat);
        lastSweep = time;
      }
      const times = (recent.get(chatId) ?? []).filter((t) => t > time - 60_000);
      times.push(time);
      recent.set(chatId, times);
      if (times.length <= perMinute) return { allowed: true };
      const told = notified.get(chatId);
      const notify = told === undefined || told < time - 60_000;
      if (notify) notified.set(chatId, time);
      return { allowed: false, notify };
    },
  };
}
