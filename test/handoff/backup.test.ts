import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { backupDatabase } from "../../handoff/sqlite/index.ts";
import { MIGRATIONS } from "../../handoff/sqlite/migrations.ts";
import { useTempDatabases } from "./temp-database.ts";

const { tempPath, connect } = useTempDatabases();

/**
 * One transaction: a closed ticket and its one message, both naming `n`. A
 * copy holding a ticket without its message (or the reverse) would have
 * caught a write half-done.
 */
const WRITE_PAIR = `
  INSERT INTO tickets (chat_id, language, question, top_intents, state, created_at, closed_at)
  VALUES (:n, 'ru', 'вопрос ' || :n, '[]', 'closed', :n, :n);
  INSERT INTO ticket_messages (ticket_id, direction, text, created_at)
  VALUES (last_insert_rowid(), 'citizen', 'сообщение ' || :n, :n);`;

/**
 * A thread with its own connection writing pairs in a loop, one transaction
 * each, until `flags[0]` says stop; `flags[1]` counts its commits.
 */
const WRITER = `
const { workerData } = require("node:worker_threads");
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 5000");
const [ticket, message] = workerData.sql.split(";").filter((s) => s.trim()).map((s) => db.prepare(s));
const write = db.transaction((n) => { ticket.run({ n }); message.run({ n }); });
const flags = new Int32Array(workerData.flags);
for (let n = workerData.first; Atomics.load(flags, 0) === 0; n++) {
  write(n);
  Atomics.add(flags, 1, 1);
}
db.close();
`;

async function seed(path: string, pairs: number) {
  const db = connect(path);
  const [ticket, message] = WRITE_PAIR.split(";")
    .filter((s) => s.trim())
    .map((s) => db.connection.prepare(s));
  const write = db.connection.transaction((from: number, to: number) => {
    for (let n = from; n < to; n++) {
      ticket?.run({ n });
      message?.run({ n });
    }
  });
  write(1, pairs + 1);
  return { db, write };
}

function startWriter(path: string, first: number) {
  const flags = new SharedArrayBuffer(8);
  const worker = new Worker(WRITER, {
    eval: true,
    workerData: {
      path,
      sql: WRITE_PAIR,
      first,
      flags,
      sqlite: createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  const counter = new Int32Array(flags);
  let failed: unknown;
  const exited = new Promise<number>((resolve, reject) => {
    worker.once("exit", resolve);
    worker.once("error", (error) => {
      failed = error;
      reject(error);
    });
  });
  return {
    commits: () => Atomics.load(counter, 1),
    /** Resolves once it has committed `n` transactions; throws if it failed. */
    committed: async (n: number) => {
      while (Atomics.load(counter, 1) < n) {
        if (failed) throw failed;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    stop: () => {
      Atomics.store(counter, 0, 1);
      return exited;
    },
  };
}

/** A backup, opened read-only: what a consistent copy must hold. */
function inspect(path: string) {
  const copy = new Database(path, { readonly: true, fileMustExist: true });
  const one = (sql: string) => copy.prepare(sql).pluck().get();
  try {
    return {
      integrity: copy.pragma("integrity_check", { simple: true }),
      userVersion: copy.pragma("user_version", { simple: true }),
      journalMode: copy.pragma("journal_mode", { simple: true }),
      tickets: one("SELECT count(*) FROM tickets") as number,
      maxId: one("SELECT max(id) FROM tickets") as number,
      messages: one("SELECT count(*) FROM ticket_messages") as number,
      /** Tickets without exactly their one message: a transaction copied half-done. */
      unpaired: one(
        `SELECT count(*) FROM tickets t WHERE (SELECT count(*) FROM ticket_messages m
           WHERE m.ticket_id = t.id AND m.text = 'сообщение ' || substr(t.question, 8)) <> 1`,
      ) as number,
      /** Tickets of the pairs written between the copy's steps. */
      between: one("SELECT count(*) FROM tickets WHERE chat_id >= 2000000") as number,
    };
  } finally {
    copy.close();
  }
}

describe("backupDatabase", () => {
  it("copies a database another thread keeps writing to: consistent, with all committed before it began", async () => {
    const path = tempPath();
    const destination = join(dirname(path), "copy.sqlite");
    const { db } = await seed(path, 5_000);
    const writer = startWriter(path, 1_000_000);
    await writer.committed(20);
    const committedBefore = db.connection
      .prepare("SELECT max(id) FROM tickets")
      .pluck()
      .get() as number;
    // Between the copy's steps a second connection commits too: the copy
    // restarts and must hold those pairs, whole.
    const { write: writeBetween } = await seed(path, 0);
    let between = 0;

    const result = await backupDatabase(path, destination, {
      onProgress: ({ totalPages, remainingPages }) => {
        expect(remainingPages).toBeLessThanOrEqual(totalPages);
        writeBetween(2_000_000 + between, 2_000_000 + between + 1);
        between++;
      },
    });
    await writer.committed(writer.commits() + 1); // still writing after the copy
    await writer.stop();

    expect(result).toMatchObject({ ok: true, userVersion: MIGRATIONS.length });
    const copy = inspect(destination);
    expect(copy).toMatchObject({
      integrity: "ok",
      userVersion: MIGRATIONS.length,
      journalMode: "delete", // one self-contained file
      unpaired: 0,
      messages: copy.tickets,
      maxId: copy.tickets, // a prefix of the commits, no gaps
      between,
    });
    expect(between).toBeGreaterThan(0);
    expect(copy.tickets).toBeGreaterThanOrEqual(committedBefore + between);
    // The source went on: it has rows the copy has not.
    expect(db.connection.prepare("SELECT count(*) FROM tickets").pluck().get()).toBeGreaterThan(
      copy.tickets,
    );
    expect(readdirSync(dirname(path)).filter((file) => file.startsWith("copy"))).toEqual([
      "copy.sqlite",
    ]);
    expect(result.ok && result.bytes).toBe(statSync(destination).size);
  });

  it("refuses to replace an existing file unless forced, and then replaces it whole", async () => {
    const path = tempPath();
    await seed(path, 10);
    const destination = join(dirname(path), "copy.sqlite");
    writeFileSync(destination, "an older backup");
    writeFileSync(`${destination}-wal`, "a stale write-ahead log");

    expect(await backupDatabase(path, destination)).toMatchObject({ ok: false, reason: "exists" });
    expect(readFileSync(destination, "utf8")).toBe("an older backup");

    expect(await backupDatabase(path, destination, { force: true })).toMatchObject({ ok: true });
    expect(inspect(destination)).toMatchObject({ integrity: "ok", tickets: 10, unpaired: 0 });
    expect(readdirSync(dirname(path)).filter((file) => file.startsWith("copy"))).toEqual([
      "copy.sqlite",
    ]);
  });

  it("refuses a missing database, the database itself and a missing folder", async () => {
    const path = tempPath();
    const folder = dirname(path);
    expect(await backupDatabase(path, join(folder, "copy.sqlite"))).toMatchObject({
      ok: false,
      reason: "no_source",
    });
    await seed(path, 1);
    expect(await backupDatabase(path, path, { force: true })).toMatchObject({
      ok: false,
      reason: "same_file",
    });
    expect(await backupDatabase(path, join(folder, "no", "copy.sqlite"))).toMatchObject({
      ok: false,
      reason: "no_folder",
    });
    expect(readdirSync(folder).filter((file) => !file.startsWith("bot.sqlite"))).toEqual([]);
  });

  it("keeps no copy when the check fails: here the schema version changed during the backup", async () => {
    const path = tempPath();
    const { db } = await seed(path, 10);
    const destination = join(dirname(path), "copy.sqlite");
    const result = await backupDatabase(path, destination, {
      onProgress: () => {
        db.connection.pragma("user_version = 99");
      },
    });
    expect(result).toMatchObject({ ok: false, reason: "verify_failed" });
    expect(!result.ok && result.message).toContain(
      `schema version 99 in the copy, ${MIGRATIONS.length}`,
    );
    expect(existsSync(destination)).toBe(false);
    expect(readdirSync(dirname(path)).filter((file) => file.startsWith("copy"))).toEqual([]);
  });
});
