import { describeOpenState, describeSchedule, parseDayHours, type Schedule } from "./hours.ts";
import { escapeHtml } from "./html.ts";
import type { DirectoryFile } from "./schema.ts";
import type { Language } from "./stem.ts";

/** The contact directory, ready to fill references in answers. */
export interface Directory {
  readonly file: DirectoryFile;
  readonly schedules: ReadonlyMap<string, Schedule>;
  /** Whether a URL is https and on an official domain (or a subdomain of one). */
  isOfficialUrl(url: string): boolean;
}

/** `{{group.name}}` in an answer or a link. */
export const REFERENCE = /\{\{\s*([a-z]+)\.([a-z0-9_]+)\s*\}\}/g;
export const REFERENCE_GROUPS = ["phone", "email", "channel", "url", "hours", "open"] as const;

/** Builds the directory from its validated file. */
export function createDirectory(file: DirectoryFile): Directory {
  const holidays = new Set(file.holidays);
  const schedules = new Map<string, Schedule>();
  for (const [name, entry] of Object.entries(file.schedule)) {
    schedules.set(name, {
      timezone: entry.timezone,
      weekdays: parseDayHours(entry.weekdays),
      saturday: parseDayHours(entry.saturday),
      sunday: parseDayHours(entry.sunday),
      holiday: parseDayHours(entry.holiday),
      holidays,
    });
  }
  return {
    file,
    schedules,
    isOfficialUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return false;
      }
      if (parsed.protocol !== "https:") return false;
      return file.official_domains.some(
        (domain) => parsed.hostname === domain || parsed.hostname.endsWith(`.${domain}`),
      );
    },
  };
}

/**
 * The plain text a reference stands for, or undefined when the directory has
 * no such entry. `open.*` is computed for the moment `at`.
 */
export function resolveReference(
  directory: Directory,
  group: string,
  name: string,
  language: Language,
  at: Date,
): string | undefined {
  const { file } = directory;
  switch (group) {
    case "phone": {
      const phone = file.phone[name];
      return phone?.display;
    }
    case "email": {
      const email = file.email[name];
      return email;
    }
    case "channel": {
      const channel = file.channel[name];
      return channel;
    }
    case "url": {
      const url = file.url[name];
      return url;
    }
    case "hours": {
      const schedule = directory.schedules.get(name);
      return schedule && describeSchedule(schedule, language);
    }
    case "open": {
      const schedule = directory.schedules.get(name);
      return schedule && describeOpenState(schedule, at, language);
    }
    default:
      return undefined;
  }
}

/**
 * Replaces every `{{group.name}}` in `template`, escaping the values for HTML
 * unless `html` is false (for a button's URL). Unknown references are left as
 * they are: loading refuses a knowledge base that has any.
 */
export function fillReferences(
  directory: Directory,
  template: string,
  language: Language,
  at: Date,
  html = true,
): string {
  return template.replace(REFERENCE, (whole, group: string, name: string) => {
    const value = resolveReference(directory, group, name, language, at);
    if (value === undefined) return whole;
    return html ? escapeHtml(value) : value;
  });
}
