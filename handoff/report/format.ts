// Numbers, shares, durations and dates the way the managers read them: ru-RU, Moscow time.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const integer = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("ru-RU", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const percent = new Intl.NumberFormat("ru-RU", { style: "percent", maximumFractionDigits: 1 });
const dayMonth = new Intl.DateTimeFormat("ru-RU", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
});
const fullDate = new Intl.DateTimeFormat("ru-RU", {
  timeZone: "Europe/Moscow",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const dateTime = new Intl.DateTimeFormat("ru-RU", {
  timeZone: "Europe/Moscow",
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** A count with ru-RU digit groups: 12345 → "12 345" (a no-break space). */
export const formatCount = (n: number): string => integer.format(n);

/** A mean such as a rating, one decimal: 4.25 → "4,3"; undefined → "—". */
export const formatMean = (x: number | undefined): string =>
  x === undefined ? "—" : oneDecimal.format(x);

/** A share 0..1 as a percentage, at most one decimal: 0.125 → "12,5 %"; undefined → "—". */
export const formatShare = (x: number | undefined): string =>
  x === undefined ? "—" : percent.format(x);

/**
 * A duration for people: "45 с", "12 мин", "1 ч 05 мин"; undefined → "—".
 *
 * @example formatDuration(90 * 60_000) // "1 ч 30 мин"
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  if (ms < MINUTE) return `${Math.round(ms / 1000)} с`;
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) return `${minutes} мин`;
  const hours = Math.floor(minutes / 60);
  return `${formatCount(hours)} ч ${String(minutes % 60).padStart(2, "0")} мин`;
}

/** A histogram bucket's label: "< 1 мин", "1–5 мин", "1–2 ч", "≥ 2 ч". */
export function formatDurationRange(fromMs: number, toMs: number | null): string {
  const unit = (ms: number) => (ms >= HOUR && ms % HOUR === 0 ? "ч" : "мин");
  const value = (ms: number, as: string) => formatCount(ms / (as === "ч" ? HOUR : MINUTE));
  if (toMs === null) return `≥ ${value(fromMs, unit(fromMs))} ${unit(fromMs)}`;
  const as = unit(toMs);
  if (fromMs === 0) return `< ${value(toMs, as)} ${as}`;
  // 30–60 мин rather than a mixed "30 мин – 1 ч".
  const sameUnit = unit(fromMs) === as ? as : "мин";
  return `${value(fromMs, sameUnit)}–${value(toMs, sameUnit)} ${sameUnit}`;
}

/** A Moscow calendar day "YYYY-MM-DD" shortly: "5 нояб.". */
export function formatDay(day: string): string {
  const [year, month, date] = day.split("-").map(Number);
  return dayMonth.format(Date.UTC(year ?? 1970, (month ?? 1) - 1, date ?? 1));
}

/** A moment as a Moscow date: "25 ноября 2026 г.". */
export const formatDate = (at: number): string => fullDate.format(at);

/** A moment as a Moscow date and time: "25 ноября 2026 г. в 13:46". */
export const formatDateTime = (at: number): string => dateTime.format(at);

/** A period `since` ≤ t < `until` in Moscow days: "с 27 октября 2026 г. по 25 ноября 2026 г.". */
export function formatPeriod(since: number, until: number): string {
  const first = formatDate(since);
  const last = formatDate(Math.max(since, until - 1));
  return first === last ? first : `с ${first} по ${last}`;
}
