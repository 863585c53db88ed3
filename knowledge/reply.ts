import type { Matcher, MatchResult } from "./matcher.ts";
import type { KnowledgeBase, Language } from "./model.ts";
import { type RenderedAnswer, renderAnswer } from "./render.ts";

/** What the bot says to a message, before any channel formats it. */
export type Reply =
  | { kind: "answer"; language: Language; answer: RenderedAnswer; match: MatchResult }
  | {
      kind: "clarify";
      language: Language;
      options: { intent: string; title: string }[];
      match: MatchResult;
    }
  | { kind: "escalate"; language: Language; reason: "empty" | "no_match"; match: MatchResult };

export interface ReplyOptions {
  /** The language to answer in when the message has no letters. Defaults to "ru". */
  fallbackLanguage?: Language;
  /** The moment the answer is for (open-now sentences). Defaults to now. */
  at?: Date;
}

/**
 * Matches a message and turns the decision into a reply: the rendered answer,
 * the choices to offer, or an escalation. The reply's language is the
 * message's own, else `fallbackLanguage`.
 *
 * @example replyTo(kb, matcher, "how do I reset my password").kind // "answer"
 */
export function replyTo(
  kb: KnowledgeBase,
  matcher: Matcher,
  text: string,
  options: ReplyOptions = {},
): Reply {
  const { fallbackLanguage = "ru", at = new Date() } = options;
  const match = matcher.match(text);
  const language = match.analysis.languageDetected ? match.analysis.language : fallbackLanguage;
  const { decision } = match;
  if (decision.kind === "answer") {
    const answer = renderAnswer(kb, decision.intent, language, at);
    if (answer) return { kind: "answer", language, answer, match };
  }
  if (decision.kind === "clarify") {
    const options = decision.intents.flatMap((id) => {
      const intent = kb.byId.get(id);
      return intent ? [{ intent: id, title: intent.title[language] }] : [];
    });
    return { kind: "clarify", language, options, match };
  }
  return {
    kind: "escalate",
    language,
    reason: decision.kind === "escalate" ? decision.reason : "no_match",
    match,
  };
}
