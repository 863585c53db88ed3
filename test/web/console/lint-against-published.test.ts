import { describe, expect, it } from "vitest";
import {
  appendExample,
  createMatcher,
  parseKnowledgeBase,
  readKnowledgeFolder,
  type SourceFile,
} from "../../../knowledge/index.ts";
import { lintedAgainstPublished } from "../../../web/console/content-lint.ts";
import { INTENTS_DIR } from "../../knowledge-fixture.ts";

// A change's lint findings are its own: a finding the published base has
// already is not said again, even when an edit elsewhere moves its scores.

const MISPLACED = "дайте телефон горячей линии госуслуг";

function base(files: readonly SourceFile[]) {
  const parsed = parseKnowledgeBase(files);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join("; "));
  return parsed.kb;
}
const withExample = (files: readonly SourceFile[], name: string, example: string) =>
  files.map((file) => {
    if (file.name !== name) return file;
    const added = appendExample(file.text, "ru", example);
    if (!added.ok) throw new Error(added.reason);
    return { ...file, text: added.text };
  });

describe("lint against the published base", () => {
  // Published with a hotline question among the schedule's examples: a warning it has.
  const publishedFiles = withExample(
    readKnowledgeFolder(INTENTS_DIR),
    "hours.schedule.yaml",
    MISPLACED,
  );
  const published = base(publishedFiles);
  const knowledge = { kb: published, matcher: createMatcher(published) };

  it("does not say again a warning the published base has, though its score moved", () => {
    // An example added to the hotline moves the misplaced one's score (0.40 → 0.43).
    const changed = base(
      withExample(
        publishedFiles,
        "contacts.hotline.yaml",
        "дайте телефон горячей линии пожалуйста срочно",
      ),
    );
    const { errors, warnings } = lintedAgainstPublished(
      changed,
      knowledge,
      "contacts.hotline.yaml",
    );
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => w.message.includes(MISPLACED))).toEqual([]);
  });

  it("says a warning the change brings", () => {
    const changed = base(
      withExample(
        publishedFiles,
        "hours.schedule.yaml",
        "какой номер горячей линии госуслуг для справок",
      ),
    );
    const { warnings } = lintedAgainstPublished(changed, knowledge, "hours.schedule.yaml");
    expect(
      warnings.some((w) => w.message.includes("какой номер горячей линии госуслуг для справок")),
    ).toBe(true);
    expect(warnings.filter((w) => w.message.includes(MISPLACED))).toEqual([]);
  });
});
