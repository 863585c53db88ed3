import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditLog, ERASED_TEXT, type QuestionRecord } from "../../../handoff/index.ts";
import { knowledge } from "./fixture.ts";
import { studioPerTest } from "./studio-fixture.ts";

// Learning from what went unanswered, in the console: the clusters of
// `kb unanswered` with their questions, added as examples to an intent's
// draft, called a new topic or ignored, and undone; operators' suggestions
// accepted into a draft or rejected. Only stored (masked) text is shown,
// and nothing the retention purge erased.

const INTENT = "account.login_recovery";
const FILE = `${INTENT}.yaml`;
/** Questions the published knowledge base escalates, nearest to INTENT. */
const ROTTEN = ["пароль протух", "протух пароль от кабинета", "пароль протух после отпуска"];

const studio = studioPerTest();

async function learning() {
  const console = await studio();
  const repos = console.handoff.repositories(console.handoff.db);
  let chat = 700;
  /** A citizen's question as the bot records it. */
  const asked = async (text: string, decision: QuestionRecord["decision"] = "escalate") => {
    chat += 1;
    await repos.store.recordQuestion({
      chatId: chat,
      text,
      language: /[a-z]/i.test(text) && !/[а-я]/i.test(text) ? "en" : "ru",
      decision,
      intent: null,
      confidence: 0.2,
      candidates: [],
    });
  };
  const editor = async () => {
    await console.addStaff("eva", "editor", "Ева");
    return console.signIn("eva");
  };
  return { ...console, repos, asked, editor };
}

interface Wording {
  id: number;
  text: string;
  count: number;
}
interface Cluster {
  count: number;
  nearest: { intent: string } | null;
  wordings: Wording[];
}
/** An example of another intent: as an example of INTENT, a duplicate (kb check's error). */
const hotlineExample = () => knowledge.kb.byId.get("contacts.hotline")?.examples.ru[0] as string;

const clusterWith = (clusters: Cluster[], text: string) =>
  clusters.find((c) => c.wordings.some((w) => w.text === text));

describe("the unanswered questions' page", () => {
  it("adds a cluster's chosen wordings to the nearest intent's draft, and the draft then answers them", async () => {
    const { asked, editor, folder, repos, handoff } = await learning();
    for (const text of [...ROTTEN, "пароль протух"]) await asked(text);
    await asked("какая погода в москве завтра");
    const eva = await editor();
    const before = readFileSync(join(folder, FILE), "utf8");
    const page = (await eva.get("/api/content/unanswered?days=7")).json();
    expect(page.questions).toBe(5);
    const cluster = clusterWith(page.clusters, "пароль протух") as Cluster;
    expect(cluster.nearest?.intent).toBe(INTENT);
    expect(cluster.count).toBe(4);
    expect(cluster.wordings.find((w) => w.text === "пароль протух")?.count).toBe(2);
    expect(clusterWith(page.clusters, "какая погода в москве завтра")?.nearest).toBeNull();
    const asDraft = async () =>
      (await eva.post("/api/content/try", { text: "пароль протух" })).json().decision;
    expect(await asDraft()).toMatchObject({ kind: "escalate" });

    const added = await eva.post("/api/content/unanswered/decisions", {
      kind: "added",
      intent: INTENT,
      wordings: cluster.wordings.map((w) => w.id),
    });
    expect(added.json()).toMatchObject({ ok: true });
    expect(
      added
        .json()
        .added.map((e: { text: string }) => e.text)
        .sort(),
    ).toEqual([...ROTTEN].sort());
    // Into the draft, not the published file.
    expect(readFileSync(join(folder, FILE), "utf8")).toBe(before);
    const draft = (await repos.content.get(FILE))?.text ?? "";
    for (const text of ROTTEN) expect(draft).toContain(`- ${text}\n`);
    expect(await asDraft()).toMatchObject({ kind: "answer", intent: INTENT });

    // The cluster leaves the page; the decision is listed, with who made it.
    const after = (await eva.get("/api/content/unanswered")).json();
    expect(clusterWith(after.clusters, "пароль протух")).toBeUndefined();
    expect(after.questions).toBe(1);
    expect(after.decisions[0]).toMatchObject({
      kind: "added",
      intent: INTENT,
      questions: 4,
      by: "Ева",
    });
    const audited = (await createAuditLog(handoff.db).entries())
      .filter((e) => e.action.startsWith("kb_"))
      .map((e) => [e.action, e.details.kind ?? e.details.files]);
    expect(audited).toEqual([
      ["kb_draft", [FILE]],
      ["kb_unanswered", "added"],
    ]);
  });

  it("undoes an addition: the examples leave the draft and the questions come back", async () => {
    const { asked, editor, repos } = await learning();
    for (const text of ROTTEN) await asked(text);
    const eva = await editor();
    const cluster = clusterWith(
      (await eva.get("/api/content/unanswered")).json().clusters,
      ROTTEN[0] as string,
    ) as Cluster;
    const { decision } = (
      await eva.post("/api/content/unanswered/decisions", {
        kind: "added",
        intent: INTENT,
        wordings: [cluster.wordings[0]?.id],
      })
    ).json();
    const example = cluster.wordings[0]?.text as string;
    expect((await repos.content.get(FILE))?.text).toContain(`- ${example}\n`);

    const undone = await eva.post(`/api/content/unanswered/decisions/${decision}/undo`);
    expect(undone.json()).toEqual({ ok: true, removed: 1 });
    expect((await repos.content.get(FILE))?.text).not.toContain(`- ${example}\n`);
    const page = (await eva.get("/api/content/unanswered")).json();
    expect(clusterWith(page.clusters, example)?.count).toBe(3);
    expect(page.decisions[0]).toMatchObject({ id: decision, undoneBy: "Ева" });
    // Once is enough.
    const again = await eva.post(`/api/content/unanswered/decisions/${decision}/undo`);
    expect(again.statusCode).toBe(409);
  });

  it("ignores a cluster, and the same question asked again stays ignored until undone", async () => {
    const { asked, editor } = await learning();
    await asked("какая погода в москве завтра");
    await asked("какая погода в москве завтра");
    const eva = await editor();
    const [cluster] = (await eva.get("/api/content/unanswered")).json().clusters as Cluster[];
    const ignored = await eva.post("/api/content/unanswered/decisions", {
      kind: "ignored",
      cluster: cluster?.wordings[0]?.id,
    });
    expect(ignored.json()).toMatchObject({ ok: true });
    await asked("какая погода в москве завтра");
    expect((await eva.get("/api/content/unanswered")).json().clusters).toEqual([]);

    await eva.post(`/api/content/unanswered/decisions/${ignored.json().decision}/undo`);
    const back = (await eva.get("/api/content/unanswered")).json().clusters as Cluster[];
    expect(back[0]?.count).toBe(3);
  });

  it("takes a whole cluster of a busy day in one decision, named by one of its questions", async () => {
    const { asked, editor, repos } = await learning();
    // More than one batch of marks (500), from a page that sends one id.
    for (let i = 0; i < 1_100; i++) await asked(i % 2 ? "Госуслуги лежат!!" : "госуслуги лежат");
    const eva = await editor();
    const [cluster] = (await eva.get("/api/content/unanswered")).json().clusters as Cluster[];
    expect(cluster?.count).toBe(1_100);
    const ignored = await eva.post("/api/content/unanswered/decisions", {
      kind: "ignored",
      cluster: cluster?.wordings[0]?.id,
    });
    expect(ignored.json()).toMatchObject({ ok: true });
    expect((await repos.unanswered.recent(1))[0]?.questions).toBe(1_100);
    expect((await eva.get("/api/content/unanswered")).json().clusters).toEqual([]);
  });

  it("marks a new topic, which leaves the page like an ignored one", async () => {
    const { asked, editor } = await learning();
    await asked("как оформить пропуск на парковку у мфц");
    const eva = await editor();
    const [cluster] = (await eva.get("/api/content/unanswered")).json().clusters as Cluster[];
    const marked = await eva.post("/api/content/unanswered/decisions", {
      kind: "new_topic",
      cluster: cluster?.wordings[0]?.id,
    });
    expect(marked.json()).toMatchObject({ ok: true });
    const page = (await eva.get("/api/content/unanswered")).json();
    expect(page.clusters).toEqual([]);
    expect(page.decisions[0]).toMatchObject({ kind: "new_topic", questions: 1 });
  });

  it("takes an example's text from the stored question, its personal data's placeholder left out", async () => {
    const { asked, editor, repos } = await learning();
    await asked("пароль протух мой номер [телефон]");
    const eva = await editor();
    const [cluster] = (await eva.get("/api/content/unanswered")).json().clusters as Cluster[];
    expect(cluster?.wordings[0]?.text).toBe("пароль протух мой номер [телефон]");
    const added = await eva.post("/api/content/unanswered/decisions", {
      kind: "added",
      intent: INTENT,
      wordings: [cluster?.wordings[0]?.id],
    });
    expect(added.json().added).toEqual([{ language: "ru", text: "пароль протух мой номер" }]);
    expect((await repos.content.get(FILE))?.text).toContain("- пароль протух мой номер\n");
  });

  it("refuses forged questions, an unknown intent and a duplicate of another intent's example, saving nothing", async () => {
    const { asked, editor, repos } = await learning();
    await asked("пароль протух");
    const eva = await editor();
    const [cluster] = (await eva.get("/api/content/unanswered")).json().clusters as Cluster[];
    const id = cluster?.wordings[0]?.id as number;
    // An id no open question has: nothing is decided.
    for (const forged of [
      { kind: "ignored", cluster: 999_999 },
      { kind: "added", intent: INTENT, wordings: [999_999] },
    ]) {
      const refused = await eva.post("/api/content/unanswered/decisions", forged);
      expect(refused.json()).toMatchObject({ ok: false, error: "no_questions" });
    }
    const unknown = await eva.post("/api/content/unanswered/decisions", {
      kind: "added",
      intent: "account.nowhere",
      wordings: [id],
    });
    expect(unknown.json()).toMatchObject({ ok: false, error: "unknown_intent" });
    const malformed = await eva.post("/api/content/unanswered/decisions", {
      kind: "added",
      intent: INTENT,
    });
    expect(malformed.statusCode).toBe(400);

    // A question that is already an example of another intent.
    const example = hotlineExample();
    await asked(example);
    const page = (await eva.get("/api/content/unanswered")).json();
    const theirs = clusterWith(page.clusters, example) as Cluster;
    const duplicate = await eva.post("/api/content/unanswered/decisions", {
      kind: "added",
      intent: INTENT,
      wordings: theirs.wordings.filter((w) => w.text === example).map((w) => w.id),
    });
    expect(duplicate.statusCode).toBe(422);
    expect(duplicate.json().issues.length).toBeGreaterThan(0);
    expect(await repos.content.list()).toEqual([]);
    expect(await repos.unanswered.recent(10)).toEqual([]);
  });

  it("shows nothing the retention purge erased", async () => {
    const { asked, editor, handoff } = await learning();
    await asked("пароль протух");
    await asked("сгорел пароль от гос услуг");
    await handoff.db.run("UPDATE questions SET text = ? WHERE text = ?", [
      ERASED_TEXT,
      "пароль протух",
    ]);
    const eva = await editor();
    const page = (await eva.get("/api/content/unanswered")).json();
    expect(page.erased).toBe(1);
    expect(JSON.stringify(page.clusters)).not.toContain("протух");
    expect(JSON.stringify(page.clusters)).not.toContain(ERASED_TEXT);
  });

  it("is content staff's: an operator is refused", async () => {
    const { addStaff, signIn } = await learning();
    await addStaff("olga", "operator");
    const olga = await signIn("olga");
    expect((await olga.get("/api/content/unanswered")).statusCode).toBe(403);
    expect((await olga.get("/api/content/suggestions")).statusCode).toBe(403);
    const decided = await olga.post("/api/content/unanswered/decisions", {
      kind: "ignored",
      cluster: 1,
    });
    expect(decided.statusCode).toBe(403);
  });
});

describe("operators' suggestions in the console", () => {
  async function suggesting() {
    const setUp = await learning();
    const { repos, addStaff } = setUp;
    const operator = await addStaff("olga", "operator", "Ольга");
    let chat = 900;
    const suggest = async (question: string, intent: string | null) => {
      chat += 1;
      const opened = await repos.tickets.openTicket({
        chatId: chat,
        language: "ru",
        question,
        topIntents: [],
      });
      if (!opened.ok) throw new Error("no ticket");
      const recorded = await repos.suggestions.record({
        ticketId: opened.ticket.id,
        question,
        language: "ru",
        intent,
        operatorId: operator,
      });
      if (!recorded.ok) throw new Error("not recorded");
      return recorded.suggestion.id;
    };
    return { ...setUp, suggest };
  }

  it("lists pending suggestions with the ticket's question and the operator's choice, and accepts one into the draft", async () => {
    const { suggest, editor, repos, folder } = await suggesting();
    const id = await suggest("пароль протух", INTENT);
    const eva = await editor();
    const listed = (await eva.get("/api/content/suggestions")).json().suggestions;
    expect(listed).toEqual([
      expect.objectContaining({
        id,
        question: "пароль протух",
        intent: INTENT,
        operator: "Ольга",
        state: "pending",
      }),
    ]);
    const before = readFileSync(join(folder, FILE), "utf8");
    const accepted = await eva.post(`/api/content/suggestions/${id}/accept`, {});
    expect(accepted.json()).toMatchObject({
      ok: true,
      added: [{ language: "ru", text: "пароль протух" }],
    });
    expect(readFileSync(join(folder, FILE), "utf8")).toBe(before);
    expect((await repos.content.get(FILE))?.text).toContain("- пароль протух\n");
    expect((await repos.suggestions.get(id))?.state).toBe("accepted");
    expect((await eva.get("/api/content/suggestions")).json().suggestions).toEqual([]);
    const all = (await eva.get("/api/content/suggestions?all=1")).json().suggestions;
    expect(all[0]).toMatchObject({ id, state: "accepted" });
    // Twice is refused.
    expect((await eva.post(`/api/content/suggestions/${id}/accept`, {})).statusCode).toBe(409);
  });

  it("needs an intent chosen for a new topic, and takes the editor's choice over the operator's", async () => {
    const { suggest, editor, repos } = await suggesting();
    const id = await suggest("сгорел пароль от гос услуг", null);
    const eva = await editor();
    const refused = await eva.post(`/api/content/suggestions/${id}/accept`, {});
    expect(refused.json()).toMatchObject({ ok: false, error: "new_topic" });
    expect((await repos.suggestions.get(id))?.state).toBe("pending");
    const accepted = await eva.post(`/api/content/suggestions/${id}/accept`, { intent: INTENT });
    expect(accepted.json()).toMatchObject({ ok: true });
    expect((await repos.content.get(FILE))?.text).toContain("- сгорел пароль от гос услуг\n");
  });

  it("rejects one, and a suggestion that would break the knowledge base stays pending", async () => {
    const { suggest, editor, repos } = await suggesting();
    const rejected = await suggest("пароль протух", INTENT);
    const eva = await editor();
    expect((await eva.post(`/api/content/suggestions/${rejected}/reject`)).json()).toEqual({
      ok: true,
    });
    expect((await repos.suggestions.get(rejected))?.state).toBe("rejected");
    expect((await eva.post(`/api/content/suggestions/${rejected}/reject`)).statusCode).toBe(409);
    expect((await eva.post("/api/content/suggestions/999999/reject")).statusCode).toBe(404);

    const duplicate = await suggest(hotlineExample(), INTENT);
    const refused = await eva.post(`/api/content/suggestions/${duplicate}/accept`, {});
    expect(refused.statusCode).toBe(422);
    expect((await repos.suggestions.get(duplicate))?.state).toBe("pending");
    expect(await repos.content.list()).toEqual([]);
  });
});
