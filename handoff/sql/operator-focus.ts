import type { OperatorFocus } from "../ports.ts";
import type { SqlClient } from "./client.ts";

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
