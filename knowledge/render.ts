import { fillReferences } from "./directory.ts";
import type { KnowledgeBase, Language } from "./model.ts";

/** An answer ready to send: Telegram HTML, link buttons, follow-up choices. */
export interface RenderedAnswer {
  intent: string;
  language: Language;
  html: string;
  links: { title: string; url: string }[];
  followUps: { intent: string; title: string }[];
  escalate: boolean;
}

/**
 * Fills an intent's answer for one language at one moment: directory
 * references are replaced (escaped), `{{open.*}}` computed for `at`.
 * Returns undefined for an unknown intent id.
 *
 * @example renderAnswer(kb, "contacts.hotline", "en", new Date())?.html
 */
export function renderAnswer(
  kb: KnowledgeBase,
  intentId: string,
  language: Language,
  at: Date,
): RenderedAnswer | undefined {
  const intent = kb.byId.get(intentId);
  if (!intent) return undefined;
  return {
    intent: intent.id,
    language,
    html: fillReferences(kb.directory, intent.answer[language].trim(), language, at),
    links: intent.links.map((link) => ({
      title: link.title[language],
      url: fillReferences(kb.directory, link.url, language, at, false),
    })),
    followUps: intent.followUp.flatMap((id) => {
      const target = kb.byId.get(id);
      return target ? [{ intent: id, title: target.title[language] }] : [];
    }),
    escalate: intent.escalate,
  };
}
