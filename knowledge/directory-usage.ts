import { REFERENCE } from "./directory.ts";
import type { Intent } from "./model.ts";

/** The directory's groups as the file names them; `hours.x` and `open.x` both use `schedule.x`. */
const GROUP_OF: Readonly<Record<string, string>> = {
  phone: "phone",
  email: "email",
  channel: "channel",
  url: "url",
  hours: "schedule",
  open: "schedule",
};

/**
 * Which intents refer to each directory entry, by the entry's place in the
 * directory file (`phone.hotline`, `schedule.operators`): in their answers
 * and their links. An entry that is used cannot go without those answers
 * changing first.
 *
 * @example directoryUsage(kb.intents).get("phone.hotline") // ["contacts.hotline", …]
 */
export function directoryUsage(intents: readonly Intent[]): Map<string, string[]> {
  const usage = new Map<string, string[]>();
  for (const intent of intents) {
    const texts = [intent.answer.ru, intent.answer.en, ...intent.links.map((l) => l.url)];
    for (const text of texts) {
      for (const [, group = "", name = ""] of text.matchAll(REFERENCE)) {
        const entry = `${GROUP_OF[group] ?? group}.${name}`;
        const users = usage.get(entry) ?? [];
        if (!users.includes(intent.id)) users.push(intent.id);
        usage.set(entry, users);
      }
    }
  }
  return usage;
}
