import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { renderAnswer } from "../../../knowledge/index.ts";
import { consolePerTest, knowledge, TOTP_SECRET } from "./fixture.ts";

// Content staff (editors, publishers) sign in to the same console but work
// on the knowledge base: the desk's pages and actions are not theirs, and
// the test pane is everyone's.

const setUp = consolePerTest();

describe("the console's content staff", () => {
  it("start an editor at the studio and refuse them the desk's API and actions", async () => {
    const { addStaff, addSupervisor, signIn, signInSupervisor, waitingTicket, handoff } =
      await setUp();
    const editorId = await addStaff("eva", "editor", "Ева");
    const eva = await signIn("eva");
    const page = await eva.get("/");
    expect([page.statusCode, page.headers.location]).toEqual([302, "/content"]);
    const id = await waitingTicket();
    for (const path of [
      "/api/queue",
      `/api/tickets/${id}`,
      "/api/dashboard",
      "/api/staff/on-shift",
    ]) {
      expect([path, (await eva.get(path)).json().error]).toEqual([path, "not_your_role"]);
    }
    for (const path of ["/api/shift", `/api/tickets/${id}/take`, "/api/take-next"]) {
      const refused = await eva.post(path, { on: true });
      expect([path, refused.statusCode, refused.json().error]).toEqual([
        path,
        403,
        "not_your_role",
      ]);
    }
    // Nor through the desk itself: an editor is not one of its staff.
    expect(await handoff.desk.staffPress(editorId, { kind: "take", ticketId: id })).toBeUndefined();
    expect(await handoff.staff.setShift(editorId, true)).toEqual({
      ok: false,
      reason: "not_staff",
    });
    expect((await handoff.tickets.ticket(id))?.state).toBe("waiting");
    expect((await eva.get("/api/me")).json()).toMatchObject({ ok: true, role: "editor" });
    // A supervisor's floor lists the desk's staff, not the editor.
    await addSupervisor("vera", "Вера");
    const vera = await signInSupervisor("vera");
    const floor = (await vera.get("/api/dashboard")).json();
    expect(floor.staff.map((m: { name: string }) => m.name)).toEqual(["Вера"]);
  });

  it("ask a publisher for a second factor first, as a supervisor", async () => {
    const { addStaff, signIn, accounts } = await setUp();
    const id = await addStaff("pavel", "publisher", "Павел");
    const pavel = await signIn("pavel");
    expect((await pavel.post("/api/try", { text: "пароль" })).json().error).toBe(
      "set_up_second_factor",
    );
    await accounts.setTotp(id, TOTP_SECRET, true);
    const again = await signIn("pavel", await generate({ secret: TOTP_SECRET }));
    expect((await again.post("/api/try", { text: "пароль" })).json().ok).toBe(true);
  });

  it("show anyone how the bot reads a question, what it scored, why it decided, and the reply", async () => {
    const { addStaff, signIn } = await setUp();
    await addStaff("eva", "editor");
    await addStaff("olga", "operator");
    const [eva, olga] = [await signIn("eva"), await signIn("olga")];
    const text = "pf,kjrbhjdfkb frrfeyn";
    const seen = (await eva.post("/api/try", { text })).json();
    const match = knowledge.matcher.match(text);
    expect(seen).toMatchObject({
      ok: true,
      language: "ru",
      layout: "qwerty_to_cyrillic",
      decision: match.decision,
      confidence: match.confidence,
    });
    expect(seen.words.map((w: { word: string }) => w.word)).toEqual(
      match.analysis.tokens.map((t) => t.word),
    );
    const explained = knowledge.matcher.explain(match);
    expect(
      seen.candidates.map((c: { intent: string; words: string[] }) => [c.intent, c.words]),
    ).toEqual(explained.map((e) => [e.intent, e.sharedWords]));
    // The reply the citizen would get: the intent's answer and its buttons.
    if (match.decision.kind !== "answer") throw new Error("expected an answer");
    const answer = renderAnswer(knowledge.kb, match.decision.intent, "ru", new Date());
    expect(seen.reply).toMatchObject({
      kind: "answer",
      intent: match.decision.intent,
      html: answer?.html,
    });
    expect(seen.reply.buttons.map((b: { title: string }) => b.title)).toEqual([
      ...(answer?.links ?? []).map((l) => l.title),
      ...(answer?.followUps ?? []).map((f) => f.title),
    ]);

    // Out of scope: the bot offers an operator, and says why.
    const away = (await olga.post("/api/try", { text: "какая погода завтра в Москве" })).json();
    expect(away.decision.kind).toBe("escalate");
    expect(away.reply).toEqual({ kind: "escalate", language: "ru", reason: "no_match" });
    expect(away.confidence).toBeLessThan(away.thresholds.clarifyAt);

    // Nothing but punctuation, a huge message, a wrong body: a clear answer.
    expect((await eva.post("/api/try", { text: "?!" })).json().reply.reason).toBe("empty");
    expect((await eva.post("/api/try", { text: "а".repeat(5000) })).statusCode).toBe(400);
    expect((await eva.post("/api/try", { question: "пароль" })).statusCode).toBe(400);
  });
});
