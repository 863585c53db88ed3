import type { Database } from "better-sqlite3";
import { createAuditLog } from "./audit.ts";

/** A supervisor is an operator who may also act on anyone's ticket and see the queue and stats. */
export type OperatorRole = "operator" | "supervisor";

/** A person who answers citizens, identified by their Telegram user id. */
export interface Operator {
  userId: number;
  name: string;
  role: OperatorRole;
  onShift: boolean;
  addedAt: number;
  /** When they were removed; null while they are an operator. */
  removedAt: number | null;
}

export interface OperatorRow {
  user_id: number;
  name: string;
  role: OperatorRole;
  on_shift: number;
  added_at: number;
  removed_at: number | null;
}

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

export type RemoveOperatorResult =
  /** `requeued`: the ids of their assigned tickets, now back in the queue. */
  | { ok: true; operator: Operator; requeued: readonly number[] }
  | { ok: false; reason: "not_operator" };

export type SetShiftResult =
  | { ok: true; operator: Operator }
  | { ok: false; reason: "not_operator" };

/** The operator list: who may take tickets, in which role, and who is on shift. */
export interface Operators {
  /**
   * Adds an operator, or updates the name and role of one (bringing back a
   * removed one, off shift). `created` says they were not a current operator
   * before. `by` is who did it, for the audit log.
   */
  add(
    operator: { userId: number; name: string; role: OperatorRole },
    by?: number,
  ): { operator: Operator; created: boolean };
  /**
   * Removes an operator: they go off shift and their assigned tickets go back
   * to the queue (tell those citizens and the on-shift operators).
   */
  remove(userId: number, by?: number): RemoveOperatorResult;
  /** Anyone ever added, removed ones included. */
  get(userId: number): Operator | undefined;
  /** The role of a current operator; undefined for anyone else (removed ones included). */
  roleOf(userId: number): OperatorRole | undefined;
  /** Current operators by name; with `includeRemoved`, removed ones too. */
  list(options?: { includeRemoved?: boolean }): Operator[];
  /** Current operators on shift: whom to notify of a new ticket. */
  onShift(): Operator[];
  setShift(userId: number, onShift: boolean): SetShiftResult;
}

export interface OperatorsOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
}

/**
 * The operators on `db`. Every change writes an audit row in its transaction.
 *
 * @example
 * const operators = createOperators(db);
 * operators.add({ userId: 1001, name: "Anna", role: "operator" });
 * operators.setShift(1001, true);
 */
export function createOperators(db: Database, options: OperatorsOptions = {}): Operators {
  const { now = Date.now } = options;
  const audit = createAuditLog(db, { now });
  const byId = db.prepare<[number], OperatorRow>("SELECT * FROM operators WHERE user_id = ?");
  const insert = db.prepare(
    "INSERT INTO operators (user_id, name, role, on_shift, added_at) VALUES (?, ?, ?, 0, ?)",
  );
  const update = db.prepare(
    `UPDATE operators SET name = ?, role = ?,
       on_shift = CASE WHEN removed_at IS NULL THEN on_shift ELSE 0 END,
       added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE ? END,
       removed_at = NULL
     WHERE user_id = ?`,
  );
  const markRemoved = db.prepare(
    "UPDATE operators SET removed_at = ?, on_shift = 0 WHERE user_id = ? AND removed_at IS NULL",
  );
  const requeue = db.prepare<[number], { id: number }>(
    `UPDATE tickets SET state = 'waiting', operator_id = NULL, assigned_at = NULL
     WHERE operator_id = ? AND state = 'assigned' RETURNING id`,
  );
  const current = db.prepare<[], OperatorRow>(
    "SELECT * FROM operators WHERE removed_at IS NULL ORDER BY name, user_id",
  );
  const everyone = db.prepare<[], OperatorRow>("SELECT * FROM operators ORDER BY name, user_id");
  const shift = db.prepare<[], OperatorRow>(
    "SELECT * FROM operators WHERE removed_at IS NULL AND on_shift = 1 ORDER BY name, user_id",
  );
  const setShift = db.prepare(
    "UPDATE operators SET on_shift = ? WHERE user_id = ? AND removed_at IS NULL",
  );

  const add = db.transaction(
    (operator: { userId: number; name: string; role: OperatorRole }, by: number | undefined) => {
      const before = byId.get(operator.userId);
      if (before) update.run(operator.name, operator.role, now(), operator.userId);
      else insert.run(operator.userId, operator.name, operator.role, now());
      audit.record({
        operatorId: operator.userId,
        action: "operator_add",
        details: { by: by ?? null, name: operator.name, role: operator.role },
      });
      const after = toOperator(byId.get(operator.userId) as OperatorRow);
      return { operator: after, created: before === undefined || before.removed_at !== null };
    },
  );

  const remove = db.transaction((userId: number, by: number | undefined): RemoveOperatorResult => {
    if (markRemoved.run(now(), userId).changes === 0) return { ok: false, reason: "not_operator" };
    const requeued = requeue.all(userId).map((row) => row.id);
    audit.record({ operatorId: userId, action: "operator_remove", details: { by: by ?? null } });
    for (const ticketId of requeued) {
      audit.record({
        operatorId: userId,
        action: "release",
        ticketId,
        details: { reason: "operator_removed" },
      });
    }
    return { ok: true, operator: toOperator(byId.get(userId) as OperatorRow), requeued };
  });

  const changeShift = db.transaction((userId: number, on: boolean): SetShiftResult => {
    if (setShift.run(on ? 1 : 0, userId).changes === 0)
      return { ok: false, reason: "not_operator" };
    audit.record({ operatorId: userId, action: on ? "shift_on" : "shift_off" });
    return { ok: true, operator: toOperator(byId.get(userId) as OperatorRow) };
  });

  return {
    add: (operator, by) => add.immediate(operator, by),
    remove: (userId, by) => remove.immediate(userId, by),
    get: (userId) => {
      const row = byId.get(userId);
      return row ? toOperator(row) : undefined;
    },
    roleOf: (userId) => {
      const row = byId.get(userId);
      return row && row.removed_at === null ? row.role : undefined;
    },
    list: ({ includeRemoved = false } = {}) =>
      (includeRemoved ? everyone : current).all().map(toOperator),
    onShift: () => shift.all().map(toOperator),
    setShift: (userId, on) => changeShift.immediate(userId, on),
  };
}
