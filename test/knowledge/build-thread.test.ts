import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMatcher, loadInThread, readLabelled } from "../../knowledge/index.ts";
import { INTENTS_DIR, realFiles, realKnowledgeBase } from "../knowledge-fixture.ts";

const DEV_SET = new URL("../fixtures/eval-dev.jsonl", import.meta.url).pathname;

describe("the knowledge base built in a worker thread", () => {
  it("answers as the one built in this thread: decisions, confidences, candidates, explanations", async () => {
    const loaded = await loadInThread(INTENTS_DIR);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const kb = realKnowledgeBase();
    const here = createMatcher(kb);
    expect(loaded.kb.intents.map((i) => i.id)).toEqual(kb.intents.map((i) => i.id));
    expect(loaded.kb.directory.isOfficialUrl("https://www.gosuslugi.ru/help")).toBe(
      kb.directory.isOfficialUrl("https://www.gosuslugi.ru/help"),
    );
    for (const { text } of readLabelled(DEV_SET)) {
      const there = loaded.matcher.match(text);
      const ours = here.match(text);
      expect({ text, ...there, analysis: undefined }).toEqual({
        text,
        ...ours,
        analysis: undefined,
      });
      expect(loaded.matcher.explain(there)).toEqual(here.explain(ours));
    }
  });

  it("reports an invalid folder's issues, file and field, as loading here does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "knowledge-thread-"));
    try {
      for (const file of realFiles()) {
        const text =
          file.name === "contacts.hotline.yaml"
            ? file.text.replace(/^id: .*$/m, "id: 42")
            : file.text;
        writeFileSync(join(dir, file.name), text);
      }
      const loaded = await loadInThread(dir);
      expect(loaded.ok).toBe(false);
      if (loaded.ok) return;
      expect(loaded.issues[0]).toMatchObject({ file: "contacts.hotline.yaml", field: "id" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
