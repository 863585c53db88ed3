// An intent file's titles, topic, links, follow-ups and escalation changed
// line by line, and a new intent file written as the others are laid out.
import { Document, Scalar, visit } from "yaml";
import type { Bilingual, Link } from "./model.ts";
import { type PatchResult, patchYaml } from "./yaml-patch.ts";

/** The fields of an intent file besides its examples and answer, as the file names them. */
export interface IntentFields {
  title: Bilingual;
  topic: string;
  links: readonly Link[];
  follow_up: readonly string[];
  escalate: boolean;
}

/** An intent file's keys in the order the files have them. */
const KEY_ORDER = ["id", "topic", "title", "examples", "answer", "links", "follow_up", "escalate"];

/**
 * The text of an intent file with `fields` set, each only where it differs:
 * an empty list of links or follow-ups, and `escalate: false`, leave the
 * file without the key (its default) unless the file writes it; a key the
 * file lacks goes in at its place in the order the files follow.
 *
 * @example setIntentFields(text, { title: { ru: "Горячая линия", en: "Hotline" } })
 */
export function setIntentFields(source: string, fields: Partial<IntentFields>): PatchResult {
  return patchYaml(source, (data: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(fields)) {
      const isDefault = value === false || (Array.isArray(value) && value.length === 0);
      if (isDefault && !(key in data)) continue;
      // A list emptied: the key goes (the default), as a YAML block list cannot be empty.
      if (Array.isArray(value) && value.length === 0) delete data[key];
      else data[key] = value;
    }
    return inOrder(data);
  });
}

function inOrder(data: Record<string, unknown>): Record<string, unknown> {
  const rank = (key: string) => {
    const at = KEY_ORDER.indexOf(key);
    return at === -1 ? KEY_ORDER.length : at;
  };
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => rank(a) - rank(b)));
}

/** What a new intent is made of. */
export interface NewIntent extends Partial<Pick<IntentFields, "links" | "follow_up">> {
  id: string;
  topic: string;
  title: Bilingual;
  examples: { ru: readonly string[]; en: readonly string[] };
  answer: Bilingual;
  /** One line on what the intent covers: the file's first comment. */
  about?: string | undefined;
}

/**
 * A new intent file's text, laid out as the others: a comment on what it
 * covers, the keys in their order, answers as `|` blocks, lists one item a
 * line, links' titles and URLs on lines of their own.
 *
 * @example newIntentFile({ id: "contacts.fax", topic: "contacts", ... })
 */
export function newIntentFile(intent: NewIntent): string {
  const data: Record<string, unknown> = {
    id: intent.id,
    topic: intent.topic,
    title: { ru: intent.title.ru, en: intent.title.en },
    examples: { ru: [...intent.examples.ru], en: [...intent.examples.en] },
    answer: {
      ru: `${intent.answer.ru.replace(/\r\n?/g, "\n").trimEnd()}\n`,
      en: `${intent.answer.en.replace(/\r\n?/g, "\n").trimEnd()}\n`,
    },
    ...(intent.links?.length ? { links: intent.links.map((l) => ({ ...l })) } : {}),
    ...(intent.follow_up?.length ? { follow_up: [...intent.follow_up] } : {}),
  };
  const document = new Document(data);
  visit(document, {
    Pair(_, pair) {
      const key = (pair.key as Scalar).value;
      if ((key === "ru" || key === "en") && pair.value instanceof Scalar) {
        const text = String(pair.value.value);
        if (text.endsWith("\n")) pair.value.type = Scalar.BLOCK_LITERAL;
      }
    },
  });
  const about = intent.about?.replace(/\s+/g, " ").trim();
  const head = about ? `# ${about}\n` : "";
  return head + document.toString({ lineWidth: 0 });
}
