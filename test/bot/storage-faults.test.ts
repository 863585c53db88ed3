import { describe, expect, it } from "vitest";
import { TEXTS } from "../../bot/texts.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { faultyConnection } from "../handoff/faulty-connection.ts";
import { createHarness } from "./harness.ts";

/** The bot on a connection whose writes can be made to fail, as on a full disk. */
function setup() {
  const faulty = faultyConnection(openSqlite(":memory:"));
  const h = createHarness({ db: faulty.db });
  return { ...h, fail: faulty.fail };
}

describe("the bot while the database takes no writes", () => {
  it("still answers from the knowledge base, and says plainly that no ticket can open", async () => {
    const h = setup();
    h.fail("SQLITE_FULL", "writes");
    await h.handle(h.text("телефон горячей линии"));
    expect(h.sent()).toHaveLength(1);
    expect(h.sent()[0]).toContain("8 800");
    expect(h.handoff.storage.fault()).toMatchObject({ kind: "write_failed" });

    // Out of scope: the bot would offer an operator, but the offer cannot be kept.
    await h.handle(h.text("какая погода завтра в москве"));
    await h.deliver();
    expect(h.sent().slice(1)).toEqual([TEXTS.ru.storageFailure]);
    expect(await h.handoff.tickets.openTicketOf(777)).toBeUndefined();
  });

  it("recovers by itself once writes work again: the next update is kept and a ticket opens", async () => {
    const h = setup();
    h.fail("SQLITE_IOERR_WRITE", "writes");
    await h.handle(h.text("какая погода завтра в москве"));
    expect(h.sent()).toEqual([TEXTS.ru.storageFailure]);

    h.fail(undefined);
    await h.handle(h.text("какая погода завтра в москве"));
    expect(h.handoff.storage.fault()).toBeUndefined();
    await h.deliver();
    expect(h.sent()).toHaveLength(2);
    expect(h.sent()[1]).not.toBe(TEXTS.ru.storageFailure);
    expect(await h.store.questions()).toHaveLength(1);
  });

  it("tells the citizen when reads fail too (damaged pages), still answers from the knowledge base, and keeps the damage for /healthz", async () => {
    const h = setup();
    h.fail("SQLITE_CORRUPT");
    await h.handle(h.text("как восстановить пароль"));
    // Whether an operator is writing cannot be read: nothing is passed on,
    // and they hear why; the knowledge base, which needs no database, answers.
    const [notice, ...answer] = h.sent();
    expect(notice).toBe(TEXTS.ru.storageFailure);
    expect(answer.join("\n")).toMatch(/парол/i);
    expect(h.handoff.storage.fault()).toMatchObject({ kind: "corrupt" });
    h.fail(undefined);
    await h.handle(h.text("как восстановить пароль"));
    expect(h.handoff.storage.fault()).toMatchObject({ kind: "corrupt" });
  });
});
