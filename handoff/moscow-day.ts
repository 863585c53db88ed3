const MINUTE = 60_000;
const DAY = 86_400_000;
/** Moscow is UTC+3 all year (no daylight saving since 2014), in ms. */
export const MOSCOW_OFFSET = 3 * 60 * MINUTE;

/** The start of the Moscow calendar day that `at` falls in (ms since the epoch). */
export function startOfMoscowDay(at: number): number {
  return Math.floor((at + MOSCOW_OFFSET) / DAY) * DAY - MOSCOW_OFFSET;
}

/** The Moscow calendar day of `at`, YYYY-MM-DD. */
export function moscowDay(at: number): string {
  return new Date(at + MOSCOW_OFFSET).toISOString().slice(0, 10);
}
