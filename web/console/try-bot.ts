import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type Incident, incidentsOfReply, noticeIn } from "../../handoff/index.ts";
import {
  type KnowledgeBase,
  type Matcher,
  type MatchResult,
  OUT_OF_SCOPE,
  type Reply,
  replyTo,
} from "../../knowledge/index.ts";
import type { ConsoleContext } from "./context.ts";

/** As long as a citizen's message may be (Telegram's limit). */
const MAX_QUESTION = 4096;
export const tryBody = z.object({
  text: z.string().max(MAX_QUESTION),
  /** The language the chat was in before, for a message without letters. */
  language: z.enum(["ru", "en"]).default("ru"),
});

/**
 * The test pane's API: a question as the bot reads it (language, layout
 * repair, transliteration, the words and their corrections), the intents it
 * scored with the words that matched, the decision with the thresholds that
 * made it, and the reply the citizen would get (with the active incidents'
 * notices where the bot would say them). Any signed-in staff member may
 * ask; nothing is recorded.
 */
export function tryBotRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { deps, repos } = ctx;
  app.post("/api/try", async (request) => {
    const { text, language } = tryBody.parse(request.body);
    const { kb, matcher } = deps.knowledge();
    return { ok: true, ...tryOn(kb, matcher, text, language, await repos().incidents.active()) };
  });
}

/**
 * A question on one knowledge base: how it is read, what scored, the
 * decision, the reply, and what the `active` incidents do to it: their
 * notices first, or in its place (incidentsOfReply, as the bot decides).
 */
export function tryOn(
  kb: KnowledgeBase,
  matcher: Matcher,
  text: string,
  language: "ru" | "en",
  active: readonly Incident[] = [],
) {
  const reply = replyTo(kb, matcher, text, { fallbackLanguage: language, at: new Date() });
  const effect = incidentsOfReply(active, reply, matcher.calibration.clarifyFloor ?? 0);
  return {
    ...readingOf(kb, matcher, reply.match),
    reply: replyShown(kb, reply),
    incidents: effect
      ? {
          how: effect.how,
          notices: effect.incidents.map((incident) => ({
            id: incident.id,
            broken: incident.broken,
            notice: noticeIn(incident, reply.language),
            expectedFix: incident.expectedFix,
          })),
        }
      : null,
  };
}

/** How the matcher read a message and what it made of it. */
function readingOf(kb: KnowledgeBase, matcher: Matcher, match: MatchResult) {
  const { analysis, decision } = match;
  const { answerAt, clarifyAt, margin } = matcher.calibration;
  const lead = (match.candidates[0]?.score ?? 0) - (match.candidates[1]?.score ?? 0);
  return {
    language: analysis.language,
    languageDetected: analysis.languageDetected,
    layout: analysis.layout,
    transliterated: analysis.transliterated,
    words: analysis.tokens.map((token) => ({
      word: token.word,
      corrected: token.corrected,
      stem: token.stem,
      known: token.known,
      courtesy: token.courtesy,
    })),
    unknownShare: match.unknownShare,
    outOfScope: match.outOfScopeScore,
    candidates: matcher.explain(match).map((e) => ({
      intent: e.intent,
      title: e.intent === OUT_OF_SCOPE ? null : (kb.byId.get(e.intent)?.title.ru ?? null),
      score: e.score,
      words: e.sharedWords,
      example: e.example,
    })),
    decision,
    confidence: match.confidence,
    thresholds: { answerAt, clarifyAt, margin },
    lead,
  };
}

/** The reply as the citizen sees it: its text (Telegram HTML) and its buttons, row by row. */
function replyShown(kb: KnowledgeBase, reply: Reply) {
  if (reply.kind === "answer") {
    const { answer } = reply;
    const smalltalk = kb.byId.get(answer.intent)?.topic === "smalltalk";
    return {
      kind: "answer" as const,
      language: reply.language,
      intent: answer.intent,
      html: answer.html,
      buttons: [
        ...answer.links.map((link) => ({
          kind: "link" as const,
          title: link.title,
          url: link.url,
        })),
        ...answer.followUps.map((f) => ({
          kind: "answer" as const,
          title: f.title,
          intent: f.intent,
        })),
      ],
      /** The bot asks "Did this help?" under a real answer. */
      asksFeedback: !smalltalk && !answer.escalate,
      /** The bot then offers an operator (the intent says so). */
      offersOperator: answer.escalate,
    };
  }
  if (reply.kind === "clarify") {
    return {
      kind: "clarify" as const,
      language: reply.language,
      buttons: reply.options.map((o) => ({
        kind: "answer" as const,
        title: o.title,
        intent: o.intent,
      })),
    };
  }
  return { kind: "escalate" as const, language: reply.language, reason: reply.reason };
}
