import { describe, expect, it } from "vitest";
import { createAuditLog, createIncidents } from "../../../handoff/index.ts";
import { consolePerTest, TOTP_SECRET } from "./fixture.ts";

// The console's incidents: every staff member reads them; supervisors and
// publishers post, update and end them; bad input is said at its field and
// changes nothing.

const setUp = consolePerTest();

const SIGN_IN_DOWN = {
  noticeRu: "Вход на портал временно не работает <b>совсем</b>. Мы уже чиним.",
  noticeEn: "Signing in is down. We are fixing it.",
  broken: "вход через Госключ",
  expectedFix: "к 18:00",
  intents: ["tech.site_problems", "account.login_recovery"],
};

async function withStaff(options: Parameters<typeof setUp>[0] = {}) {
  const console = await setUp(options);
  await console.addSupervisor("vera", "Вера");
  await console.addStaff("olga", "operator", "Ольга");
  await console.addStaff("eva", "editor", "Ева");
  return {
    ...console,
    vera: await console.signInSupervisor("vera"),
    olga: await console.signIn("olga"),
    eva: await console.signIn("eva"),
    stored: () => createIncidents(console.db).active(),
  };
}

describe("the console's incidents", () => {
  it("are posted by a supervisor, audited, told to the bots and read by every role", async () => {
    let told = 0;
    const { vera, olga, eva, db } = await withStaff({ onIncidentsChanged: () => told++ });
    const posted = await vera.post("/api/incidents", SIGN_IN_DOWN);
    expect(posted.statusCode).toBe(200);
    const { incident } = posted.json();
    expect(incident).toMatchObject({
      noticeRu: SIGN_IN_DOWN.noticeRu,
      expectedFix: "к 18:00",
      postedByName: "Вера",
      intents: [
        { id: "tech.site_problems", title: "Сайт или приложение не работает" },
        { id: "account.login_recovery" },
      ],
      endedAt: null,
    });
    expect(told).toBe(1);
    const audit = (await createAuditLog(db).entries()).filter((e) =>
      e.action.startsWith("incident"),
    );
    expect(audit).toMatchObject([
      {
        action: "incident_post",
        details: { incident: incident.id, intents: SIGN_IN_DOWN.intents },
      },
    ]);
    for (const reader of [olga, eva, vera]) {
      const listed = (await reader.get("/api/incidents")).json();
      expect(listed.active.map((i: { id: number }) => i.id)).toEqual([incident.id]);
      expect(listed.mayChange).toBe(reader === vera);
    }
  });

  it("refuse operators and editors a change, on the server, and a request without its CSRF token", async () => {
    let told = 0;
    const { vera, olga, eva, app, stored } = await withStaff({ onIncidentsChanged: () => told++ });
    for (const who of [olga, eva]) {
      const refused = await who.post("/api/incidents", SIGN_IN_DOWN);
      expect([refused.statusCode, refused.json().error]).toEqual([403, "not_your_role"]);
    }
    const forged = await app.inject({
      method: "POST",
      url: "/api/incidents",
      headers: {
        cookie: `${vera.cookie.name}=${vera.cookie.value}`,
        origin: "http://console.test",
      },
      payload: SIGN_IN_DOWN,
    });
    expect([forged.statusCode, forged.json().error]).toEqual([403, "csrf"]);
    expect(await stored()).toEqual([]);
    const { incident } = (await vera.post("/api/incidents", SIGN_IN_DOWN)).json();
    for (const path of [`/api/incidents/${incident.id}`, `/api/incidents/${incident.id}/end`]) {
      expect((await olga.post(path, SIGN_IN_DOWN)).statusCode).toBe(403);
    }
    expect((await stored()).map((i) => i.endedAt)).toEqual([null]);
    expect(told).toBe(1);
  });

  it("let a publisher post too", async () => {
    const { addStaff, accounts, signIn, totp, stored } = await withStaff();
    const id = await addStaff("pavel", "publisher", "Павел");
    await accounts.setTotp(id, TOTP_SECRET, true);
    const pavel = await signIn("pavel", await totp({ secret: TOTP_SECRET }));
    expect((await pavel.post("/api/incidents", SIGN_IN_DOWN)).statusCode).toBe(200);
    expect((await stored()).map((i) => i.postedBy)).toEqual([id]);
  });

  it("say each problem at its field with 422 and store nothing", async () => {
    let told = 0;
    const { vera, stored } = await withStaff({ onIncidentsChanged: () => told++ });
    const fields = async (body: object) => {
      const answer = await vera.post("/api/incidents", body);
      expect([answer.statusCode, answer.json().error]).toEqual([422, "invalid"]);
      return answer.json().issues.map((i: { field: string }) => i.field);
    };
    expect(await fields({ ...SIGN_IN_DOWN, noticeRu: "   " })).toEqual(["noticeRu"]);
    expect(await fields({ ...SIGN_IN_DOWN, noticeEn: "x".repeat(501) })).toEqual(["noticeEn"]);
    expect(await fields({ ...SIGN_IN_DOWN, broken: "" })).toEqual(["broken"]);
    expect(await fields({ ...SIGN_IN_DOWN, intents: [] })).toEqual(["intents"]);
    expect(await fields({ ...SIGN_IN_DOWN, intents: ["tech.no_such_thing"] })).toEqual(["intents"]);
    expect(await fields({ ...SIGN_IN_DOWN, since: Date.now() + 3_600_000 })).toEqual(["since"]);
    expect(await fields({ ...SIGN_IN_DOWN, since: "вчера" })).toEqual(["since"]);
    expect(await fields({ noticeRu: 5 })).toEqual(
      expect.arrayContaining(["noticeRu", "broken", "intents"]),
    );
    const unknown = (
      await vera.post("/api/incidents", { ...SIGN_IN_DOWN, intents: ["x.y"] })
    ).json();
    expect(unknown.issues[0].message).toBe("Нет таких тем: x.y");
    expect(await stored()).toEqual([]);
    expect(told).toBe(0);
  });

  it("are updated while active and ended once; an ended one changes no more", async () => {
    let told = 0;
    const { vera, stored, db } = await withStaff({ onIncidentsChanged: () => told++ });
    const { incident } = (await vera.post("/api/incidents", SIGN_IN_DOWN)).json();
    const updated = await vera.post(`/api/incidents/${incident.id}`, {
      ...SIGN_IN_DOWN,
      noticeEn: "",
      expectedFix: "",
      intents: ["tech.site_problems"],
    });
    expect(updated.json().incident).toMatchObject({
      noticeEn: null,
      expectedFix: null,
      updatedByName: "Вера",
      intents: [{ id: "tech.site_problems" }],
    });
    // An update may keep its start however long ago it was; a new one must be recent.
    const monthAgo = Date.now() - 40 * 86_400_000;
    await db.run("UPDATE incidents SET since = ? WHERE id = ?", [monthAgo, incident.id]);
    const kept = await vera.post(`/api/incidents/${incident.id}`, {
      ...SIGN_IN_DOWN,
      since: monthAgo,
    });
    expect(kept.json().incident.since).toBe(monthAgo);
    const moved = await vera.post(`/api/incidents/${incident.id}`, {
      ...SIGN_IN_DOWN,
      since: monthAgo - 60_000,
    });
    expect([moved.statusCode, moved.json().issues[0].field]).toEqual([422, "since"]);
    const ended = await vera.post(`/api/incidents/${incident.id}/end`);
    expect(ended.json().incident).toMatchObject({ endedByName: "Вера" });
    expect(await stored()).toEqual([]);
    const again = await vera.post(`/api/incidents/${incident.id}/end`);
    expect([again.statusCode, again.json().error]).toEqual([409, "ended"]);
    const late = await vera.post(`/api/incidents/${incident.id}`, SIGN_IN_DOWN);
    expect([late.statusCode, late.json().error]).toEqual([409, "ended"]);
    expect((await vera.post("/api/incidents/999/end")).statusCode).toBe(404);
    const listed = (await vera.get("/api/incidents")).json();
    expect(listed.ended.map((i: { id: number }) => i.id)).toEqual([incident.id]);
    expect(told).toBe(4);
    const actions = (await createAuditLog(db).entries())
      .map((e) => e.action)
      .filter((a) => a.startsWith("incident"));
    expect(actions).toEqual([
      "incident_post",
      "incident_update",
      "incident_update",
      "incident_end",
    ]);
  });

  it("are on every ticket an operator opens, those about the ticket first", async () => {
    const { vera, olga, waitingTicket } = await withStaff();
    const other = (
      await vera.post("/api/incidents", {
        ...SIGN_IN_DOWN,
        broken: "налоги",
        intents: ["dept.tax"],
      })
    ).json().incident;
    const about = (await vera.post("/api/incidents", SIGN_IN_DOWN)).json().incident;
    const id = await waitingTicket();
    const ticket = (await olga.get(`/api/tickets/${id}`)).json();
    expect(ticket.incidents).toEqual([
      {
        id: about.id,
        broken: "вход через Госключ",
        notice: SIGN_IN_DOWN.noticeRu,
        since: about.since,
        expectedFix: "к 18:00",
        concernsTicket: true,
      },
      expect.objectContaining({ id: other.id, concernsTicket: false }),
    ]);
    await vera.post(`/api/incidents/${about.id}/end`);
    await vera.post(`/api/incidents/${other.id}/end`);
    expect((await olga.get(`/api/tickets/${id}`)).json().incidents).toEqual([]);
  });
});

describe("the test pane during an incident", () => {
  it("shows the notice where the bot would say it: first in an answer, or in place of an escalation, and none once ended", async () => {
    const { vera, olga } = await withStaff();
    const tried = async (text: string) => (await olga.post("/api/try", { text })).json();
    expect((await tried("сайт госуслуг не открывается")).incidents).toBeNull();
    const { incident } = (await vera.post("/api/incidents", SIGN_IN_DOWN)).json();

    // Answered with an intent it concerns: the notice first.
    const answered = await tried("сайт госуслуг не открывается");
    expect(answered.reply).toMatchObject({ kind: "answer", intent: "tech.site_problems" });
    expect(answered.incidents).toEqual({
      how: "first",
      notices: [
        {
          id: incident.id,
          broken: SIGN_IN_DOWN.broken,
          notice: SIGN_IN_DOWN.noticeRu,
          expectedFix: SIGN_IN_DOWN.expectedFix,
        },
      ],
    });
    // A question it would escalate, whose best guess the incident concerns: the notice instead.
    expect((await tried("госуслуги не работают?")).reply.kind).not.toBe("answer");
    expect((await tried("госуслуги не работают?")).incidents?.how).toBe("instead");
    // In English, the English notice.
    const english = await tried("the gosuslugi website is not loading");
    expect(english.incidents?.notices[0]?.notice).toBe(SIGN_IN_DOWN.noticeEn);
    // An intent it does not concern, and an out-of-scope question: nothing.
    expect((await tried("телефон горячей линии")).incidents).toBeNull();
    expect((await tried("как приготовить борщ")).incidents).toBeNull();

    await vera.post(`/api/incidents/${incident.id}/end`);
    expect((await tried("сайт госуслуг не открывается")).incidents).toBeNull();
  });
});
