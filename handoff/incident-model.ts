// Incidents: the portal itself broken (sign-in down, a service failing).
// Staff post a notice; until it is ended the bot says it first in the
// answers of the intents it concerns, and in the greeting.
import type { MatchResult, Reply } from "../knowledge/index.ts";
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

/**
 * How close a question's best intent must come to the out-of-scope class
 * for the question to be about that intent at all: below this share of
 * the out-of-scope score it is out of scope. Measured on the labelled
 * question sets: of the questions the bot does not answer, the in-scope
 * ones whose best candidate was right reach 0.6 in 31 of 48 (9 of 10 about
 * site problems), the out-of-scope ones in 29 of 385 (none with site
 * problems as the best candidate); the best intent must lead the
 * out-of-scope class outright in only 7 of those 48.
 */
export const IN_SCOPE_SHARE = 0.6;

/**
 * The incidents a question the bot would not answer is about: its best
 * candidate's, when that candidate is a real lead (at least `floor`, the
 * calibration's clarify floor, and IN_SCOPE_SHARE of the out-of-scope
 * score). An out-of-scope question, or one that shares next to nothing
 * with any intent, concerns none and is escalated as before.
 *
 * @example incidentsOfUnanswered(active, reply.match, matcher.calibration.clarifyFloor ?? 0)
 */
export function incidentsOfUnanswered(
  active: readonly Incident[],
  match: Pick<MatchResult, "candidates" | "outOfScopeScore">,
  floor: number,
): Incident[] {
  const top = match.candidates[0];
  if (!top || top.score < floor || top.score < IN_SCOPE_SHARE * match.outOfScopeScore) return [];
  return incidentsConcerning(active, top.intent);
}

/** The small-talk greeting: like /start, it carries every active incident's notice. */
export const GREETING_INTENT = "smalltalk.greeting";

/** The incidents an answer of `intent` carries first: those it concerns; every active one for the greeting. */
export function incidentsOfAnswer(active: readonly Incident[], intent: string): Incident[] {
  return intent === GREETING_INTENT ? [...active] : incidentsConcerning(active, intent);
}

/** What active incidents make of a reply: their notices first in it, or in its place. */
export type IncidentEffect = { how: "first" | "instead"; incidents: Incident[] };

/**
 * What the active incidents do to a reply: an answer carries first the
 * notices of those it concerns (the greeting: every active one); a question
 * the bot would escalate or clarify, whose best guess one concerns
 * (incidentsOfUnanswered), gets the notices instead; undefined when none
 * applies. What the bot says, and what the console's test pane shows.
 *
 * @example incidentsOfReply(active, replyTo(kb, matcher, text), matcher.calibration.clarifyFloor ?? 0)
 */
export function incidentsOfReply(
  active: readonly Incident[],
  reply: Reply,
  floor: number,
): IncidentEffect | undefined {
  if (reply.kind === "answer") {
    const incidents = incidentsOfAnswer(active, reply.answer.intent);
    return incidents.length > 0 ? { how: "first", incidents } : undefined;
  }
  if (reply.kind === "escalate" && reply.reason === "empty") return undefined;
  const incidents = incidentsOfUnanswered(active, reply.match, floor);
  return incidents.length > 0 ? { how: "instead", incidents } : undefined;
}
