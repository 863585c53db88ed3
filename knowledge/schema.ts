import { z } from "zod";

/** Telegram's limit on a message is 4,096 characters; answers stay well inside it. */
export const MAX_ANSWER_LENGTH = 1000;

/** Menu sections an intent belongs to; small talk is in no menu. */
export const TOPICS = [
  "account",
  "applications",
  "documents",
  "contacts",
  "departments",
  "operator",
  "smalltalk",
] as const;
export type Topic = (typeof TOPICS)[number];

/** What an intent id looks like: `group.name`, lowercase latin. */
export const INTENT_ID = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;

const text = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, { error: `${what} must not be empty` });

const bilingual = (what: string) =>
  z.strictObject(
    {
      ru: text(`${what} in Russian (ru)`),
      en: text(`${what} in English (en)`),
    },
    { error: `${what} needs both languages: ru and en` },
  );

const exampleList = (language: string, min: number) =>
  z
    .array(text("an example"), { error: `examples.${language} must be a list of questions` })
    .min(min, { error: `write at least ${min} ${language} examples` });

export const linkSchema = z.strictObject({
  title: bilingual("a link title"),
  url: text("url"),
});

export const intentFileSchema = z.strictObject({
  id: z.string().regex(INTENT_ID, {
    error: "id must look like 'group.name' in lowercase latin letters, e.g. contacts.hotline",
  }),
  topic: z.enum(TOPICS, { error: `topic must be one of: ${TOPICS.join(", ")}` }),
  title: bilingual("title"),
  examples: z.strictObject(
    { ru: exampleList("Russian", 25), en: exampleList("English", 8) },
    { error: "examples needs two lists: ru and en" },
  ),
  answer: bilingual("answer"),
  links: z.array(linkSchema).max(4, { error: "at most 4 link buttons" }).default([]),
  follow_up: z
    .array(z.string().regex(INTENT_ID, { error: "follow_up lists intent ids" }))
    .max(3, { error: "at most 3 follow-up intents" })
    .default([]),
  escalate: z.boolean().default(false),
});
export type IntentFile = z.infer<typeof intentFileSchema>;

const HOURS = /^(closed|([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00))$/;
const dayHours = z.string().regex(HOURS, { error: 'hours are "HH:MM-HH:MM" or "closed"' });

export const scheduleSchema = z.strictObject({
  timezone: z.string().refine((zone) => isTimeZone(zone), { error: "unknown IANA time zone" }),
  weekdays: dayHours,
  saturday: dayHours,
  sunday: dayHours,
  holiday: dayHours,
});
export type ScheduleEntry = z.infer<typeof scheduleSchema>;

const NAME = /^[a-z][a-z0-9_]*$/;
const names = <T extends z.ZodType>(value: T) =>
  z.record(z.string().regex(NAME, { error: "names are lowercase latin, digits and _" }), value);

export const directorySchema = z.strictObject({
  phone: names(z.strictObject({ display: text("display"), note: z.string().optional() })),
  email: names(z.email({ error: "not an e-mail address" })),
  channel: names(text("channel")),
  url: names(z.url({ protocol: /^https$/, error: "links must be https:// URLs" })),
  official_domains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]+$/)).min(1),
  schedule: names(scheduleSchema),
  holidays: z.array(
    z.string().regex(/^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
      error: 'holidays are "MM-DD" (every year) or "YYYY-MM-DD"',
    }),
  ),
});
export type DirectoryFile = z.infer<typeof directorySchema>;

export const outOfScopeSchema = z.strictObject({
  examples: z.strictObject(
    {
      ru: z.array(text("an example")).min(1, { error: "write at least one Russian example" }),
      en: z.array(text("an example")).min(1, { error: "write at least one English example" }),
    },
    { error: "examples needs two lists: ru and en" },
  ),
});

export const synonymsSchema = z.record(text("a phrase"), text("the word it means"));

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
