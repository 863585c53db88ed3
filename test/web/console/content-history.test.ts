import { describe, expect, it } from "vitest";
import { changes } from "../../../web/console/content-changes.ts";
import { studioPerTest } from "./studio-fixture.ts";

// The history of publications: who published what and when, each with the
// lines it changed, as `git diff` shows them.

const INTENT = "contacts.hotline";

const studio = studioPerTest();

describe("a publication's changes", () => {
  it("are the lines it changed, with their context, and a new file's every line", () => {
    const before = "a\nb\nc\nd\ne\nf\ng\nh\n";
    const after = "a\nb\nc\nD\ne\nf\ng\nh\n";
    expect(changes({ name: "x.yaml", before, after })).toEqual([
      {
        oldStart: 1,
        newStart: 1,
        lines: [
          { kind: "context", text: "a" },
          { kind: "context", text: "b" },
          { kind: "context", text: "c" },
          { kind: "removed", text: "d" },
          { kind: "added", text: "D" },
          { kind: "context", text: "e" },
          { kind: "context", text: "f" },
          { kind: "context", text: "g" },
        ],
      },
    ]);
    const created = changes({ name: "new.yaml", before: null, after: "id: x\ntopic: y" });
    expect(created[0]?.lines).toEqual([
      { kind: "added", text: "id: x" },
      { kind: "added", text: "topic: y" },
    ]);
  });

  it("are served for each publication, with who published it, to content staff only", async () => {
    const console = await studio();
    const pavel = await console.publisher("pavel", "Павел");
    const opened = (await pavel.get(`/api/content/intents/${INTENT}`)).json();
    const saved = await pavel.post(`/api/content/intents/${INTENT}/answer`, {
      ru: `Новая первая строка.\n${opened.published.ru}`,
      en: opened.published.en,
      version: opened.version,
    });
    expect(saved.json()).toMatchObject({ ok: true });
    const published = (await pavel.post("/api/content/publish")).json();
    expect(published).toMatchObject({ ok: true });

    const shown = (await pavel.get(`/api/content/publications/${published.publication}`)).json();
    expect(shown).toMatchObject({ ok: true, by: "Павел", restores: null });
    expect(shown.files).toHaveLength(1);
    const [file] = shown.files;
    expect(file).toMatchObject({ name: `${INTENT}.yaml`, created: false });
    const changed = file.hunks.flatMap((h: { lines: { kind: string; text: string }[] }) =>
      h.lines.filter((l) => l.kind !== "context"),
    );
    expect(changed).toEqual([{ kind: "added", text: "    Новая первая строка." }]);

    expect((await pavel.get("/api/content/publications/999")).statusCode).toBe(404);
    await console.addStaff("olga", "operator");
    const olga = await console.signIn("olga");
    expect((await olga.get(`/api/content/publications/${published.publication}`)).statusCode).toBe(
      403,
    );
  });
});
