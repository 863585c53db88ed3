import { describe, expect, it } from "vitest";
import { CITIZEN_TEXTS, encodeDeskAction, OPERATOR_TEXTS } from "../../bot/desk/index.ts";
import { createAuditLog } from "../../handoff/index.ts";
import { describeOpenState } from "../../knowledge/index.ts";
import {
  ANNA,
  BORIS,
  CHIEF,
  CITIZEN,
  kb,
  NIGHT,
  NOON,
  OTHER_CITIZEN,
  setUpDesk,
} from "./desk-fixture.ts";

describe("the handoff desk: citizens", () => {
  it("asks before opening a ticket, then tells the number, place and wait, and cards the on-shift operators", async () => {
    const t = await setUpDesk();
    await t.handoff.staff.setShift(t.idOf(BORIS), false);
    await t.ask(CITIZEN, "мой вопрос про загранпаспорт");
    await t.desk.offer(CITIZEN, "Я не нашёл ответа.");
    const offer = await t.deliver();
    expect(await t.handoff.tickets.openTicketOf(CITIZEN.chatId)).toBeUndefined();
    expect(t.textsTo(offer, CITIZEN)[0]).toMatch(/^Я не нашёл ответа\.\n\nПередать ваш вопрос/);
    expect(t.buttonsOf(offer[0]).map((b) => b.callback_data)).toEqual(["hy", "hx"]);

    await t.desk.press(CITIZEN, "hy");
    const sent = await t.deliver();
    const ticket = await t.handoff.tickets.openTicketOf(CITIZEN.chatId);
    expect(ticket).toMatchObject({
      question: "мой вопрос про загранпаспорт",
      topIntents: [{ intent: "contacts.hotline", score: 0.31 }],
      state: "waiting",
    });
    const told = t.textsTo(sent, CITIZEN)[0];
    expect(told).toContain(`№${ticket?.id}`);
    expect(told).toContain("1-й в очереди");
    expect(told).not.toContain("вернутся");
    const cards = sent.filter((r) => r.tag === "card");
    expect(cards.map((r) => r.chatId)).toEqual([ANNA.chatId]);
    expect(t.buttonsOf(cards[0]).map((b) => b.callback_data)).toEqual([`ht:${ticket?.id}`]);
    expect(t.textsTo(sent, ANNA)[0]).toContain("Телефон горячей линии");
  });

  it("declines politely and opens nothing; a used confirmation is stale, a new offer names the open ticket", async () => {
    const t = await setUpDesk();
    expect(await t.desk.press(CITIZEN, "hx")).toEqual({ spent: true });
    expect(t.textsTo(await t.deliver(), CITIZEN)[0]).toContain("/menu");
    const id = await t.openTicket(CITIZEN);
    await t.deliver();
    const again = await t.desk.press(CITIZEN, "hy");
    expect(again).toMatchObject({ spent: true, toast: expect.any(String) });
    await t.desk.offer(CITIZEN);
    const told = t.textsTo(await t.deliver(), CITIZEN);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`уже открыто обращение <b>№${id}</b>`);
    expect(await t.handoff.tickets.queue()).toHaveLength(1);
  });

  it("an offer's buttons are bound to it: pressed after a ticket opened since, they open nothing", async () => {
    const t = await setUpDesk();
    await t.ask(CITIZEN, "первый вопрос");
    await t.desk.offer(CITIZEN);
    const [firstOffer] = await t.deliver();
    const [oldConfirm, oldDecline] = t.buttonsOf(firstOffer).map((b) => b.callback_data ?? "");
    await t.desk.press(CITIZEN, oldConfirm ?? "");
    const first = await t.handoff.tickets.openTicketOf(CITIZEN.chatId);
    await t.desk.press(ANNA, `ht:${first?.id}`);
    await t.desk.operatorCommand(ANNA, { name: "close", args: "" });
    // A later offer carries the latest ticket; the old one's buttons are stale.
    await t.desk.offer(CITIZEN);
    const laterOffer = (await t.deliver()).find(
      (r) =>
        r.chatId === CITIZEN.chatId &&
        t.buttonsOf(r).length === 2 &&
        r.message.kind === "text" &&
        r.message.text.includes("оператору?"),
    );
    const fresh = t.buttonsOf(laterOffer).map((b) => b.callback_data);
    expect(fresh).not.toContain(oldConfirm);
    await t.ask(CITIZEN, "совсем другой вопрос");
    for (const data of [oldConfirm, oldDecline]) {
      const answer = await t.desk.press(CITIZEN, data ?? "");
      expect(answer).toMatchObject({ spent: true, toast: CITIZEN_TEXTS.ru.offerStale });
    }
    expect(await t.deliver()).toEqual([]);
    expect(await t.handoff.tickets.openTicketOf(CITIZEN.chatId)).toBeUndefined();
    // The current offer still works.
    expect(await t.desk.press(CITIZEN, fresh[0] ?? "")).toEqual({ spent: true });
    expect((await t.handoff.tickets.openTicketOf(CITIZEN.chatId))?.question).toBe(
      "совсем другой вопрос",
    );
  });

  it("with nobody on shift says when operators are back by the schedule, and keeps the ticket queued", async () => {
    const t = await setUpDesk(NIGHT);
    await t.handoff.staff.setShift(t.idOf(ANNA), false);
    await t.handoff.staff.setShift(t.idOf(BORIS), false);
    await t.ask(CITIZEN, "вопрос ночью");
    await t.desk.offer(CITIZEN);
    await t.desk.press(CITIZEN, "hy");
    const [offer, opened] = t.textsTo(await t.deliver(), CITIZEN);
    expect(offer).toContain("вернутся завтра в 08:00");
    expect(opened).toContain("вернутся завтра в 08:00");
    expect(await t.handoff.tickets.queue()).toHaveLength(1);
  });

  it("with operators on shift says so, whatever the schedule, at night and by day", async () => {
    for (const [at, onShift] of [
      [NIGHT, true],
      [NOON, true],
      [NOON, false],
    ] as const) {
      const t = await setUpDesk(at);
      if (!onShift) {
        await t.handoff.staff.setShift(t.idOf(ANNA), false);
        await t.handoff.staff.setShift(t.idOf(BORIS), false);
      }
      await t.desk.offer(OTHER_CITIZEN);
      await t.desk.press(OTHER_CITIZEN, "hy");
      const [offer, opened] = t.textsTo(await t.deliver(), OTHER_CITIZEN);
      const schedule = describeOpenState(
        kb.directory.schedules.get("operators") as Parameters<typeof describeOpenState>[0],
        new Date(at),
        "en",
      );
      if (onShift) {
        expect(offer).toContain(CITIZEN_TEXTS.en.onShiftNow);
        expect(offer).not.toContain(schedule);
        expect(opened).not.toContain(schedule);
      } else {
        expect(offer).toContain(schedule);
        expect(offer).not.toContain(CITIZEN_TEXTS.en.onShiftNow);
      }
    }
  });

  it("estimates the wait from how long recent tickets waited", async () => {
    const t = await setUpDesk();
    await t.openTicket(OTHER_CITIZEN);
    t.advance(7 * 60_000);
    await t.desk.press(ANNA, "hn");
    await t.deliver();
    await t.openTicket(CITIZEN);
    const told = t.textsTo(await t.deliver(), CITIZEN).find((text) => text.includes("в очереди"));
    expect(told).toContain("ожидание около 7 мин");
  });

  it("puts what a waiting citizen sends into the ticket, acknowledging once a minute", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.deliver();
    expect(await t.desk.citizenMessage(CITIZEN, { text: "вот скриншот" })).toBe(true);
    await t.desk.citizenMessage(CITIZEN, { file: { id: "photo-1", kind: "photo" } });
    const acks = t.textsTo(await t.deliver(), CITIZEN);
    expect(acks).toEqual([`Добавлено к обращению №${id}. Вы 1-й в очереди.`]);
    t.advance(61_000);
    await t.desk.citizenMessage(CITIZEN, { text: "ещё деталь" });
    expect(t.textsTo(await t.deliver(), CITIZEN)).toHaveLength(1);
    const messages = (await t.handoff.tickets.transcript(id))?.messages ?? [];
    expect(messages.map((m) => m.text ?? m.file?.id)).toEqual([
      "вот скриншот",
      "photo-1",
      "ещё деталь",
    ]);
  });

  it("without an open ticket leaves the message to the FAQ", async () => {
    const t = await setUpDesk();
    expect(await t.desk.citizenMessage(CITIZEN, { text: "как войти" })).toBe(false);
    expect(await t.deliver()).toEqual([]);
  });

  it("marks the update handled in the same transaction as the message it records", async () => {
    const t = await setUpDesk();
    await t.openTicket(CITIZEN);
    await t.desk.citizenMessage(CITIZEN, { text: "деталь", updateId: 9001 });
    expect(await t.handoff.store.wasHandled(9001)).toBe(true);
  });

  it("/cancel leaves the queue, and the operators' cards say so", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.deliver();
    await t.desk.cancel(CITIZEN);
    const sent = await t.deliver();
    expect(t.textsTo(sent, CITIZEN)[0]).toContain(`Обращение №${id} закрыто`);
    const edits = sent.filter((r) => r.message.kind === "edit");
    expect(edits.map((r) => r.chatId).sort()).toEqual([ANNA.chatId, BORIS.chatId]);
    expect(t.textsTo(edits, ANNA)[0]).toContain("закрыто гражданином");
    await t.desk.cancel(CITIZEN);
    expect(t.textsTo(await t.deliver(), CITIZEN)[0]).toBe("У вас нет открытых обращений.");
    expect(await t.desk.citizenMessage(CITIZEN, { text: "снова я" })).toBe(false);
  });
});

describe("the handoff desk: operators", () => {
  it("gives a ticket to the first who takes it; the others' cards say who took it", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.citizenMessage(CITIZEN, { text: "подробности <script>" });
    await t.desk.citizenMessage(CITIZEN, { file: { id: "scan-1", kind: "document" } });
    await t.deliver();
    expect(await t.desk.press(ANNA, `ht:${id}`)).toEqual({ spent: true });
    // A second press (a card, or a reminder's button) says who took it, and is spent.
    expect(await t.desk.press(BORIS, `ht:${id}`)).toEqual({
      toast: `Обращение №${id} уже взял(а) Анна.`,
      spent: true,
    });
    const sent = await t.deliver();
    expect(await t.handoff.tickets.ticket(id)).toMatchObject({
      state: "assigned",
      operatorId: t.idOf(ANNA),
    });
    expect(t.textsTo(sent, CITIZEN)[0]).toContain("на связи оператор Анна");
    const toAnna = t.textsTo(sent, ANNA);
    const transcript = toAnna.find((text) => text.startsWith("<b>История"));
    expect(transcript).toContain("не могу подать заявление на загранпаспорт");
    expect(transcript).toContain("подробности &lt;script&gt;");
    expect(toAnna).toContain("[document]");
    const edits = sent.filter((r) => r.message.kind === "edit");
    expect(edits.map((r) => r.chatId).sort()).toEqual([ANNA.chatId, BORIS.chatId]);
    expect(t.textsTo(edits, BORIS)[0]).toBe(`✅ Обращение №${id} взял(а) Анна.`);
  });

  it("ignores a forged Take from a citizen and audits the refusal", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.deliver();
    expect(await t.desk.press(OTHER_CITIZEN, `ht:${id}`)).toEqual({});
    expect(await t.desk.press(OTHER_CITIZEN, "hn")).toEqual({});
    await t.desk.operatorCommand(OTHER_CITIZEN, { name: "close", args: String(id) });
    // The citizen hears the command is not theirs, in their language; nothing else moves.
    const told = await t.deliver();
    expect(told.map((r) => r.chatId)).toEqual([OTHER_CITIZEN.chatId]);
    expect(t.textsTo(told, OTHER_CITIZEN)[0]).toBe(CITIZEN_TEXTS.en.operatorsOnly);
    expect((await t.handoff.tickets.ticket(id))?.state).toBe("waiting");
    expect(
      (await createAuditLog(t.handoff.db).entries({ telegramUserId: OTHER_CITIZEN.userId })).map(
        (e) => [e.action, e.details.refused],
      ),
    ).toEqual([
      ["take", "not_operator"],
      ["take_next", "not_operator"],
      ["command", "not_operator"],
    ]);
    const refused = (await t.handoff.db.get<{ n: number }>(
      "SELECT count(*) AS n FROM audit_log WHERE telegram_user_id = ? AND staff_id IS NULL",
      [OTHER_CITIZEN.userId],
    )) as { n: number };
    expect(refused.n).toBeGreaterThan(0);
  });

  it("an off-shift operator must start a shift before taking", async () => {
    const t = await setUpDesk();
    await t.handoff.staff.setShift(t.idOf(ANNA), false);
    await t.openTicket(CITIZEN);
    await t.deliver();
    await t.desk.operatorCommand(ANNA, { name: "take", args: "" });
    expect(t.textsTo(await t.deliver(), ANNA)).toEqual([OPERATOR_TEXTS.offShift]);
    await t.desk.operatorCommand(ANNA, { name: "shift", args: "on" });
    const shift = await t.deliver();
    expect(t.textsTo(shift, ANNA)[0]).toBe("Смена начата. В очереди: 1.");
    expect(t.buttonsOf(shift[0]).map((b) => b.callback_data)).toEqual(["hn"]);
    await t.desk.press(ANNA, "hn");
    expect((await t.handoff.tickets.openTicketOf(CITIZEN.chatId))?.operatorId).toBe(t.idOf(ANNA));
  });

  it("relays both ways, escaped, files by file id, each marked with the ticket", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.deliver();
    await t.desk.operatorMessage(ANNA, { text: "Проверьте <b>СНИЛС</b> & паспорт" });
    await t.desk.operatorMessage(ANNA, { file: { id: "howto-1", kind: "photo" }, text: "вот так" });
    await t.desk.citizenMessage(CITIZEN, { text: "Спасибо, <i>понял</i>" });
    await t.desk.citizenMessage(CITIZEN, { file: { id: "shot-1", kind: "photo" }, text: "экран" });
    const sent = await t.deliver();
    expect(t.textsTo(sent, CITIZEN)[0]).toBe(
      "👤 <b>Оператор:</b> Проверьте &lt;b&gt;СНИЛС&lt;/b&gt; &amp; паспорт",
    );
    const photoToCitizen = sent.find(
      (r) => r.chatId === CITIZEN.chatId && r.message.kind === "photo",
    );
    expect(photoToCitizen?.message).toMatchObject({
      fileId: "howto-1",
      caption: "👤 Оператор: вот так",
    });
    expect(t.textsTo(sent, ANNA)[0]).toBe(`💬 <b>№${id}:</b> Спасибо, &lt;i&gt;понял&lt;/i&gt;`);
    const photoToAnna = sent.find((r) => r.chatId === ANNA.chatId && r.message.kind === "photo");
    expect(photoToAnna?.message).toMatchObject({ fileId: "shot-1", caption: `💬 №${id}: экран` });
    expect(sent.every((r) => r.ticketId === id)).toBe(true);
  });

  it("routes a reply to the ticket of the message replied to; plain messages go to the current one", async () => {
    const t = await setUpDesk();
    const first = await t.openTicket(CITIZEN);
    const second = await t.openTicket(OTHER_CITIZEN);
    await t.desk.press(ANNA, `ht:${first}`);
    await t.desk.citizenMessage(CITIZEN, { text: "первый пишет" });
    const relayed = (await t.deliver()).find(
      (r) =>
        r.chatId === ANNA.chatId &&
        r.message.kind === "text" &&
        r.message.text.includes("первый пишет"),
    );
    await t.desk.press(ANNA, `ht:${second}`);
    await t.deliver();
    await t.desk.operatorMessage(ANNA, { text: "ответ второму" });
    await t.desk.operatorMessage(ANNA, {
      text: "ответ первому",
      replyToMessageId: relayed?.messageId ?? -1,
    });
    const sent = await t.deliver();
    expect(t.textsTo(sent, OTHER_CITIZEN)).toEqual(["👤 <b>Operator:</b> ответ второму"]);
    expect(t.textsTo(sent, CITIZEN)).toEqual(["👤 <b>Оператор:</b> ответ первому"]);

    await t.desk.operatorCommand(ANNA, { name: "tickets", args: "" });
    const list = await t.deliver();
    expect(t.buttonsOf(list[0]).map((b) => b.callback_data)).toEqual([
      `hw:${first}`,
      `hw:${second}`,
    ]);
    expect(t.buttonsOf(list[0])[1]?.text).toMatch(/^▶️/);
    await t.desk.press(ANNA, `hw:${first}`);
    await t.desk.operatorMessage(ANNA, { text: "снова первому" });
    expect(t.textsTo(await t.deliver(), CITIZEN)).toEqual(["👤 <b>Оператор:</b> снова первому"]);
    expect((await t.desk.press(BORIS, `hw:${first}`))?.toast).toContain("ведёт другой оператор");
    // A stale switch (the ticket closed since the list was sent) is refused and audited.
    await t.desk.operatorCommand(ANNA, { name: "close", args: String(second) });
    expect(await t.desk.press(ANNA, `hw:${second}`)).toMatchObject({ spent: true });
    const refusals = (await createAuditLog(t.handoff.db).entries())
      .filter((e) => e.action === "switch" && e.details.refused !== undefined)
      .map((e) => [e.staffId, e.ticketId, e.details.refused]);
    expect(refusals).toEqual([
      [t.idOf(BORIS), first, "not_yours"],
      [t.idOf(ANNA), second, "closed"],
    ]);
  });

  it("keeps notes from the citizen, and sends a knowledge-base answer the operator picks", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(OTHER_CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.deliver();
    await t.desk.operatorCommand(ANNA, { name: "note", args: "просит перезвонить" });
    const noted = await t.deliver();
    expect(t.textsTo(noted, OTHER_CITIZEN)).toEqual([]);
    expect(t.textsTo(noted, ANNA)[0]).toContain("Заметка сохранена");
    await t.desk.operatorCommand(ANNA, { name: "kb", args: "номер горячей линии" });
    const choices = t.buttonsOf((await t.deliver())[0]);
    expect(choices[0]?.callback_data).toBe(
      encodeDeskAction({ kind: "canned", ticketId: id, intent: "contacts.hotline" }),
    );
    expect(await t.desk.press(ANNA, choices[0]?.callback_data ?? "")).toEqual({ spent: true });
    const sent = await t.deliver();
    // The citizen writes English: the answer comes in English, from the operator.
    expect(t.textsTo(sent, OTHER_CITIZEN)[0]).toMatch(/^👤 <b>Operator:<\/b> .*8 800/s);
    const messages = (await t.handoff.tickets.transcript(id))?.messages ?? [];
    expect(messages.map((m) => m.direction)).toEqual(["note", "operator"]);
  });

  it("transfers to the queue with new cards, or to an on-shift operator with the transcript", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.deliver();
    await t.desk.operatorCommand(ANNA, { name: "transfer", args: String(t.idOf(CHIEF)) });
    expect(t.textsTo(await t.deliver(), ANNA)).toEqual(["Этот оператор не на смене."]);
    await t.desk.operatorCommand(ANNA, { name: "transfer", args: String(t.idOf(BORIS)) });
    const moved = await t.deliver();
    expect((await t.handoff.tickets.ticket(id))?.operatorId).toBe(t.idOf(BORIS));
    expect(t.textsTo(moved, CITIZEN)[0]).toContain("передано другому оператору");
    expect(t.textsTo(moved, BORIS).some((text) => text.startsWith("<b>История"))).toBe(true);
    expect(t.textsTo(moved, ANNA)[0]).toContain("Борис &lt;b&gt;");

    await t.desk.operatorCommand(BORIS, { name: "transfer", args: "queue" });
    const queued = await t.deliver();
    expect((await t.handoff.tickets.ticket(id))?.state).toBe("waiting");
    expect(t.textsTo(queued, CITIZEN)[0]).toContain("вернулось в очередь: вы 1-й");
    expect(
      queued
        .filter((r) => r.tag === "card")
        .map((r) => r.chatId)
        .sort(),
    ).toEqual([ANNA.chatId, BORIS.chatId]);
  });

  it("closes, then the citizen says whether it was solved and rates it once", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.deliver();
    await t.desk.operatorCommand(ANNA, { name: "close", args: "" });
    const closed = await t.deliver();
    expect(t.textsTo(closed, ANNA)[0]).toContain(`№${id} закрыто`);
    const ask = closed.find((r) => r.chatId === CITIZEN.chatId);
    expect(t.buttonsOf(ask).map((b) => b.callback_data)).toEqual([`hs:${id}:1`, `hs:${id}:0`]);
    // Another citizen cannot answer for this one.
    await t.desk.press(OTHER_CITIZEN, `hs:${id}:0`);
    await t.desk.press(OTHER_CITIZEN, `hr:${id}:0:1`);
    expect(await t.deliver()).toEqual([]);
    expect(
      (await createAuditLog(t.handoff.db).entries({ telegramUserId: OTHER_CITIZEN.userId })).map(
        (e) => [e.action, e.ticketId, e.details.refused],
      ),
    ).toEqual([
      ["solved", id, "not_yours"],
      ["rate", id, "not_yours"],
    ]);
    expect(await t.desk.press(CITIZEN, `hs:${id}:1`)).toEqual({ spent: true });
    const stars = t.buttonsOf((await t.deliver())[0]).map((b) => b.callback_data);
    expect(stars).toEqual([1, 2, 3, 4, 5].map((n) => `hr:${id}:1:${n}`));
    // "Solved" again (either answer): no second rating keyboard, the press says why.
    for (const data of [`hs:${id}:1`, `hs:${id}:0`]) {
      expect(await t.desk.press(CITIZEN, data)).toEqual({
        toast: CITIZEN_TEXTS.ru.ratingAsked,
        spent: true,
      });
    }
    expect(await t.deliver()).toEqual([]);
    expect(await t.desk.press(CITIZEN, `hr:${id}:1:4`)).toEqual({ spent: true });
    expect(t.textsTo(await t.deliver(), CITIZEN)[0]).toContain("Спасибо за оценку");
    expect(await t.desk.press(CITIZEN, `hr:${id}:1:1`)).toEqual({
      toast: CITIZEN_TEXTS.ru.alreadyRated,
      spent: true,
    });
    expect((await t.desk.press(CITIZEN, `hs:${id}:0`))?.toast).toBe(CITIZEN_TEXTS.ru.alreadyRated);
    expect(await t.handoff.tickets.ticket(id)).toMatchObject({
      rating: 4,
      solved: true,
      state: "closed",
    });
    // A new message after closing starts fresh with the bot.
    expect(await t.desk.citizenMessage(CITIZEN, { text: "ещё вопрос" })).toBe(false);
  });

  it("tells the operator when the citizen leaves, or blocked the bot", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.desk.operatorMessage(ANNA, { text: "здравствуйте" });
    const relayed = (await t.deliver()).find(
      (r) =>
        r.chatId === CITIZEN.chatId &&
        r.message.kind === "text" &&
        r.message.text.includes("здравствуйте"),
    );
    if (!relayed) throw new Error("not relayed");
    await t.desk.undeliverable(relayed, "403: Forbidden: bot was blocked by the user", true);
    expect(await t.handoff.store.isBlocked(CITIZEN.chatId)).toBe(true);
    expect(t.textsTo(await t.deliver(), ANNA)[0]).toContain("бот заблокирован");
    await t.desk.cancel(CITIZEN);
    expect(t.textsTo(await t.deliver(), ANNA)).toEqual([OPERATOR_TEXTS.citizenCancelled(id)]);
  });

  it("tells a removed operator pressing an old operator button, once, why it does nothing", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.deliver();
    await t.handoff.staff.remove(t.idOf(ANNA));
    expect(await t.desk.press(ANNA, `ht:${id}`)).toEqual({ spent: true });
    expect(t.textsTo(await t.deliver(), ANNA)).toEqual([CITIZEN_TEXTS.ru.noLongerOperator]);
    // Told once: later presses and messages are a non-operator's, refused quietly.
    expect(await t.desk.press(ANNA, `ht:${id}`)).toEqual({});
    expect(await t.desk.formerOperator(ANNA)).toBe(false);
    expect(await t.deliver()).toEqual([]);
    expect((await t.handoff.tickets.ticket(id))?.state).toBe("waiting");
  });

  it("shows supervisors the queue and today's figures; operators may not", async () => {
    const t = await setUpDesk();
    await t.openTicket(CITIZEN);
    await t.deliver();
    t.advance(5 * 60_000);
    for (const name of ["queue", "stats", "reload"]) {
      await t.desk.operatorCommand(ANNA, { name, args: "" });
    }
    expect(t.textsTo(await t.deliver(), ANNA)).toEqual(Array(3).fill(OPERATOR_TEXTS.notSupervisor));
    expect(
      (await createAuditLog(t.handoff.db).entries({ staffId: t.idOf(ANNA) }))
        .filter((e) => e.action === "command")
        .map((e) => [e.details.command, e.details.refused]),
    ).toEqual(["queue", "stats", "reload"].map((name) => [name, "not_supervisor"]));
    await t.desk.operatorCommand(CHIEF, { name: "queue", args: "" });
    const queue = t.textsTo(await t.deliver(), CHIEF)[0];
    expect(queue).toContain("В очереди: 1, дольше всех ждёт 5 мин");
    expect(queue).toContain("Анна (0), Борис &lt;b&gt; (0)");
    await t.desk.operatorCommand(CHIEF, { name: "stats", args: "" });
    const stats = t.textsTo(await t.deliver(), CHIEF)[0];
    expect(stats).toContain("<b>Отчёт: 25 ноября 2026 г.</b>");
    // The question asked before the ticket, and the ticket, are today's figures.
    expect(stats).toContain("Вопросов: 1");
    expect(stats).toContain("Обращения: открыто 1,");
    expect(stats).toContain("ждут сейчас 1");
  });

  it("reminds on-shift operators and supervisors of a ticket waiting past the limit, once per limit", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.deliver();
    t.advance(9 * 60_000);
    expect(await t.desk.remindOverdue()).toBe(0);
    t.advance(2 * 60_000);
    expect(await t.desk.remindOverdue()).toBe(1);
    const reminders = await t.deliver();
    expect(reminders.map((r) => r.chatId).sort()).toEqual([
      ANNA.chatId,
      BORIS.chatId,
      CHIEF.chatId,
    ]);
    expect(t.textsTo(reminders, CHIEF)[0]).toBe(`⏰ Обращение №${id} ждёт в очереди уже 11 мин.`);
    t.advance(5 * 60_000);
    expect(await t.desk.remindOverdue()).toBe(0);
    t.advance(6 * 60_000);
    expect(await t.desk.remindOverdue()).toBe(1);
  });

  it("tells citizens whose operator was removed that they are back in the queue, and cards them again", async () => {
    const t = await setUpDesk();
    const id = await t.openTicket(CITIZEN);
    await t.desk.press(ANNA, `ht:${id}`);
    await t.deliver();
    const removed = await t.handoff.staff.remove(t.idOf(ANNA));
    expect(removed).toMatchObject({ ok: true, requeued: [id] });
    await t.desk.requeued([id]);
    const sent = await t.deliver();
    expect(t.textsTo(sent, CITIZEN)).toEqual([
      `Обращение №${id} вернулось в очередь: вы 1-й. Скоро подключится другой оператор.`,
    ]);
    expect(sent.filter((r) => r.tag === "card").map((r) => r.chatId)).toEqual([BORIS.chatId]);
  });
});
