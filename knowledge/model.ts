import type { Directory } from "./directory.ts";
import type { Topic } from "./schema.ts";
import type { Language } from "./stem.ts";

export type { Language } from "./stem.ts";
export type Bilingual = Readonly<Record<Language, string>>;

/** A link button: the URL may be a `{{url.name}}` reference. */
export interface Link {
  title: Bilingual;
  url: string;
}

/** One kind of question with its answer. */
export interface Intent {
  id: string;
  topic: Topic;
  title: Bilingual;
  examples: Readonly<Record<Language, readonly string[]>>;
  /** Telegram HTML with `{{references}}` to the directory. */
  answer: Bilingual;
  links: readonly Link[];
  followUp: readonly string[];
  /** Answering this intent hands the citizen to an operator. */
  escalate: boolean;
  /** The file it was loaded from, relative to the knowledge folder. */
  file: string;
}

/** A loaded, validated knowledge base. Immutable: a reload builds a new one. */
export interface KnowledgeBase {
  intents: readonly Intent[];
  byId: ReadonlyMap<string, Intent>;
  directory: Directory;
  synonyms: Readonly<Record<string, string>>;
  /** Questions the bot must not answer, so the matcher learns what they look like. */
  outOfScope: Readonly<Record<Language, readonly string[]>>;
}
