import type { SqlClient } from "./sql/client.ts";

/** Which ticket an operator's plain messages go to, when they chose one (`/tickets`, a switch, a take). */
export interface OperatorFocus {
  /** The ticket the operator chose last; undefined when they never chose one. */
  of(operatorId: number): Promise<number | undefined>;
  /** Makes `ticketId` the operator's current ticket. */
  set(operatorId: number, ticketId: number): Promise<void>;
}

const GET = "SELECT ticket_id FROM operator_focus WHERE operator_id = ?";
const SET = `INSERT INTO operator_focus (operator_id, ticket_id) VALUES (?, ?)
  ON CONFLICT (operator_id) DO UPDATE SET ticket_id = excluded.ticket_id`;

/** The operators' focus on `sql`. @example await createOperatorFocus(tx).set(operatorId, ticketId) */
export function createOperatorFocus(sql: SqlClient): OperatorFocus {
  return {
    of: async (operatorId) => (await sql.get<{ ticket_id: number }>(GET, [operatorId]))?.ticket_id,
    set: async (operatorId, ticketId) => {
      await sql.run(SET, [operatorId, ticketId]);
    },
  };
}
