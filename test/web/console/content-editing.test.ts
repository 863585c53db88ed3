import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKnowledgeBase } from "../../../knowledge/index.ts";
import { lineDiff } from "../../line-diff.ts";
import { studioPerTest } from "./studio-fixture.ts";

// The rest of an intent's editing in the studio, and the directory's: each
// edit a draft that changes only its lines, refused at its field when `kb
// check` would refuse it (nothing kept), conditional on the version the
// editor started from; a new intent is a new file's draft, published and
// restored (removed) like any other.

const INTENT = "contacts.hotline";
const FILE = `${INTENT}.yaml`;
const LINK = { title: { ru: "Помощь на портале", en: "Portal help" }, url: "{{url.help}}" };

const setUp = studioPerTest();

async function studio() {
  const console = await setUp();
  await console.addStaff("eva", "editor", "Ева");
  const eva = await console.signIn("eva");
  const publisher = () => console.publisher("pavel", "Павел");
  const drafts = () => console.handoff.repositories(console.handoff.db).content;
  const published = (file: string) => readFileSync(join(console.folder, file), "utf8");
  return { ...console, eva, publisher, drafts, published };
}

type Issue = { field: string; message: string };
type Response = { statusCode: number; json: () => { issues?: Issue[] } };
const issuesOf = (response: Response) => response.json().issues ?? [];

/** A 422 with an issue at `field` that says `says` (the fix). */
function expectRefusedAt(refused: Response, field: string, says: RegExp, sent: object) {
  const said = `${JSON.stringify(sent)}: ${JSON.stringify(issuesOf(refused))}`;
  expect(refused.statusCode, said).toBe(422);
  expect(
    issuesOf(refused).some((i) => i.field === field && says.test(i.message)),
    said,
  ).toBe(true);
}

describe("editing an intent's titles, links and follow-ups", () => {
  it("saves them as a draft that differs from the file only in their lines", async () => {
    const { eva, drafts, published } = await studio();
    const opened = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    expect(opened.fields).toMatchObject({
      title: { ru: "Телефон горячей линии", en: "Support hotline number" },
      topic: "contacts",
      links: [LINK],
      follow_up: ["hours.schedule", "contacts.abroad", "contacts.all_channels"],
      escalate: false,
    });
    const saved = await eva.post(`/api/content/intents/${INTENT}/fields`, {
      title: { ru: "Горячая линия", en: "Support hotline number" },
      links: [LINK, { title: { ru: "Портал", en: "Portal" }, url: "https://www.gosuslugi.ru" }],
      follow_up: ["hours.schedule", "contacts.email"],
      version: opened.version,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const draft = (await drafts().get(FILE))?.text ?? "";
    expect(lineDiff(published(FILE), draft)).toEqual([
      "-   ru: Телефон горячей линии",
      "+   ru: Горячая линия",
      "+   - title:",
      "+       ru: Портал",
      "+       en: Portal",
      "+     url: https://www.gosuslugi.ru",
      "-   - contacts.abroad",
      "-   - contacts.all_channels",
      "+   - contacts.email",
    ]);
    const again = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    expect(again.fields.follow_up).toEqual(["hours.schedule", "contacts.email"]);
    expect(again.version).toBe(saved.json().version);
    // The editor's old version is stale now: told, not overwritten.
    const stale = await eva.post(`/api/content/intents/${INTENT}/fields`, {
      topic: "account",
      version: opened.version,
    });
    expect([stale.statusCode, stale.json().error, stale.json().by.by]).toEqual([
      409,
      "changed",
      "Ева",
    ]);
    expect((await drafts().get(FILE))?.text).toBe(draft);
  });

  it("refuses a broken link, an unknown follow-up, an empty title at their fields, keeping nothing", async () => {
    const { eva, drafts } = await studio();
    const { version } = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    const link = (url: string) => [LINK, { title: { ru: "Ссылка", en: "Link" }, url }];
    const tries: [object, string, RegExp][] = [
      [
        { links: link("http://www.gosuslugi.ru/help") },
        "links.1.url",
        /https:\/\/ link on an official domain \(gosuslugi\.ru/,
      ],
      [{ links: link("портал госуслуг") }, "links.1.url", /must be an https:\/\/ link/],
      [{ links: link("https://example.com/help") }, "links.1.url", /official domain/],
      [
        { links: link("{{url.nowhere}}") },
        "links.1.url",
        /url\.nowhere\}\} is not in _directory\.yaml/,
      ],
      [{ links: link("") }, "links.1.url", /must not be empty/],
      [{ links: [LINK, LINK, LINK, LINK, LINK] }, "links", /at most 4/],
      [
        { links: [{ title: { ru: "", en: "Help" }, url: "{{url.help}}" }] },
        "links.0.title.ru",
        /empty/,
      ],
      [{ follow_up: ["hours.schedule", "hours.nowhere"] }, "follow_up.1", /not another intent/],
      [{ follow_up: [INTENT] }, "follow_up.0", /not another intent/],
      [{ title: { ru: " ", en: "Hotline" } }, "title.ru", /must not be empty/],
      [{ topic: "weather" }, "topic", /topic must be one of/],
    ];
    for (const [fields, field, says] of tries) {
      const refused = await eva.post(`/api/content/intents/${INTENT}/fields`, {
        ...fields,
        version,
      });
      expectRefusedAt(refused, field, says, fields);
    }
    expect(await drafts().list()).toEqual([]);
    expect((await eva.post(`/api/content/intents/${INTENT}/fields`, { version })).statusCode).toBe(
      400,
    );
    expect(
      (await eva.post("/api/content/intents/hours.nowhere/fields", { version, topic: "account" }))
        .statusCode,
    ).toBe(404);
  });
});

describe("an example's lint before saving", () => {
  it("says a near-duplicate's warning when only checking, saving nothing; saved, it says it again", async () => {
    const { eva, drafts } = await studio();
    const { version } = (await eva.get("/api/content/intents/account.login_recovery")).json();
    const body = {
      change: "add",
      language: "ru",
      example: "какой номер горячей линии госуслуг для пенсионеров",
      version,
    };
    const checked = await eva.post("/api/content/intents/account.login_recovery/examples", {
      ...body,
      check: true,
    });
    expect(checked.json()).toMatchObject({ ok: true, checked: true });
    const warnings: Issue[] = checked.json().warnings;
    expect(
      warnings.some((w) => /nearly the same as "какой номер горячей линии/.test(w.message)),
    ).toBe(true);
    expect(await drafts().list()).toEqual([]);
    const saved = await eva.post("/api/content/intents/account.login_recovery/examples", body);
    expect(saved.json().warnings).toEqual(warnings);
    expect((await drafts().list()).map((d) => d.file)).toEqual(["account.login_recovery.yaml"]);
  });
});

describe("moving an example to another intent", () => {
  it("takes it out of one file and puts it last in the other, both drafts or neither", async () => {
    const { eva, drafts, published } = await studio();
    const from = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    const to = (await eva.get("/api/content/intents/contacts.abroad")).json();
    const example = "номер колл центра госуслуг";
    // The target changed since the editor looked at it: nothing is saved.
    const other = await eva.post("/api/content/intents/contacts.abroad/fields", {
      title: { ru: "Звонок из другой страны", en: to.fields.title.en },
      version: to.version,
    });
    expect(other.statusCode).toBe(200);
    const stale = await eva.post(`/api/content/intents/${INTENT}/examples`, {
      change: "move",
      language: "ru",
      example,
      to: "contacts.abroad",
      version: from.version,
      toVersion: to.version,
    });
    expect([stale.statusCode, stale.json().error]).toEqual([409, "changed"]);
    expect(await drafts().get(FILE)).toBeUndefined();

    const moved = await eva.post(`/api/content/intents/${INTENT}/examples`, {
      change: "move",
      language: "ru",
      example,
      to: "contacts.abroad",
      version: from.version,
      toVersion: other.json().version,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(lineDiff(published(FILE), (await drafts().get(FILE))?.text ?? "")).toEqual([
      `-     - ${example}`,
    ]);
    const abroad = (await drafts().get("contacts.abroad.yaml"))?.text ?? "";
    expect(lineDiff(published("contacts.abroad.yaml"), abroad)).toEqual([
      "-   ru: Звонок из-за границы",
      "+   ru: Звонок из другой страны",
      `+     - ${example}`,
    ]);
    const target = (await eva.get("/api/content/intents/contacts.abroad")).json();
    expect(target.examples.ru.at(-1)).toBe(example);
    // Nowhere to move it: said at the move's field.
    const nowhere = await eva.post(`/api/content/intents/${INTENT}/examples`, {
      change: "move",
      language: "ru",
      example: from.examples.ru[0],
      to: INTENT,
      version: moved.json().version,
    });
    expect([nowhere.statusCode, issuesOf(nowhere)[0]?.field]).toEqual([422, "move.to"]);
  });
});

/** A new intent's fields, with `ru` and `en` examples of a topic no intent has. */
function fax(ru = 25, en = 8) {
  const words = ["отправить", "послать", "передать", "прислать", "направить"];
  const where = ["поддержку", "госуслуги", "портал", "службу", "техподдержку"];
  return {
    id: "contacts.fax",
    topic: "contacts",
    title: { ru: "Факс поддержки", en: "Support fax" },
    answer: { ru: "Факса нет: звоните {{phone.hotline}}.", en: "No fax: call {{phone.hotline}}." },
    examples: {
      ru: Array.from(
        { length: ru },
        (_, i) => `можно ли ${words[i % 5]} факс в ${where[Math.floor(i / 5) % 5]}`,
      ),
      en: Array.from(
        { length: en },
        (_, i) =>
          `fax number ${["support", "portal", "helpdesk", "gosuslugi"][i % 4]} ${i < 4 ? "please" : "now"}`,
      ),
    },
    links: [LINK],
    follow_up: [INTENT],
    about: "Whether support takes a fax.",
  };
}

describe("creating an intent", () => {
  it("refuses too few examples, a bad or taken id, at their fields; keeps nothing", async () => {
    const { eva, drafts } = await studio();
    const few = await eva.post("/api/content/intents", fax(20, 8));
    expect(few.statusCode).toBe(422);
    expect(issuesOf(few)).toContainEqual({
      field: "examples.ru",
      message: "write at least 25 Russian examples",
    });
    for (const [id, says] of [
      ["Contacts.Fax", /group\.name/],
      ["fax", /group\.name/],
      [INTENT, /exists already/],
    ] as const) {
      const refused = await eva.post("/api/content/intents", { ...fax(), id });
      expect([refused.statusCode, issuesOf(refused)[0]?.field], id).toEqual([422, "id"]);
      expect(issuesOf(refused)[0]?.message).toMatch(says);
    }
    const badLink = await eva.post("/api/content/intents", {
      ...fax(),
      links: [{ title: LINK.title, url: "http://fax.example" }],
    });
    expect(issuesOf(badLink)[0]?.field).toBe("links.0.url");
    // An example another intent has already: a duplicate, refused.
    const copied = fax();
    copied.examples.ru[0] = "какой номер горячей линии госуслуг";
    expect((await eva.post("/api/content/intents", copied)).statusCode).toBe(422);
    expect(await drafts().list()).toEqual([]);
  });

  it("keeps a new file's draft, listed and opened like the others; published, it passes kb check; restored, it is gone", async () => {
    const { eva, drafts, folder, publisher } = await studio();
    const created = await eva.post("/api/content/intents", fax());
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().preview.ru).toMatch(/^Факса нет: звоните 8 800/);
    const text = (await drafts().get("contacts.fax.yaml"))?.text ?? "";
    expect(text.split("\n").slice(0, 3)).toEqual([
      "# Whether support takes a fax.",
      "id: contacts.fax",
      "topic: contacts",
    ]);
    // A second editor creating the same id: told a draft exists.
    expect(issuesOf(await eva.post("/api/content/intents", fax()))[0]?.message).toMatch(
      /a draft of contacts\.fax exists/,
    );
    const list = (await eva.get("/api/content/intents")).json().intents;
    expect(list.find((i: { id: string }) => i.id === "contacts.fax")).toMatchObject({
      title: "Факс поддержки",
      isNew: true,
      draft: { by: "Ева" },
    });
    const opened = (await eva.get("/api/content/intents/contacts.fax")).json();
    expect(opened).toMatchObject({ isNew: true, published: null, fields: { follow_up: [INTENT] } });
    expect(opened.examples.ru).toHaveLength(25);
    // Edited as any intent's draft.
    const titled = await eva.post("/api/content/intents/contacts.fax/fields", {
      title: { ru: "Факс", en: "Fax" },
      version: opened.version,
    });
    expect(titled.statusCode).toBe(200);

    // An editor cannot publish it; a publisher sees it among the files, and publishes.
    expect((await eva.post("/api/content/publish")).json().error).toBe("not_publisher");
    const pavel = await publisher();
    expect((await pavel.get("/api/content/publish")).json().files).toEqual(["contacts.fax.yaml"]);
    const done = (await pavel.post("/api/content/publish")).json();
    expect(done.ok).toBe(true);
    const loaded = loadKnowledgeBase(folder);
    expect(loaded.ok && loaded.kb.byId.get("contacts.fax")?.title.ru).toBe("Факс");
    expect(readFileSync(join(folder, "contacts.fax.yaml"), "utf8")).toBe(
      text.replace("  ru: Факс поддержки\n  en: Support fax\n", "  ru: Факс\n  en: Fax\n"),
    );
    // Undone: the file it created goes, and the folder passes kb check again.
    const restored = await pavel.post(`/api/content/publications/${done.publication}/restore`);
    expect(restored.statusCode, restored.body).toBe(200);
    expect(existsSync(join(folder, "contacts.fax.yaml"))).toBe(false);
    expect(loadKnowledgeBase(folder).ok).toBe(true);
    // And undoing the restore brings it back.
    const back = await pavel.post(
      `/api/content/publications/${restored.json().publication}/restore`,
    );
    expect(back.statusCode).toBe(200);
    expect(existsSync(join(folder, "contacts.fax.yaml"))).toBe(true);
  });

  it("discards a new intent's draft: it is no more in the list", async () => {
    const { eva, drafts } = await studio();
    await eva.post("/api/content/intents", fax());
    expect((await eva.post("/api/content/intents/contacts.fax/discard")).statusCode).toBe(200);
    expect(await drafts().list()).toEqual([]);
    const list = (await eva.get("/api/content/intents")).json().intents;
    expect(list.some((i: { id: string }) => i.id === "contacts.fax")).toBe(false);
    expect((await eva.get("/api/content/intents/contacts.fax")).statusCode).toBe(404);
  });
});

describe("editing the directory", () => {
  it("changes, adds and removes entries as a draft of their lines only", async () => {
    const { eva, drafts, published } = await studio();
    const opened = (await eva.get("/api/content/directory")).json();
    expect(opened.directory.phone.hotline.display).toBe("8 800 555-35-35");
    expect(opened.usage["phone.hotline"]).toContain(INTENT);
    expect(opened.usage["schedule.operators"]).toContain(INTENT);
    let { version } = opened;
    const change = async (body: object) => {
      const answer = await eva.post("/api/content/directory", { ...body, version });
      if (answer.statusCode === 200) version = answer.json().version;
      return answer;
    };
    const set = await change({
      change: "set",
      group: "phone",
      name: "hotline",
      value: { display: "8 800 100-70-10", note: "free from anywhere in Russia" },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(
      (await change({ change: "set", group: "email", name: "press", value: "press@gosuslugi.ru" }))
        .statusCode,
    ).toBe(200);
    expect((await change({ change: "remove", group: "url", name: "telegram" })).statusCode).toBe(
      200,
    );
    expect(
      (await change({ change: "holidays", holidays: [...opened.directory.holidays, "2027-01-11"] }))
        .statusCode,
    ).toBe(200);
    const draft = (await drafts().get("_directory.yaml"))?.text ?? "";
    expect(lineDiff(published("_directory.yaml"), draft)).toEqual([
      '-     display: "8 800 555-35-35"',
      '+     display: "8 800 100-70-10"',
      "+   press: press@gosuslugi.ru",
      "-   telegram: https://t.me/GosUslugiHelp",
      '+   - "2027-01-11"',
    ]);
    // The answers' preview fills the new number.
    const hotline = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    expect(hotline.preview.ru).toContain("8 800 100-70-10");
    expect(hotline.references).toContain("{{email.press}}");
  });

  it("refuses removing or renaming an entry an answer uses, naming the intents, and a bad value at its field", async () => {
    const { eva, drafts } = await studio();
    const { version } = (await eva.get("/api/content/directory")).json();
    const tries: [object, string, RegExp][] = [
      [
        { change: "remove", group: "phone", name: "hotline" },
        "phone.hotline",
        /contacts\.hotline.*use phone\.hotline/,
      ],
      [
        { change: "rename", group: "schedule", name: "operators", to: "desk" },
        "schedule.operators",
        /hours\.schedule/,
      ],
      [{ change: "remove", group: "phone", name: "nowhere" }, "phone.nowhere", /no phone\.nowhere/],
      [
        { change: "set", group: "url", name: "fax", value: "http://www.gosuslugi.ru/fax" },
        "url.fax",
        /https/,
      ],
      [
        { change: "set", group: "url", name: "shop", value: "https://shop.example.com" },
        "url.shop",
        /official domain/,
      ],
      [
        { change: "set", group: "email", name: "fax", value: "not an address" },
        "email.fax",
        /e-mail/,
      ],
      [
        { change: "set", group: "phone", name: "fax", value: { display: "" } },
        "phone.fax.display",
        /empty/,
      ],
      [
        {
          change: "set",
          group: "schedule",
          name: "operators",
          value: {
            timezone: "Europe/Moscow",
            weekdays: "8-20",
            saturday: "closed",
            sunday: "closed",
            holiday: "closed",
          },
        },
        "schedule.operators.weekdays",
        /HH:MM-HH:MM/,
      ],
      [{ change: "holidays", holidays: ["31-12"] }, "holidays.0", /MM-DD/],
    ];
    for (const [body, field, says] of tries) {
      const refused = await eva.post("/api/content/directory", { ...body, version });
      expectRefusedAt(refused, field, says, body);
    }
    expect(await drafts().list()).toEqual([]);
    // An entry no answer uses is renamed in place.
    const renamed = await eva.post("/api/content/directory", {
      change: "rename",
      group: "url",
      name: "telegram",
      to: "telegram_channel",
      version,
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const stale = await eva.post("/api/content/directory", {
      change: "set",
      group: "channel",
      name: "telegram",
      value: "@GosUslugi",
      version,
    });
    expect([stale.statusCode, stale.json().error]).toEqual([409, "changed"]);
  });

  it("is content staff's: an operator is refused every new route, an editor cannot publish", async () => {
    const { addStaff, signIn, eva } = await studio();
    await addStaff("olga", "operator");
    const olga = await signIn("olga");
    for (const [method, path] of [
      ["get", "/api/content/directory"],
      ["post", "/api/content/directory"],
      ["post", "/api/content/intents"],
      ["post", `/api/content/intents/${INTENT}/fields`],
      ["post", `/api/content/intents/${INTENT}/examples`],
    ] as const) {
      const refused = await olga[method](path);
      expect([path, refused.statusCode, refused.json().error]).toEqual([
        path,
        403,
        "not_your_role",
      ]);
    }
    expect((await eva.post("/api/content/publish")).json().error).toBe("not_publisher");
  });
});
