import { describe, expect, it } from "vitest";
import {
  createAuditLog,
  createStaff,
  createTicketService,
  type SqlClient,
  type SqlParams,
  StaffKeyConflict,
} from "../../handoff/index.ts";
import { openTestDatabase, TEST_ENGINE } from "../storage.ts";
import { addOperator } from "./staff-fixture.ts";
import { movableClock } from "./temp-database.ts";

const setup = async () => {
  const db = await openTestDatabase();
  const clock = movableClock();
  return {
    db,
    clock,
    staff: createStaff(db, { now: clock.now }),
    tickets: createTicketService(db, { now: clock.now }),
    audit: createAuditLog(db),
  };
};

/** Opens a waiting ticket for a chat and returns its id. */
async function openTicket(tickets: ReturnType<typeof createTicketService>, chatId: number) {
  const opened = await tickets.openTicket({
    chatId,
    language: "ru",
    question: "q",
    topIntents: [],
  });
  if (!opened.ok) throw new Error("not opened");
  return opened.ticket.id;
}

/**
 * `db` whose transactions each stop at their first INSERT into staff until
 * `parties` of them are there: every one has looked the keys up and found
 * nobody, and none has added anyone yet.
 */
function meetingBeforeInsert(db: SqlClient, parties: number): SqlClient {
  let arrived = 0;
  let meet = () => {};
  const met = new Promise<void>((resolve) => {
    meet = resolve;
  });
  const wrap = (client: SqlClient): SqlClient => ({
    engine: client.engine,
    get inTransaction() {
      return client.inTransaction;
    },
    all: <Row>(text: string, params?: SqlParams) => client.all<Row>(text, params),
    get: async <Row>(text: string, params?: SqlParams) => {
      if (text.startsWith("INSERT INTO staff")) {
        arrived++;
        if (arrived === parties) meet();
        await met;
      }
      return client.get<Row>(text, params);
    },
    run: (text, params) => client.run(text, params),
    exec: (text) => client.exec(text),
    transaction: (work) => client.transaction((tx) => work(wrap(tx))),
  });
  return wrap(db);
}

describe("content staff", () => {
  it("are kept as editors and publishers, and never work the desk: no shift, no desk role", async () => {
    const { staff } = await setup();
    const { member: editor } = await staff.add({ login: "eva", name: "Ева", role: "editor" });
    const { member: publisher } = await staff.add({
      login: "pavel",
      name: "Павел",
      role: "publisher",
    });
    const operator = await addOperator(staff, 501, "Ольга");
    expect([editor.role, publisher.role]).toEqual(["editor", "publisher"]);
    expect(await staff.roleOf(editor.id)).toBe("editor");
    expect(await staff.deskRoleOf(editor.id)).toBeUndefined();
    expect(await staff.deskRoleOf(publisher.id)).toBeUndefined();
    expect(await staff.deskRoleOf(operator)).toBe("operator");
    expect(await staff.setShift(editor.id, true)).toEqual({ ok: false, reason: "not_staff" });
    expect((await staff.setShift(operator, true)).ok).toBe(true);
    expect((await staff.onShift()).map((m) => m.id)).toEqual([operator]);
    // An editor made an operator works the desk from then on.
    await staff.add({ login: "eva", name: "Ева", role: "operator" });
    expect(await staff.deskRoleOf(editor.id)).toBe("operator");
  });
});

describe("staff", () => {
  it("adds, lists, looks up roles and sets shifts", async () => {
    const { staff, audit } = await setup();
    const boris = await staff.add({ telegramUserId: 1001, name: "Boris", role: "operator" }, 99);
    expect(boris).toMatchObject({
      created: true,
      member: {
        telegramUserId: 1001,
        login: null,
        name: "Boris",
        role: "operator",
        onShift: false,
        removedAt: null,
      },
    });
    const anna = await addOperator(staff, 1002, "Anna", { role: "supervisor" });
    expect((await staff.list()).map((o) => o.name)).toEqual(["Anna", "Boris"]);
    expect(await staff.roleOf(anna)).toBe("supervisor");
    expect(await staff.roleOf(boris.member.id)).toBe("operator");
    expect(await staff.roleOf(1002)).toBeUndefined();

    expect(await staff.setShift(boris.member.id, true)).toMatchObject({
      ok: true,
      member: { id: boris.member.id, onShift: true },
    });
    expect((await staff.onShift()).map((o) => o.id)).toEqual([boris.member.id]);

    expect(
      (await audit.entries({ staffId: boris.member.id })).map((e) => [e.action, e.details]),
    ).toEqual([
      ["operator_add", { by: 99, name: "Boris", role: "operator" }],
      ["shift_on", {}],
    ]);
  });

  it("updates an existing member's name and role without changing the shift", async () => {
    const { staff } = await setup();
    const boris = await addOperator(staff, 1, "Boris", { onShift: true });
    expect(
      await staff.add({ telegramUserId: 1, name: "Boris P.", role: "supervisor" }),
    ).toMatchObject({
      created: false,
      member: { id: boris, name: "Boris P.", role: "supervisor", onShift: true },
    });
    expect(await staff.list({ includeRemoved: true })).toHaveLength(1);
  });

  it("gives each member an id of their own, not their Telegram id; tickets and the audit log name them by it", async () => {
    const { staff, tickets, audit } = await setup();
    const anna = await addOperator(staff, 5001, "Anna", { onShift: true });
    const boris = await addOperator(staff, 5002, "Boris", { onShift: true });
    expect([anna, boris]).toEqual([1, 2]);
    expect(await staff.get(anna)).toMatchObject({ id: anna, telegramUserId: 5001 });
    expect(await staff.get(5001)).toBeUndefined();

    const first = await openTicket(tickets, 500);
    const second = await openTicket(tickets, 501);
    expect(await tickets.takeTicket(first, anna)).toMatchObject({
      ok: true,
      ticket: { operatorId: anna },
    });
    // The Telegram id is nobody's staff id.
    expect(await tickets.takeTicket(second, 5001)).toEqual({ ok: false, reason: "not_operator" });
    expect(await tickets.ticket(second)).toMatchObject({ state: "waiting", operatorId: null });

    const take = (await audit.entries({ ticketId: first })).find((e) => e.action === "take");
    expect(take).toMatchObject({ staffId: anna, telegramUserId: null });
    expect((await audit.entries({ staffId: anna })).map((e) => e.action)).toEqual([
      "operator_add",
      "shift_on",
      "take",
    ]);
  });

  it("finds a member by Telegram id and by login, removed ones included; roleOf only current ones", async () => {
    const { staff } = await setup();
    const { member: vera } = await staff.add({
      telegramUserId: 7001,
      login: "vera",
      name: "Vera",
      role: "supervisor",
    });
    const { member: ivan } = await staff.add({ login: "ivan", name: "Ivan", role: "operator" });
    expect(await staff.byTelegram(7001)).toEqual(vera);
    expect(await staff.byLogin("vera")).toEqual(vera);
    expect(await staff.byLogin("ivan")).toEqual(ivan);
    expect(await staff.byTelegram(7002)).toBeUndefined();
    expect(await staff.byLogin("nobody")).toBeUndefined();
    expect(await staff.byLogin("Vera")).toBeUndefined();

    await staff.remove(vera.id);
    expect(await staff.byTelegram(7001)).toMatchObject({
      id: vera.id,
      removedAt: expect.any(Number),
    });
    expect(await staff.byLogin("vera")).toMatchObject({
      id: vera.id,
      removedAt: expect.any(Number),
    });
    expect(await staff.get(vera.id)).toMatchObject({ id: vera.id, removedAt: expect.any(Number) });
    expect(await staff.roleOf(vera.id)).toBeUndefined();
    expect(await staff.roleOf(ivan.id)).toBe("operator");
    expect(await staff.roleOf(ivan.id + 100)).toBeUndefined();
  });

  it("adds by login alone, then links a Telegram id given with it to the same member", async () => {
    const { staff, audit } = await setup();
    const byLogin = await staff.add({ login: "anna", name: "Anna", role: "operator" });
    expect(byLogin).toMatchObject({
      created: true,
      member: { login: "anna", telegramUserId: null, name: "Anna", role: "operator" },
    });
    const id = byLogin.member.id;
    expect(await staff.byTelegram(8001)).toBeUndefined();

    const linked = await staff.add({
      telegramUserId: 8001,
      login: "anna",
      name: "Anna P.",
      role: "supervisor",
    });
    expect(linked).toEqual({
      created: false,
      member: { ...byLogin.member, telegramUserId: 8001, name: "Anna P.", role: "supervisor" },
    });
    expect(await staff.byTelegram(8001)).toEqual(linked.member);
    expect(await staff.byLogin("anna")).toEqual(linked.member);
    expect(await staff.list({ includeRemoved: true })).toEqual([linked.member]);

    // Found by the Telegram id alone now; the login stays.
    expect(
      await staff.add({ telegramUserId: 8001, name: "Anna P.", role: "operator" }),
    ).toMatchObject({ created: false, member: { id, login: "anna", role: "operator" } });
    expect((await audit.entries({ staffId: id })).map((e) => e.action)).toEqual([
      "operator_add",
      "operator_add",
      "operator_add",
    ]);
  });

  it("refuses a Telegram id and a login of two different members, changing nothing", async () => {
    const { staff, audit } = await setup();
    const anna = await addOperator(staff, 9001, "Anna", { onShift: true });
    await staff.add({ login: "boris", name: "Boris", role: "operator" });
    const before = await staff.list({ includeRemoved: true });
    const audited = await audit.entries();

    const both = staff.add({ telegramUserId: 9001, login: "boris", name: "X", role: "supervisor" });
    await expect(both).rejects.toThrow(StaffKeyConflict);
    await expect(
      staff.add({ telegramUserId: 9001, login: "boris", name: "X", role: "supervisor" }),
    ).rejects.toThrow(
      /Telegram user 9001 is staff member \d+, and login boris is staff member \d+/,
    );
    expect(await staff.list({ includeRemoved: true })).toEqual(before);
    expect(await audit.entries()).toEqual(audited);
    expect(await staff.roleOf(anna)).toBe("operator");
  });

  it("renames a member", async () => {
    const { staff, audit } = await setup();
    const anna = await addOperator(staff, 1, "operator 1");
    const audited = await audit.entries();
    await staff.rename(anna, "Анна");
    expect(await staff.get(anna)).toMatchObject({ id: anna, name: "Анна", telegramUserId: 1 });
    expect((await staff.list()).map((o) => o.name)).toEqual(["Анна"]);
    expect(await audit.entries()).toEqual(audited);
    // Nobody by that id: nothing happens.
    await staff.rename(anna + 1, "Boris");
    expect(await staff.list({ includeRemoved: true })).toHaveLength(1);
  });

  it("removes a member: off shift, no role, tickets back in the queue; re-adding restores the same id", async () => {
    const { staff, tickets, audit, clock } = await setup();
    const boris = await addOperator(staff, 1, "Boris", { onShift: true });
    const anna = await addOperator(staff, 2, "Anna", { onShift: true });
    const ticketId = await openTicket(tickets, 500);
    const annas = await openTicket(tickets, 501);
    await tickets.takeTicket(ticketId, boris);
    await tickets.takeTicket(annas, anna);

    clock.advance(1000);
    const removed = await staff.remove(boris, 99);
    expect(removed).toEqual({
      ok: true,
      member: expect.objectContaining({
        id: boris,
        telegramUserId: 1,
        name: "Boris",
        removedAt: clock.now(),
        onShift: false,
      }),
      requeued: [ticketId],
    });
    expect(await tickets.ticket(ticketId)).toMatchObject({ state: "waiting", operatorId: null });
    expect(await tickets.ticket(annas)).toMatchObject({ state: "assigned", operatorId: anna });
    expect(await staff.roleOf(boris)).toBeUndefined();
    expect((await staff.list()).map((o) => o.id)).toEqual([anna]);
    expect(await staff.list({ includeRemoved: true })).toHaveLength(2);
    expect((await staff.onShift()).map((o) => o.id)).toEqual([anna]);
    expect(await staff.remove(boris)).toEqual({ ok: false, reason: "not_staff" });
    expect(await tickets.takeTicket(ticketId, boris)).toEqual({
      ok: false,
      reason: "not_operator",
    });
    expect(
      (await audit.entries({ staffId: boris }))
        .filter((e) => e.action === "operator_remove" || e.action === "release")
        .map((e) => [e.action, e.ticketId, e.details]),
    ).toEqual([
      ["operator_remove", null, { by: 99 }],
      ["release", ticketId, { reason: "operator_removed" }],
    ]);

    clock.advance(1000);
    expect(await staff.add({ telegramUserId: 1, name: "Boris", role: "operator" })).toEqual({
      created: true,
      member: expect.objectContaining({
        id: boris,
        removedAt: null,
        onShift: false,
        addedAt: clock.now(),
      }),
    });
    expect(await staff.roleOf(boris)).toBe("operator");
    expect(await staff.list({ includeRemoved: true })).toHaveLength(2);
  });

  it("brings back a removed member by their login too", async () => {
    const { staff } = await setup();
    const { member } = await staff.add({ login: "ivan", name: "Ivan", role: "operator" });
    await staff.setShift(member.id, true);
    await staff.remove(member.id);
    expect(await staff.add({ login: "ivan", name: "Ivan", role: "supervisor" })).toMatchObject({
      created: true,
      member: { id: member.id, role: "supervisor", onShift: false, removedAt: null },
    });
  });

  it("refuses shifts and removals of someone unknown or removed", async () => {
    const { staff, audit } = await setup();
    const anna = await addOperator(staff, 1, "Anna");
    expect(await staff.setShift(anna + 1, true)).toEqual({ ok: false, reason: "not_staff" });
    expect(await staff.remove(anna + 1)).toEqual({ ok: false, reason: "not_staff" });
    await staff.remove(anna);
    const audited = await audit.entries();
    expect(await staff.setShift(anna, true)).toEqual({ ok: false, reason: "not_staff" });
    expect(await staff.setShift(anna, false)).toEqual({ ok: false, reason: "not_staff" });
    expect(await staff.get(anna)).toMatchObject({ onShift: false });
    expect(await staff.onShift()).toEqual([]);
    expect(await audit.entries()).toEqual(audited);
  });

  it("names the staff member in the audit log, or only the Telegram user who tried; never nobody", async () => {
    const { staff, audit } = await setup();
    const anna = await addOperator(staff, 4001, "Anna");
    await audit.record({
      telegramUserId: 4002,
      action: "command",
      details: { refused: "not_staff" },
    });
    await audit.record({ staffId: anna, telegramUserId: 4001, action: "removal_told" });
    await expect(audit.record({ action: "command" })).rejects.toThrow(/names nobody/);
    await expect(
      audit.record({ staffId: null, telegramUserId: null, action: "take", ticketId: 1 }),
    ).rejects.toThrow(/give a staff id or a Telegram user id/);

    expect((await audit.entries()).map((e) => [e.staffId, e.telegramUserId, e.action])).toEqual([
      [anna, null, "operator_add"],
      [null, 4002, "command"],
      [anna, 4001, "removal_told"],
    ]);
    expect((await audit.entries({ staffId: anna })).map((e) => e.action)).toEqual([
      "operator_add",
      "removal_told",
    ]);
    expect(await audit.latest("removal_told", { staffId: anna })).toMatchObject({
      staffId: anna,
      telegramUserId: 4001,
    });
  });

  it("adds the same Telegram user once when two adds come at the same moment", async () => {
    const { db, clock } = await setup();
    // PostgreSQL: two connections, both past the lookup before either inserts.
    // SQLite: transactions take turns on the one connection.
    const client = TEST_ENGINE === "postgres" ? meetingBeforeInsert(db, 2) : db;
    const staff = createStaff(client, { now: clock.now });
    const results = await Promise.all([
      staff.add({ telegramUserId: 3001, name: "Anna", role: "operator" }),
      staff.add({ telegramUserId: 3001, name: "Anna", role: "operator" }),
    ]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]?.member.id).toBe(results[1]?.member.id);
    const everyone = await createStaff(db).list({ includeRemoved: true });
    expect(everyone).toEqual([expect.objectContaining({ telegramUserId: 3001, name: "Anna" })]);
    expect(everyone[0]?.id).toBe(results[0]?.member.id);
  });
});
