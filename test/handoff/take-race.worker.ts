// One operator in its own thread and its own connection, taking every ticket
// it can as soon as the test says go. Started by take-race.test.ts.
import { parentPort, workerData } from "node:worker_threads";
import { createTicketService } from "../../handoff/index.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";

const { path, operatorId, ticketIds, go } = workerData as {
  path: string;
  operatorId: number;
  ticketIds: number[];
  go: SharedArrayBuffer;
};
const db = openSqlite(path);
const tickets = createTicketService(db);
const won: number[] = [];
const lost: string[] = [];
parentPort?.postMessage("ready");
Atomics.wait(new Int32Array(go), 0, 0);
for (const id of ticketIds) {
  const taken = await tickets.takeTicket(id, operatorId);
  if (taken.ok) won.push(id);
  else lost.push(taken.reason);
}
await db.close();
parentPort?.postMessage({ won, lost });
