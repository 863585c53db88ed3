import { renameSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  createStaff,
  createStorageMonitor,
  createTicketCounts,
  createTicketService,
  probeWritable,
} from "../../handoff/index.ts";
import { openSqlite, sqliteClient } from "../../handoff/sqlite/index.ts";
import { faultyConnection } from "./faulty-connection.ts";
import { useTempDatabases } from "./temp-database.ts";

const { tempPath, connect } = useTempDatabases();

describe("probeWritable", () => {
  it("says yes after committing a real write (its own row), leaving no transaction open", async () => {
    const path = tempPath();
    const db = connect(path);
    const other = connect(path);
    const version = () => other.connection.pragma("data_version", { simple: true });
    const before = version();
    expect(await probeWritable(db, { now: () => 1234 })).toEqual({ ok: true });
    expect(version()).not.toBe(before);
    expect(other.connection.prepare("SELECT * FROM health_probe").all()).toEqual([
      { id: 1, written_at: 1234 },
    ]);
    expect(await probeWritable(db, { now: () => 5678 })).toEqual({ ok: true });
    expect(other.connection.prepare("SELECT count(*) AS n FROM health_probe").get()).toEqual({
      n: 1,
    });
    expect(db.inTransaction).toBe(false);
  });

  it("says no when the write fails at the driver (an I/O error), with SQLite's reason", async () => {
    const faulty = faultyConnection(openSqlite(":memory:"));
    faulty.fail("SQLITE_IOERR_WRITE");
    expect(await probeWritable(faulty.db)).toEqual({
      ok: false,
      error: expect.stringMatching(/SQLITE_IOERR_WRITE/),
    });
    faulty.fail(undefined);
    expect(await probeWritable(faulty.db)).toEqual({ ok: true });
  });

  it("says no, with SQLite's reason, on a read-only or closed connection", async () => {
    const path = tempPath();
    connect(path);
    const readOnly = new Database(path, { readonly: true });
    expect(await probeWritable(sqliteClient(readOnly))).toEqual({
      ok: false,
      error: expect.stringMatching(/readonly/),
    });
    expect(readOnly.inTransaction).toBe(false);
    readOnly.close();
    expect(await probeWritable(sqliteClient(readOnly))).toEqual({
      ok: false,
      error: expect.stringMatching(/closed/),
    });
  });

  it("gives up on another connection's write lock after its own short timeout, then restores the connection's", async () => {
    const path = tempPath();
    const db = connect(path);
    const other = connect(path);
    await other.exec("BEGIN IMMEDIATE");
    expect(await probeWritable(db, { busyTimeoutMs: 20 })).toEqual({
      ok: false,
      error: expect.stringMatching(/locked|busy/i),
    });
    expect(db.connection.pragma("busy_timeout", { simple: true })).toBe(5000);
    await other.exec("ROLLBACK");
    expect(await probeWritable(db)).toEqual({ ok: true });
  });
});

/** A log that keeps what was logged, by level. */
function keptLog() {
  const lines: { level: "info" | "error"; message: string; object: object }[] = [];
  return {
    lines,
    info: (object: object, message: string) => lines.push({ level: "info", object, message }),
    error: (object: object, message: string) => lines.push({ level: "error", object, message }),
  };
}

const sqliteError = (code: string) => new Database.SqliteError(`injected ${code}`, code);

describe("createStorageMonitor", () => {
  it("keeps a run of write failures until a write works, logging its start and end once each", () => {
    const log = keptLog();
    let time = 1000;
    const storage = createStorageMonitor(openSqlite(":memory:"), { log, now: () => time });
    expect(storage.fault()).toBeUndefined();
    expect(storage.observe(sqliteError("SQLITE_FULL"))).toBe(true);
    time = 3000;
    expect(storage.observe(sqliteError("SQLITE_IOERR_WRITE"))).toBe(true);
    expect(storage.observe(sqliteError("SQLITE_READONLY"))).toBe(true);
    expect(storage.fault()).toEqual({
      kind: "write_failed",
      error: "SQLITE_FULL: injected SQLITE_FULL",
      since: 1000,
      failures: 3,
    });
    expect(log.lines.map((line) => line.level)).toEqual(["error"]);
    storage.wrote();
    expect(storage.fault()).toBeUndefined();
    expect(log.lines[1]).toMatchObject({
      level: "info",
      object: { failures: 3, failingForMs: 2000 },
    });
    storage.wrote();
    expect(log.lines).toHaveLength(2);
  });

  it("leaves bugs to the caller: not SQLite, or SQLite refusing bad input", () => {
    const storage = createStorageMonitor(openSqlite(":memory:"));
    expect(storage.observe(new TypeError("x is undefined"))).toBe(false);
    expect(storage.observe(sqliteError("SQLITE_CONSTRAINT_UNIQUE"))).toBe(false);
    expect(storage.observe(sqliteError("SQLITE_ERROR"))).toBe(false);
    expect(storage.fault()).toBeUndefined();
  });

  it("keeps damage once met, whatever works after", () => {
    const log = keptLog();
    const storage = createStorageMonitor(openSqlite(":memory:"), { log });
    expect(storage.observe(sqliteError("SQLITE_CORRUPT"))).toBe(true);
    storage.observe(sqliteError("SQLITE_CORRUPT_INDEX"));
    storage.wrote();
    expect(storage.fault()).toMatchObject({
      kind: "corrupt",
      error: expect.stringMatching(/CORRUPT/),
    });
    expect(log.lines).toHaveLength(1);
  });

  it.each([
    ["deleted", (path: string) => rmSync(path)],
    [
      "replaced by another file",
      (path: string) => {
        writeFileSync(`${path}.new`, "");
        renameSync(`${path}.new`, path);
      },
    ],
  ])("notices the file %s, and stops the connection writing into it", async (reason, change) => {
    const path = tempPath();
    const db = connect(path);
    const log = keptLog();
    const storage = createStorageMonitor(db, { log });
    storage.checkFile();
    expect(storage.fault()).toBeUndefined();
    expect(await probeWritable(db)).toEqual({ ok: true });

    change(path);
    storage.checkFile();
    storage.checkFile();
    expect(storage.fault()).toMatchObject({
      kind: "missing",
      error: `${path} was ${reason} while the bot ran`,
    });
    expect(await probeWritable(db)).toEqual({
      ok: false,
      error: expect.stringMatching(/readonly/),
    });
    expect(log.lines).toEqual([
      expect.objectContaining({ level: "error", message: expect.stringContaining("restart") }),
    ]);
  });
});

describe("createTicketCounts", () => {
  it("counts tickets by state as they are at each call, zero for a state with none", async () => {
    const db = openSqlite(":memory:");
    const counts = createTicketCounts(db);
    expect(await counts()).toEqual({ waiting: 0, assigned: 0, closed: 0 });
    const staff = createStaff(db);
    const { member } = await staff.add({ telegramUserId: 601, name: "Anna", role: "operator" });
    await staff.setShift(member.id, true);
    const tickets = createTicketService(db);
    const ids: number[] = [];
    for (const chatId of [10, 11, 12, 13]) {
      const opened = await tickets.openTicket({
        chatId,
        language: "ru",
        question: "?",
        topIntents: [],
      });
      if (!opened.ok) throw new Error(opened.reason);
      ids.push(opened.ticket.id);
    }
    expect((await tickets.takeTicket(ids[0] ?? 0, 1)).ok).toBe(true);
    expect((await tickets.takeTicket(ids[1] ?? 0, 1)).ok).toBe(true);
    expect((await tickets.close(ids[1] ?? 0, 1)).ok).toBe(true);
    expect(await counts()).toEqual({ waiting: 2, assigned: 1, closed: 1 });
  });
});
