import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditLog } from "../../../handoff/index.ts";
import { loadKnowledgeBase, readLabelled } from "../../../knowledge/index.ts";
import { DEFAULT_DEV_SET as DEV_SET } from "../../../web/console/config.ts";
import { studioPerTest } from "./studio-fixture.ts";

// The content studio's API: drafts checked as `kb check` checks, at their
// field; two editors never overwrite each other; only a publisher publishes,
// after seeing what changes; the files written keep everything else as it
// was; any publication can be undone.

const INTENT = "account.login_recovery";
const FILE = `${INTENT}.yaml`;

const studio = studioPerTest({ devSet: () => readLabelled(DEV_SET) });

describe("the content studio", () => {
  it("keeps a valid draft apart from the published file, with its preview filled for now", async () => {
    const { addStaff, signIn, folder } = await studio();
    await addStaff("eva", "editor", "Ева");
    const eva = await signIn("eva");
    const before = readFileSync(join(folder, FILE), "utf8");
    const opened = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    expect(opened.draft).toBeNull();
    expect(opened.references).toContain("{{phone.hotline}}");

    const ru = "Сбросьте пароль в <b>форме восстановления</b>. Телефон: {{phone.hotline}}.";
    const saved = await eva.post(`/api/content/intents/${INTENT}/answer`, {
      ru,
      en: opened.published.en,
      version: opened.version,
    });
    expect(saved.json()).toMatchObject({ ok: true });
    expect(saved.json().preview.ru).toMatch(
      /^Сбросьте пароль в <b>форме восстановления<\/b>\. Телефон: 8 /,
    );
    expect(readFileSync(join(folder, FILE), "utf8")).toBe(before);
    const again = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    expect(again.draft.ru.trimEnd()).toBe(ru);
    expect(again.draftBy.by).toBe("Ева");
    // The test pane's draft side answers with the draft; the published side as before.
    const drafted = (
      await eva.post("/api/content/try", { text: "забыл пароль от госуслуг" })
    ).json();
    expect(drafted.reply.html).toMatch(/^Сбросьте пароль в <b>форме восстановления<\/b>/);
    const live = (await eva.post("/api/try", { text: "забыл пароль от госуслуг" })).json();
    expect(live.reply.html).not.toContain("<b>форме восстановления</b>");
    const list = (await eva.get("/api/content/intents")).json().intents;
    expect(list.find((i: { id: string }) => i.id === INTENT).draft.by).toBe("Ева");
  });

  it("refuses an invalid answer at its field, and keeps nothing of it", async () => {
    const { addStaff, signIn, handoff } = await studio();
    await addStaff("eva", "editor");
    const eva = await signIn("eva");
    const { version, published } = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    const tries = [
      {
        ru: 'Откройте <a href="http://example.com/reset">форму</a>',
        field: "answer.ru",
        says: /official domain/,
      },
      { ru: "Позвоните {{phone.nowhere}}", field: "answer.ru", says: /phone\.nowhere/ },
      { ru: "Текст <b>без конца", field: "answer.ru", says: /./ },
      { ru: "   ", field: "answer.ru", says: /empty/ },
    ];
    for (const { ru, field, says } of tries) {
      const refused = await eva.post(`/api/content/intents/${INTENT}/answer`, {
        ru,
        en: published.en,
        version,
      });
      expect(refused.statusCode, ru).toBe(422);
      const issues: { field: string; message: string }[] = refused.json().issues;
      expect(
        issues.some((issue) => issue.field === field && says.test(issue.message)),
        JSON.stringify(issues),
      ).toBe(true);
      // The preview as one types says the same.
      const preview = (
        await eva.post(`/api/content/intents/${INTENT}/preview`, { ru, en: published.en })
      ).json();
      expect(preview.issues[0]?.field, ru).toBe(field);
    }
    expect(await handoff.repositories(handoff.db).content.list()).toEqual([]);
  });

  it("tells the second of two editors that the first saved, and overwrites nothing", async () => {
    const { addStaff, signIn, handoff } = await studio();
    await addStaff("eva", "editor", "Ева");
    await addStaff("ivan", "editor", "Иван");
    const [eva, ivan] = [await signIn("eva"), await signIn("ivan")];
    const seenByEva = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    const seenByIvan = (await ivan.get(`/api/content/intents/${INTENT}`)).json();
    const body = (ru: string, version: string) => ({ ru, en: seenByEva.published.en, version });
    expect(
      (
        await eva.post(
          `/api/content/intents/${INTENT}/answer`,
          body("Версия Евы.", seenByEva.version),
        )
      ).statusCode,
    ).toBe(200);
    const late = await ivan.post(
      `/api/content/intents/${INTENT}/answer`,
      body("Версия Ивана.", seenByIvan.version),
    );
    expect([late.statusCode, late.json().error, late.json().by.by]).toEqual([
      409,
      "changed",
      "Ева",
    ]);
    const kept = await handoff.repositories(handoff.db).content.get(FILE);
    expect(kept?.text).toContain("Версия Евы.");
    expect(kept?.text).not.toContain("Версия Ивана.");
  });

  it("keeps one of two saves sent at the same moment from the same version", async () => {
    const { addStaff, signIn, handoff } = await studio();
    await addStaff("eva", "editor", "Ева");
    await addStaff("ivan", "editor", "Иван");
    const [eva, ivan] = [await signIn("eva"), await signIn("ivan")];
    const { version, published } = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    for (let round = 0; round < 2; round++) {
      const current = (await eva.get(`/api/content/intents/${INTENT}`)).json().version;
      const answers = await Promise.all(
        [eva, ivan].map((editor, n) =>
          editor.post(`/api/content/intents/${INTENT}/answer`, {
            ru: `Ответ ${round}-${n}.`,
            en: published.en,
            version: round === 0 ? version : current,
          }),
        ),
      );
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
      const kept = await handoff.repositories(handoff.db).content.get(FILE);
      const winner = answers.findIndex((a) => a.statusCode === 200);
      expect(kept?.text).toContain(`Ответ ${round}-${winner}.`);
    }
  });

  it("adds and removes examples in the draft, one line each, and refuses what kb check would", async () => {
    const { addStaff, signIn, folder, handoff } = await studio();
    await addStaff("eva", "editor");
    const eva = await signIn("eva");
    const before = readFileSync(join(folder, FILE), "utf8");
    let { version, examples } = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    const change = async (body: object) => {
      const answer = await eva.post(`/api/content/intents/${INTENT}/examples`, {
        ...body,
        version,
      });
      if (answer.statusCode === 200) version = answer.json().version;
      return answer;
    };
    expect(
      (
        await change({
          change: "add",
          language: "ru",
          example: "не могу войти, пароль забыла совсем",
        })
      ).statusCode,
    ).toBe(200);
    const removed = examples.en[0];
    expect((await change({ change: "remove", language: "en", example: removed })).statusCode).toBe(
      200,
    );
    const opened = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    expect(opened.examples.ru.at(-1)).toBe("не могу войти, пароль забыла совсем");
    expect(opened.examples.en).not.toContain(removed);
    ({ examples } = opened);
    // The draft is the file with one line more and one line less.
    const draft = (await handoff.repositories(handoff.db).content.get(FILE))?.text ?? "";
    expect(draft.split("\n").length).toBe(before.split("\n").length);
    expect(before.split("\n").filter((line) => !draft.split("\n").includes(line))).toHaveLength(1);

    // An example another intent has already: a duplicate kb check refuses, at examples.
    const elsewhere = (await eva.get("/api/content/intents/contacts.hotline")).json().examples
      .ru[0];
    const duplicate = await change({ change: "add", language: "ru", example: elsewhere });
    expect(duplicate.statusCode).toBe(422);
    expect(
      duplicate.json().issues.some((i: { field: string }) => i.field.includes("examples")),
    ).toBe(true);
    const missing = await change({
      change: "remove",
      language: "ru",
      example: "такого примера нет",
    });
    expect([missing.statusCode, missing.json().issues[0].field]).toEqual([422, "examples.ru"]);
    expect((await eva.get(`/api/content/intents/${INTENT}`)).json().examples).toEqual(examples);
  });

  it("lets only a publisher publish: the changes shown first, then the file written with only the answer changed, then restored", async () => {
    const { addStaff, signIn, publisher, folder, handoff } = await studio();
    await addStaff("eva", "editor");
    const eva = await signIn("eva");
    const before = readFileSync(join(folder, FILE), "utf8");
    const opened = (await eva.get(`/api/content/intents/${INTENT}`)).json();
    const ru = "Новый ответ о пароле: {{phone.hotline}}.";
    await eva.post(`/api/content/intents/${INTENT}/answer`, {
      ru,
      en: opened.published.en,
      version: opened.version,
    });
    expect((await eva.post("/api/content/publish")).json().error).toBe("not_publisher");
    expect((await eva.get("/api/content/publish")).json().error).toBe("not_publisher");

    const pavel = await publisher("pavel");
    const plan = (await pavel.get("/api/content/publish")).json();
    expect(plan).toMatchObject({ ok: true, files: [FILE], issues: [] });
    expect(plan.before.questions).toBeGreaterThan(100);
    expect(plan.after.questions).toBe(plan.before.questions);
    expect(Array.isArray(plan.answersChanged)).toBe(true);

    const published = (await pavel.post("/api/content/publish")).json();
    expect(published.ok).toBe(true);
    const after = readFileSync(join(folder, FILE), "utf8");
    // Only the answer's lines differ: every other line, comments too, as it was.
    const removed = before.split("\n").filter((line) => !after.split("\n").includes(line));
    const added = after.split("\n").filter((line) => !before.split("\n").includes(line));
    expect(added).toEqual([`    ${ru}`]);
    expect(
      removed.every((line) => line.startsWith("    ") && !line.trimStart().startsWith("-")),
    ).toBe(true);
    expect(removed.length).toBe(4);
    // The folder as published passes `kb check`.
    const loaded = loadKnowledgeBase(folder);
    expect(loaded.ok && loaded.kb.byId.get(INTENT)?.answer.ru.trimEnd()).toBe(ru);
    expect((await pavel.post("/api/content/publish")).json().error).toBe("nothing_to_publish");

    // Another editor's draft of another file meanwhile: a restore leaves it.
    const other = (await eva.get("/api/content/intents/contacts.hotline")).json();
    await eva.post("/api/content/intents/contacts.hotline/answer", {
      ru: "Горячая линия: {{phone.hotline}}.",
      en: other.published.en,
      version: other.version,
    });
    // Restored: the file as it was, recorded as a publication of its own.
    const restored = (
      await pavel.post(`/api/content/publications/${published.publication}/restore`)
    ).json();
    expect(restored.ok).toBe(true);
    expect(readFileSync(join(folder, FILE), "utf8")).toBe(before);
    expect((await handoff.repositories(handoff.db).content.list()).map((d) => d.file)).toEqual([
      "contacts.hotline.yaml",
    ]);
    const history = (await eva.get("/api/content/publications")).json().publications;
    expect(history.map((p: { id: number; restores: number | null }) => [p.id, p.restores])).toEqual(
      [
        [restored.publication, published.publication],
        [published.publication, null],
      ],
    );
    expect(
      (await eva.post(`/api/content/publications/${published.publication}/restore`)).json().error,
    ).toBe("not_publisher");
    // Who changed what, in the audit log, as done in the web console.
    const audited = (await createAuditLog(handoff.db).entries())
      .filter((e) => e.action.startsWith("kb_"))
      .map((e) => [e.action, e.staffId, e.via, e.details.restores ?? null]);
    const evaId = (await handoff.staff.byLogin("eva"))?.id;
    const pavelId = (await handoff.staff.byLogin("pavel"))?.id;
    expect(audited).toEqual([
      ["kb_draft", evaId, "web", null],
      ["kb_publish", pavelId, "web", null],
      ["kb_draft", evaId, "web", null],
      ["kb_publish", pavelId, "web", published.publication],
    ]);
  });
});
