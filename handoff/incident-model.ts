// Incidents: the portal itself broken (sign-in down, a service failing).
// Staff post a notice; until it is ended the bot says it first in the
// answers of the intents it concerns, and in the greeting.
import type { Language } from "../knowledge/stem.ts";

/** What staff write when they post or update an incident. */
export interface IncidentText {
  /** The notice citizens read, in Russian (plain text: escaped wherever it is shown). */
  noticeRu: string;
  /** The notice in English; null: English speakers read the Russian one. */
  noticeEn: string | null;
  /** What is broken, for staff ("вход через Госключ"). */
  broken: string;
  /** Since when (ms since the epoch). */
  since: number;
  /** When a fix is expected, as staff say it ("к 18:00"); null: not known. */
  expectedFix: string | null;
  /** The intents whose questions it concerns. */
  intents: readonly string[];
}

/** An incident as stored: its text, who posted, updated and ended it, and when. */
export interface Incident extends IncidentText {
  id: number;
  postedBy: number;
  postedAt: number;
  /** The last change (the posting itself until someone updates it). */
  updatedBy: number;
  updatedAt: number;
  /** Null while it is active. */
  endedBy: number | null;
  endedAt: number | null;
}

/** An update or an ending, refused when the incident is not there or already ended. */
export type IncidentChange =
  | { ok: true; incident: Incident }
  | { ok: false; reason: "not_found" | "ended" };

/** The notice in `language`: the English one when there is one, else the Russian. */
export function noticeIn(incident: Incident, language: Language): string {
  return language === "en" && incident.noticeEn !== null ? incident.noticeEn : incident.noticeRu;
}

/** The incidents of `active` that concern `intent`, oldest first as given. */
export function incidentsConcerning(
  active: readonly Incident[],
  intent: string | undefined,
): Incident[] {
  return intent === undefined ? [] : active.filter((i) => i.intents.includes(intent));
}
