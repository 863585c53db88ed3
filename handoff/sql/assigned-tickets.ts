import type { SqlClient } from "./client.ts";

const REQUEUE_ASSIGNED = `UPDATE tickets SET state = 'waiting', operator_id = NULL, assigned_at = NULL
  WHERE operator_id = ? AND state = 'assigned' RETURNING id`;

/**
 * Puts every ticket assigned to an operator back in the queue (they were
 * removed) and returns their ids. The tickets' one write outside the ticket
 * service, kept here so the operators never touch the tickets table; run it
 * on the client of the removal's transaction.
 */
export async function requeueAssignedTo(sql: SqlClient, operatorId: number): Promise<number[]> {
  return (await sql.all<{ id: number }>(REQUEUE_ASSIGNED, [operatorId])).map((row) => row.id);
}
