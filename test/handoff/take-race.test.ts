import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  createAuditLog,
  createStaff,
  createTicketService,
  type TicketService,
} from "../../handoff/index.ts";
import { useTempDatabases } from "./temp-database.ts";

const { tempPath, connect } = useTempDatabases();
// Staff ids, numbered in the order added (checked in seed).
const ANNA = 1;
const BORIS = 2;

async function seed(path: string, citizens: number) {
  const db = connect(path);
  const staff = createStaff(db);
  for (const [id, telegramUserId, name] of [
    [ANNA, 1001, "Anna"],
    [BORIS, 1002, "Boris"],
  ] as const) {
    const { member } = await staff.add({ telegramUserId, name, role: "operator" });
    if (member.id !== id) throw new Error(`staff member ${name} is ${member.id}, not ${id}`);
    await staff.setShift(id, true);
  }
  const tickets = createTicketService(db);
  const ids: number[] = [];
  for (let chatId = 1; chatId <= citizens; chatId++) {
    const opened = await tickets.openTicket({
      chatId,
      language: "ru",
      question: "?",
      topIntents: [],
    });
    if (opened.ok) ids.push(opened.ticket.id);
  }
  return { db, tickets, ids };
}

const takers = async (db: ReturnType<typeof connect>, ticketId: number) =>
  (await createAuditLog(db).entries({ ticketId }))
    .filter((e) => e.action === "take" && e.details.refused === undefined)
    .map((e) => e.staffId);

describe("two operators taking the same ticket", () => {
  it("on two connections, interleaved: both see it waiting, exactly one gets it", async () => {
    const path = tempPath();
    const { ids } = await seed(path, 1);
    const ticketId = ids[0] as number;
    const anna: TicketService = createTicketService(connect(path));
    const borisDb = connect(path);
    const boris: TicketService = createTicketService(borisDb);

    expect((await anna.queue()).map((t) => t.id)).toEqual([ticketId]);
    expect((await boris.queue()).map((t) => t.id)).toEqual([ticketId]);
    // Boris's connection is reading when Anna's take commits.
    await borisDb.exec("BEGIN");
    expect((await boris.ticket(ticketId))?.state).toBe("waiting");
    expect(await anna.takeTicket(ticketId, ANNA)).toMatchObject({ ok: true });
    expect((await boris.ticket(ticketId))?.state).toBe("waiting"); // his snapshot is older
    await borisDb.exec("COMMIT");
    expect(await boris.takeTicket(ticketId, BORIS)).toMatchObject({
      ok: false,
      reason: "already_taken",
      ticket: { operatorId: ANNA },
    });
    expect(await anna.takeTicket(ticketId, ANNA)).toMatchObject({ reason: "already_taken" });
    expect(await takers(borisDb, ticketId)).toEqual([ANNA]);
  });

  it("a taker on a stale snapshot fails loudly instead of winning too", async () => {
    const path = tempPath();
    const { ids } = await seed(path, 1);
    const ticketId = ids[0] as number;
    const anna = createTicketService(connect(path));
    const borisDb = connect(path);
    const boris = createTicketService(borisDb);

    await borisDb.exec("BEGIN");
    expect((await boris.ticket(ticketId))?.state).toBe("waiting");
    expect(await anna.takeTicket(ticketId, ANNA)).toMatchObject({ ok: true });
    // Inside Boris's old read transaction the take cannot win on a stale
    // snapshot: SQLite refuses the write (as a savepoint of it), or the take's
    // own transaction refuses to start inside his (the SQL port begins every
    // take's transaction itself); either way it fails loudly.
    await expect(boris.takeTicket(ticketId, BORIS)).rejects.toThrow(
      /SQLITE_BUSY|database is locked|within a transaction/,
    );
    await borisDb.exec("ROLLBACK");
    expect(await boris.ticket(ticketId)).toMatchObject({ state: "assigned", operatorId: ANNA });
    expect(await takers(borisDb, ticketId)).toEqual([ANNA]);
  });

  it("in two threads at the same moment: every ticket goes to exactly one of them", async () => {
    const path = tempPath();
    const { db, ids } = await seed(path, 300);
    const go = new SharedArrayBuffer(4);
    const workerFile = fileURLToPath(new URL("./take-race.worker.ts", import.meta.url));
    // The worker runs TypeScript through tsx, as `npm start` does.
    const tsxApi = pathToFileURL(
      join(
        dirname(createRequire(import.meta.url).resolve("tsx/package.json")),
        "dist/esm/api/index.mjs",
      ),
    ).href;
    const start = (operatorId: number) => {
      const worker = new Worker(
        `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(workerFile)}, ${JSON.stringify(import.meta.url)}));`,
        { eval: true, workerData: { path, operatorId, ticketIds: ids, go } },
      );
      const ready = new Promise<void>((resolve, reject) => {
        worker.once("message", () => resolve());
        worker.once("error", reject);
      });
      const done = ready.then(
        () =>
          new Promise<{ won: number[]; lost: string[] }>((resolve, reject) => {
            worker.once("message", resolve);
            worker.once("error", reject);
          }),
      );
      return { ready, done };
    };
    const threads = [start(ANNA), start(BORIS)];
    // Both threads have their connection open and wait at the gate: open it.
    await Promise.all(threads.map((thread) => thread.ready));
    Atomics.store(new Int32Array(go), 0, 1);
    Atomics.notify(new Int32Array(go), 0);
    const results = threads.map((thread) => thread.done);
    const [anna, boris] = await Promise.all(results);
    if (!anna || !boris) throw new Error("a worker sent nothing");

    expect([...anna.won, ...boris.won].sort((a, b) => a - b)).toEqual(ids);
    expect(anna.won.filter((id) => boris.won.includes(id))).toEqual([]);
    expect(new Set([...anna.lost, ...boris.lost])).toEqual(
      anna.lost.length + boris.lost.length > 0 ? new Set(["already_taken"]) : new Set(),
    );
    const tickets = createTicketService(db);
    for (const id of ids) {
      const owner = (await tickets.ticket(id))?.operatorId;
      expect(owner === ANNA ? anna.won : boris.won).toContain(id);
      expect(await takers(db, id)).toEqual([owner]);
    }
  });
});
