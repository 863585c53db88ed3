import { maskPersonalData, type Reply } from "../knowledge/index.ts";
import type { QuestionRecord } from "./ports.ts";

/**
 * What the store keeps of a question the bot replied to: the text with
 * personal data masked, the decision and the top three candidates (a ticket
 * opened next carries them; content staff read the unanswered ones).
 */
export function questionRecord(chatId: number, text: string, reply: Reply): QuestionRecord {
  const { match } = reply;
  return {
    chatId,
    text: maskPersonalData(text),
    language: reply.language,
    decision: match.decision.kind,
    intent: match.decision.kind === "answer" ? match.decision.intent : null,
    confidence: match.confidence,
    candidates: match.candidates.slice(0, 3),
  };
}
