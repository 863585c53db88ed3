import type {
  Operator,
  OperatorRow,
  Operators,
  OperatorsOptions,
  RemoveOperatorResult,
  SetShiftResult,
} from "../ports.ts";
import { requeueAssignedTo } from "./assigned-tickets.ts";
import { createAuditLog } from "./audit.ts";
import type { SqlClient } from "./client.ts";

export function toOperator(row: OperatorRow): Operator {
  return {
    userId: row.user_id,
    name: row.name,
    role: row.role,
    onShift: row.on_shift === 1,
    addedAt: row.added_at,
    removedAt: row.removed_at,
  };
}

/** The name of an operator added without one, until they write to the bot and their Telegram name is known. */
export function defaultOperatorName(userId: number): string {
  return `operator ${userId}`;
}

const BY_ID = "SELECT * FROM operators WHERE user_id = ?";
// DO NOTHING: another process may add the same operator at the same moment
// (each seeds OPERATOR_IDS at start-up); then this one updates the row instead.
const INSERT = `INSERT INTO operators (user_id, name, role, on_shift, added_at) VALUES (?, ?, ?, 0, ?)
  ON CONFLICT (user_id) DO NOTHING`;
const UPDATE = `UPDATE operators SET name = ?, role = ?,
    on_shift = CASE WHEN removed_at IS NULL THEN on_shift ELSE 0 END,
    added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE ? END,
    removed_at = NULL
  WHERE user_id = ?`;
const MARK_REMOVED =
  "UPDATE operators SET removed_at = ?, on_shift = 0 WHERE user_id = ? AND removed_at IS NULL";
const CURRENT = "SELECT * FROM operators WHERE removed_at IS NULL ORDER BY name, user_id";
const EVERYONE = "SELECT * FROM operators ORDER BY name, user_id";
const ON_SHIFT =
  "SELECT * FROM operators WHERE removed_at IS NULL AND on_shift = 1 ORDER BY name, user_id";
const SET_SHIFT = "UPDATE operators SET on_shift = ? WHERE user_id = ? AND removed_at IS NULL";

/**
 * The operators on `sql`. Every change writes an audit row in its transaction
 * (a savepoint when `sql` is a transaction's client).
 *
 * @example
 * const operators = createOperators(db);
 * await operators.add({ userId: 1001, name: "Anna", role: "operator" });
 * await operators.setShift(1001, true);
 */
export function createOperators(sql: SqlClient, options: OperatorsOptions = {}): Operators {
  const { now = Date.now } = options;
  const byId = (tx: SqlClient, userId: number) => tx.get<OperatorRow>(BY_ID, [userId]);

  return {
    add: (operator, by) =>
      sql.transaction(async (tx) => {
        const before = await byId(tx, operator.userId);
        const inserted = before
          ? 0
          : await tx.run(INSERT, [operator.userId, operator.name, operator.role, now()]);
        if (inserted === 0)
          await tx.run(UPDATE, [operator.name, operator.role, now(), operator.userId]);
        await createAuditLog(tx, { now }).record({
          operatorId: operator.userId,
          action: "operator_add",
          details: { by: by ?? null, name: operator.name, role: operator.role },
        });
        const after = toOperator((await byId(tx, operator.userId)) as OperatorRow);
        return { operator: after, created: inserted > 0 || (before?.removed_at ?? null) !== null };
      }),
    remove: (userId, by) =>
      sql.transaction(async (tx): Promise<RemoveOperatorResult> => {
        if ((await tx.run(MARK_REMOVED, [now(), userId])) === 0) {
          return { ok: false, reason: "not_operator" };
        }
        const requeued = await requeueAssignedTo(tx, userId);
        const audit = createAuditLog(tx, { now });
        await audit.record({
          operatorId: userId,
          action: "operator_remove",
          details: { by: by ?? null },
        });
        for (const ticketId of requeued) {
          await audit.record({
            operatorId: userId,
            action: "release",
            ticketId,
            details: { reason: "operator_removed" },
          });
        }
        return {
          ok: true,
          operator: toOperator((await byId(tx, userId)) as OperatorRow),
          requeued,
        };
      }),
    get: async (userId) => {
      const row = await byId(sql, userId);
      return row ? toOperator(row) : undefined;
    },
    roleOf: async (userId) => {
      const row = await byId(sql, userId);
      return row && row.removed_at === null ? row.role : undefined;
    },
    list: async ({ includeRemoved = false } = {}) =>
      (await sql.all<OperatorRow>(includeRemoved ? EVERYONE : CURRENT)).map(toOperator),
    onShift: async () => (await sql.all<OperatorRow>(ON_SHIFT)).map(toOperator),
    setShift: (userId, on) =>
      sql.transaction(async (tx): Promise<SetShiftResult> => {
        if ((await tx.run(SET_SHIFT, [on ? 1 : 0, userId])) === 0) {
          return { ok: false, reason: "not_operator" };
        }
        await createAuditLog(tx, { now }).record({
          operatorId: userId,
          action: on ? "shift_on" : "shift_off",
        });
        return { ok: true, operator: toOperator((await byId(tx, userId)) as OperatorRow) };
      }),
  };
}
