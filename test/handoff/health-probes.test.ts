import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  createOperators,
  createTicketCounts,
  createTicketService,
  openDatabase,
  probeWritable,
} from "../../handoff/index.ts";
import { useTempDatabases } from "./temp-database.ts";

const { tempPath, connect } = useTempDatabases();

describe("probeWritable", () => {
  it("says yes on an open database and writes nothing", () => {
    const path = tempPath();
    const db = connect(path);
    const other = connect(path);
    const version = () => other.pragma("data_version", { simple: true });
    const before = version();
    expect(probeWritable(db)).toEqual({ ok: true });
    expect(version()).toBe(before);
    expect(db.inTransaction).toBe(false);
  });

  it("says no, with SQLite's reason, on a read-only or closed connection", () => {
    const path = tempPath();
    connect(path);
    const readOnly = new Database(path, { readonly: true });
    expect(probeWritable(readOnly)).toEqual({
      ok: false,
      error: expect.stringMatching(/readonly/),
    });
    expect(readOnly.inTransaction).toBe(false);
    readOnly.close();
    expect(probeWritable(readOnly)).toEqual({ ok: false, error: expect.stringMatching(/closed/) });
  });

  it("gives up on another connection's write lock after its own short timeout, then restores the connection's", () => {
    const path = tempPath();
    const db = connect(path);
    const other = connect(path);
    other.exec("BEGIN IMMEDIATE");
    expect(probeWritable(db, { busyTimeoutMs: 20 })).toEqual({
      ok: false,
      error: expect.stringMatching(/locked|busy/i),
    });
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    other.exec("ROLLBACK");
    expect(probeWritable(db)).toEqual({ ok: true });
  });
});

describe("createTicketCounts", () => {
  it("counts tickets by state as they are at each call, zero for a state with none", () => {
    const db = openDatabase(":memory:");
    const counts = createTicketCounts(db);
    expect(counts()).toEqual({ waiting: 0, assigned: 0, closed: 0 });
    const operators = createOperators(db);
    operators.add({ userId: 1, name: "Anna", role: "operator" });
    operators.setShift(1, true);
    const tickets = createTicketService(db);
    const ids = [10, 11, 12, 13].map((chatId) => {
      const opened = tickets.openTicket({ chatId, language: "ru", question: "?", topIntents: [] });
      if (!opened.ok) throw new Error(opened.reason);
      return opened.ticket.id;
    });
    expect(tickets.takeTicket(ids[0] ?? 0, 1).ok).toBe(true);
    expect(tickets.takeTicket(ids[1] ?? 0, 1).ok).toBe(true);
    expect(tickets.close(ids[1] ?? 0, 1).ok).toBe(true);
    expect(counts()).toEqual({ waiting: 2, assigned: 1, closed: 1 });
  });
});
