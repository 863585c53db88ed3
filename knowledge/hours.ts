import type { Language } from "./stem.ts";

/** Opening hours of one kind of day, in minutes from midnight; undefined when closed. */
interface DayHours {
  open: number;
  close: number;
}

/** A weekly schedule with public holidays, in one time zone. */
export interface Schedule {
  timezone: string;
  weekdays: DayHours | undefined;
  saturday: DayHours | undefined;
  sunday: DayHours | undefined;
  holiday: DayHours | undefined;
  /** "MM-DD" every year or "YYYY-MM-DD" once. */
  holidays: ReadonlySet<string>;
}

/** Whether a schedule is open at a moment, and the next change. */
export type OpenState =
  | { open: true; closesAt: LocalTime }
  | { open: false; opensAt: LocalTime | undefined };

/** A wall-clock moment in the schedule's time zone. */
export interface LocalTime {
  date: string; // YYYY-MM-DD
  minutes: number;
  /** 0 = today, 1 = tomorrow, ... */
  daysAhead: number;
  weekday: number; // 0 = Sunday
}

/** Parses "HH:MM-HH:MM" (or "closed") into minutes. */
export function parseDayHours(text: string): DayHours | undefined {
  if (text === "closed") return undefined;
  const match = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(text);
  if (!match) throw new Error(`hours must be "HH:MM-HH:MM" or "closed", got "${text}"`);
  const [, h1, m1, h2, m2] = match.map(Number) as [number, number, number, number, number];
  return { open: h1 * 60 + m1, close: h2 * 60 + m2 };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(at: Date, timezone: string) {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timezone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function weekdayOf(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

function hoursOn(schedule: Schedule, date: string): DayHours | undefined {
  if (schedule.holidays.has(date) || schedule.holidays.has(date.slice(5))) return schedule.holiday;
  const weekday = weekdayOf(date);
  if (weekday === 0) return schedule.sunday;
  if (weekday === 6) return schedule.saturday;
  return schedule.weekdays;
}

/**
 * Whether the schedule is open at `at`, and when it closes or next opens
 * (looking up to two weeks ahead).
 *
 * @example openState(operators, new Date("2026-11-25T21:00:00Z")) // { open: false, opensAt: { daysAhead: 1, minutes: 480, ... } }
 */
export function openState(schedule: Schedule, at: Date): OpenState {
  const now = localParts(at, schedule.timezone);
  const today = hoursOn(schedule, now.date);
  const local = (date: string, minutes: number, daysAhead: number): LocalTime => ({
    date,
    minutes,
    daysAhead,
    weekday: weekdayOf(date),
  });
  if (today && now.minutes >= today.open && now.minutes < today.close) {
    return { open: true, closesAt: local(now.date, today.close, 0) };
  }
  if (today && now.minutes < today.open) {
    return { open: false, opensAt: local(now.date, today.open, 0) };
  }
  for (let ahead = 1; ahead <= 14; ahead++) {
    const date = addDays(now.date, ahead);
    const hours = hoursOn(schedule, date);
    if (hours) return { open: false, opensAt: local(date, hours.open, ahead) };
  }
  return { open: false, opensAt: undefined };
}

const pad = (n: number) => String(n).padStart(2, "0");
/** Minutes from midnight as "HH:MM". */
export function clock(minutes: number): string {
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

const span = (hours: DayHours | undefined, closed: string) =>
  hours ? `${clock(hours.open)}–${clock(hours.close)}` : closed;

const LABELS = {
  ru: {
    weekdays: "пн–пт",
    saturday: "сб",
    sunday: "вс",
    holiday: "праздники",
    closed: "выходной",
    daily: "ежедневно",
    zone: "по московскому времени",
  },
  en: {
    weekdays: "Mon–Fri",
    saturday: "Sat",
    sunday: "Sun",
    holiday: "public holidays",
    closed: "closed",
    daily: "daily",
    zone: "Moscow time",
  },
} as const;

/**
 * The schedule in words, days with the same hours joined.
 *
 * @example describeSchedule(operators, "ru") // "пн–пт 08:00–20:00, сб 09:00–18:00, вс и праздники 10:00–16:00 по московскому времени"
 */
export function describeSchedule(schedule: Schedule, language: Language): string {
  const labels = LABELS[language];
  const and = language === "ru" ? " и " : " and ";
  const groups: { names: string[]; hours: string }[] = [];
  for (const day of ["weekdays", "saturday", "sunday", "holiday"] as const) {
    const hours = span(schedule[day], labels.closed);
    const same = groups.find((g) => g.hours === hours);
    if (same) same.names.push(labels[day]);
    else groups.push({ names: [labels[day]], hours });
  }
  const onlyOne = groups.length === 1 && groups[0];
  if (onlyOne) return `${labels.daily} ${onlyOne.hours} ${labels.zone}`;
  return `${groups.map((g) => `${g.names.join(and)} ${g.hours}`).join(", ")} ${labels.zone}`;
}

const WEEKDAYS = {
  ru: [
    "в воскресенье",
    "в понедельник",
    "во вторник",
    "в среду",
    "в четверг",
    "в пятницу",
    "в субботу",
  ],
  en: [
    "on Sunday",
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "on Saturday",
  ],
} as const;

/**
 * A sentence saying whether the schedule is open now and until when, or when
 * it opens next, in Moscow time.
 *
 * @example describeOpenState(operators, new Date("2026-11-25T10:00:00Z"), "ru") // "Сейчас операторы на связи, до 20:00 (мск)."
 */
export function describeOpenState(schedule: Schedule, at: Date, language: Language): string {
  const state = openState(schedule, at);
  if (language === "ru") {
    if (state.open) return `Сейчас операторы на связи, до ${clock(state.closesAt.minutes)} (мск).`;
    if (!state.opensAt) return "Сейчас операторы не на связи.";
    return `Сейчас операторы не на связи; вернутся ${when(state.opensAt, "ru")} в ${clock(state.opensAt.minutes)} (мск).`;
  }
  if (state.open)
    return `Operators are available now, until ${clock(state.closesAt.minutes)} Moscow time.`;
  if (!state.opensAt) return "Operators are not available now.";
  return `Operators are not available now; they are back ${when(state.opensAt, "en")} at ${clock(state.opensAt.minutes)} Moscow time.`;
}

function when(at: LocalTime, language: Language): string {
  if (at.daysAhead === 0) return language === "ru" ? "сегодня" : "today";
  if (at.daysAhead === 1) return language === "ru" ? "завтра" : "tomorrow";
  const [, month, day] = at.date.split("-");
  const weekday = WEEKDAYS[language][at.weekday] ?? "";
  return `${weekday} (${day}.${month})`;
}
