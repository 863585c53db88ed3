import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { newIntentFile, setIntentFields } from "../../knowledge/edit-intent.ts";
import { parseKnowledgeBase, readKnowledgeFolder } from "../../knowledge/index.ts";
import { patchYaml, renameKey } from "../../knowledge/yaml-patch.ts";
import { INTENTS_DIR } from "../knowledge-fixture.ts";
import { lineDiff } from "../line-diff.ts";

// Titles, topic, links, follow-ups, the directory's entries: each edit
// changes only the lines of what changed; comments and layout stay.

const HOTLINE = readFileSync(join(INTENTS_DIR, "contacts.hotline.yaml"), "utf8");
const DIRECTORY = readFileSync(join(INTENTS_DIR, "_directory.yaml"), "utf8");

const COMMENTED = `# a.test: written by hand
id: a.test # the id
topic: contacts # the menu section
title: { ru: Тест, en: Test } # a flow map stays one
answer:
  ru: |
    Ответ.
  en: |
    Answer.
links:
  # the portal first
  - title:
      ru: Портал # short
      en: Portal
    url: "{{url.portal}}"
  - title: { ru: Помощь, en: Help }
    url: https://www.gosuslugi.ru/help
# the end
`;

function patched(result: ReturnType<typeof patchYaml>): string {
  if (!result.ok) throw new Error(result.reason);
  return result.text;
}

describe("changing an intent file's fields", () => {
  it("replaces a title where it stands, in a block map and in a flow map, keeping comments", () => {
    const hotline = patched(
      setIntentFields(HOTLINE, { title: { ru: "Горячая линия", en: "Support hotline number" } }),
    );
    expect(lineDiff(HOTLINE, hotline)).toEqual([
      "-   ru: Телефон горячей линии",
      "+   ru: Горячая линия",
    ]);
    const flow = patched(setIntentFields(COMMENTED, { title: { ru: "Тест, второй", en: "Test" } }));
    expect(lineDiff(COMMENTED, flow)).toEqual([
      "- title: { ru: Тест, en: Test } # a flow map stays one",
      '+ title: { ru: "Тест, второй", en: Test } # a flow map stays one',
    ]);
    const quoted = patched(setIntentFields(HOTLINE, { title: { ru: "Телефон: 8 800", en: "x" } }));
    expect(parse(quoted).title).toEqual({ ru: "Телефон: 8 800", en: "x" });
  });

  it("changes, adds, removes and reorders links, one line per changed value", () => {
    const link = { title: { ru: "Портал", en: "Portal" }, url: "{{url.portal}}" };
    const help = { title: { ru: "Помощь", en: "Help" }, url: "https://www.gosuslugi.ru/help" };
    const feedback = { title: { ru: "Отзыв", en: "Feedback" }, url: "{{url.feedback}}" };
    expect(
      lineDiff(COMMENTED, patched(setIntentFields(COMMENTED, { links: [link, help, feedback] }))),
    ).toEqual([
      "+   - title:",
      "+       ru: Отзыв",
      "+       en: Feedback",
      '+     url: "{{url.feedback}}"',
    ]);
    const swapped = patched(setIntentFields(COMMENTED, { links: [help, link] }));
    // Reordered: the values change places, the lines (and comments) stay.
    expect(lineDiff(COMMENTED, swapped)).toEqual([
      "-       ru: Портал # short",
      "-       en: Portal",
      "+       ru: Помощь # short",
      "+       en: Help",
      '+     url: "https://www.gosuslugi.ru/help"',
      "+   - title: { ru: Портал, en: Portal }",
      "-   - title: { ru: Помощь, en: Help }",
      "-     url: https://www.gosuslugi.ru/help",
    ]);
    expect(parse(swapped).links).toEqual([help, link]);
    expect(swapped).toContain("  # the portal first\n");
    const one = patched(setIntentFields(COMMENTED, { links: [link] }));
    expect(lineDiff(COMMENTED, one)).toEqual([
      "-   - title: { ru: Помощь, en: Help }",
      "-     url: https://www.gosuslugi.ru/help",
    ]);
    // No links: the key goes with its lines (and the comment among them); the file's end stays.
    const none = patched(setIntentFields(COMMENTED, { links: [] }));
    expect(parse(none).links).toBeUndefined();
    expect(none.endsWith("    Answer.\n# the end\n")).toBe(true);
  });

  it("adds a key the file lacks at its place in the order, and leaves defaults unwritten", () => {
    const withFollowUp = patched(setIntentFields(COMMENTED, { follow_up: ["hours.schedule"] }));
    expect(lineDiff(COMMENTED, withFollowUp)).toEqual(["+ follow_up:", "+   - hours.schedule"]);
    expect(withFollowUp).toContain("    url: https://www.gosuslugi.ru/help\nfollow_up:\n");
    expect(setIntentFields(COMMENTED, { follow_up: [], escalate: false })).toEqual({
      ok: true,
      text: COMMENTED,
    });
    const noLinks = patched(setIntentFields(COMMENTED, { links: [] }));
    const backAgain = patched(
      setIntentFields(noLinks, {
        links: [{ title: { ru: "Портал", en: "Portal" }, url: "{{url.portal}}" }],
        escalate: true,
      }),
    );
    expect(lineDiff(noLinks, backAgain)).toEqual([
      "+ links:",
      "+   - title:",
      "+       ru: Портал",
      "+       en: Portal",
      '+     url: "{{url.portal}}"',
      "+ escalate: true",
    ]);
    const topic = patched(setIntentFields(COMMENTED, { topic: "account" }));
    expect(lineDiff(COMMENTED, topic)).toEqual([
      "- topic: contacts # the menu section",
      "+ topic: account # the menu section",
    ]);
  });

  it("changes only the follow-ups' lines in every real intent file", () => {
    const files = readdirSync(INTENTS_DIR).filter((n) => n.endsWith(".yaml") && !n.startsWith("_"));
    for (const file of files) {
      const source = readFileSync(join(INTENTS_DIR, file), "utf8");
      const text = patched(setIntentFields(source, { follow_up: ["hours.schedule"] }));
      const diff = lineDiff(source, text);
      expect(
        diff.every((line) => /^[-+] {3}- |^[-+] follow_up:$/.test(line)),
        file,
      ).toBe(true);
      expect(parse(text).follow_up, file).toEqual(["hours.schedule"]);
    }
  });
});

describe("changing the directory", () => {
  it("changes a phone's display, drops a note, adds an entry in the house style", () => {
    const text = patched(
      patchYaml(DIRECTORY, (d) => {
        d.phone.hotline.display = "8 800 100-70-10";
        delete d.phone.abroad.note;
        d.phone.fax = { display: "+7 495 000-00-00", note: "fax" };
      }),
    );
    expect(lineDiff(DIRECTORY, text)).toEqual([
      '-     display: "8 800 555-35-35"',
      '+     display: "8 800 100-70-10"',
      "-     note: calls from abroad at your operator's usual rates to Russia",
      "+   fax:",
      '+     display: "+7 495 000-00-00"',
      "+     note: fax",
    ]);
  });

  it("adds a schedule, adds and removes holidays, renames an entry in place", () => {
    const text = patched(
      patchYaml(DIRECTORY, (d) => {
        d.schedule.chat = {
          timezone: "Europe/Moscow",
          weekdays: "09:00-18:00",
          saturday: "closed",
          sunday: "closed",
          holiday: "closed",
        };
        d.holidays = d.holidays.filter((h: string) => h !== "02-23").concat(["2027-01-11"]);
      }),
    );
    expect(lineDiff(DIRECTORY, text)).toEqual([
      "+   chat:",
      "+     timezone: Europe/Moscow",
      '+     weekdays: "09:00-18:00"',
      "+     saturday: closed",
      "+     sunday: closed",
      "+     holiday: closed",
      '-   - "02-23"',
      '+   - "2027-01-11"',
    ]);
    const renamed = patched(renameKey(DIRECTORY, ["url", "ok"], "odnoklassniki"));
    expect(lineDiff(DIRECTORY, renamed)).toEqual([
      "-   ok: https://ok.ru/gosuslugi",
      "+   odnoklassniki: https://ok.ru/gosuslugi",
    ]);
    expect(renameKey(DIRECTORY, ["url", "ok"], "vk")).toMatchObject({ ok: false });
    expect(renameKey(DIRECTORY, ["url", "nowhere"], "x")).toMatchObject({ ok: false });
  });

  it("refuses what it cannot write line by line, changing nothing", () => {
    expect(patchYaml("a: [1, 2]\n", (d) => void d.a.push(3))).toMatchObject({ ok: false });
    expect(
      patchYaml("a:\n  - 1\n", (d) => {
        d.a = [];
      }),
    ).toMatchObject({ ok: false });
    expect(
      patchYaml("a: |\n  x\n", (d) => {
        d.a = "y";
      }),
    ).toMatchObject({ ok: false });
    expect(patchYaml("a: [\n", () => {})).toMatchObject({ ok: false });
  });

  it("keeps Windows line endings and a missing final newline", () => {
    const source = "a:\r\n  - x\r\nb: 1";
    expect(patched(patchYaml(source, (d) => void d.a.push("y")))).toBe(
      "a:\r\n  - x\r\n  - y\r\nb: 1",
    );
    expect(
      patched(
        patchYaml(source, (d) => {
          d.c = "z";
        }),
      ),
    ).toBe("a:\r\n  - x\r\nb: 1\r\nc: z\r\n");
  });
});

describe("a new intent file", () => {
  it("is laid out as the others and passes kb check with the rest of the base", () => {
    const hotline = parse(HOTLINE);
    const text = newIntentFile({
      id: "contacts.fax",
      topic: "contacts",
      title: { ru: "Факс поддержки", en: "Support fax" },
      examples: {
        ru: hotline.examples.ru.map((e: string) => `факс ${e}`),
        en: hotline.examples.en.map((e: string) => `fax ${e}`),
      },
      answer: {
        ru: "Факса нет: звоните {{phone.hotline}}.",
        en: "No fax: call {{phone.hotline}}.",
      },
      links: [{ title: { ru: "Помощь", en: "Help" }, url: "{{url.help}}" }],
      follow_up: ["contacts.hotline"],
      about: "Whether support has a fax.",
    });
    expect(text.split("\n").slice(0, 7)).toEqual([
      "# Whether support has a fax.",
      "id: contacts.fax",
      "topic: contacts",
      "title:",
      "  ru: Факс поддержки",
      "  en: Support fax",
      "examples:",
    ]);
    expect(text).toContain(
      'answer:\n  ru: |\n    Факса нет: звоните {{phone.hotline}}.\n  en: |\n    No fax: call {{phone.hotline}}.\nlinks:\n  - title:\n      ru: Помощь\n      en: Help\n    url: "{{url.help}}"\nfollow_up:\n  - contacts.hotline\n',
    );
    const files = [...readKnowledgeFolder(INTENTS_DIR), { name: "contacts.fax.yaml", text }];
    const loaded = parseKnowledgeBase(files);
    expect(loaded.ok && loaded.kb.byId.get("contacts.fax")?.followUp).toEqual(["contacts.hotline"]);
  });
});
