import {
  isDeskRole,
  type RemoveStaffResult,
  type SetShiftResult,
  type Staff,
  type StaffKey,
  type StaffMember,
  type StaffOptions,
  type StaffRow,
} from "../ports.ts";
import { requeueAssignedTo } from "./assigned-tickets.ts";
import { createAuditLog } from "./audit.ts";
import type { SqlClient } from "./client.ts";
import { endSessionsOf } from "./staff-accounts.ts";

export function toStaffMember(row: StaffRow): StaffMember {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    onShift: row.on_shift === 1,
    addedAt: row.added_at,
    removedAt: row.removed_at,
    telegramUserId: row.telegram_user_id,
    login: row.login,
  };
}

/** The name of an operator added by Telegram id alone, until they write to the bot and their first name is known. */
export function defaultOperatorName(telegramUserId: number): string {
  return `operator ${telegramUserId}`;
}

const BY_ID = "SELECT * FROM staff WHERE id = ?";
const BY_TELEGRAM = "SELECT * FROM staff WHERE telegram_user_id = ?";
const BY_LOGIN = "SELECT * FROM staff WHERE login = ?";
// DO NOTHING: another process may add the same Telegram user at the same
// moment (each seeds OPERATOR_IDS at start-up); then this one updates the row.
const INSERT = `INSERT INTO staff (name, role, on_shift, added_at, telegram_user_id, login)
  VALUES (?, ?, 0, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`;
const UPDATE = `UPDATE staff SET name = ?, role = ?,
    on_shift = CASE WHEN removed_at IS NULL THEN on_shift ELSE 0 END,
    added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE ? END,
    removed_at = NULL,
    telegram_user_id = COALESCE(telegram_user_id, ?),
    login = COALESCE(login, ?)
  WHERE id = ? RETURNING *`;
const RENAME = "UPDATE staff SET name = ? WHERE id = ?";
const MARK_REMOVED =
  "UPDATE staff SET removed_at = ?, on_shift = 0 WHERE id = ? AND removed_at IS NULL";
const CURRENT = "SELECT * FROM staff WHERE removed_at IS NULL ORDER BY name, id";
const EVERYONE = "SELECT * FROM staff ORDER BY name, id";
const ON_SHIFT = "SELECT * FROM staff WHERE removed_at IS NULL AND on_shift = 1 ORDER BY name, id";
// Only the desk goes on shift (content staff take no tickets).
const SET_SHIFT = `UPDATE staff SET on_shift = ?
  WHERE id = ? AND removed_at IS NULL AND role IN ('operator', 'supervisor')`;

/** A login and a Telegram id given together that belong to two different staff members. */
export class StaffKeyConflict extends Error {
  override readonly name = "StaffKeyConflict";
}

/**
 * The staff on `sql`. Every change writes an audit row in its transaction
 * (a savepoint when `sql` is a transaction's client).
 *
 * @example
 * const staff = createStaff(db);
 * const { member } = await staff.add({ telegramUserId: 1001, name: "Anna", role: "operator" });
 * await staff.setShift(member.id, true);
 */
export function createStaff(sql: SqlClient, options: StaffOptions = {}): Staff {
  const { now = Date.now, via } = options;
  const auditOn = (tx: SqlClient) => createAuditLog(tx, { now, ...(via ? { via } : {}) });
  const one = async (tx: SqlClient, query: string, key: number | string) => {
    const row = await tx.get<StaffRow>(query, [key]);
    return row ? toStaffMember(row) : undefined;
  };
  /** The one staff member the keys name, if any; two different ones is a conflict. */
  const known = async (tx: SqlClient, key: StaffKey) => {
    const byTelegram =
      key.telegramUserId === undefined ? undefined : await one(tx, BY_TELEGRAM, key.telegramUserId);
    const byLogin = key.login === undefined ? undefined : await one(tx, BY_LOGIN, key.login);
    if (byTelegram && byLogin && byTelegram.id !== byLogin.id) {
      throw new StaffKeyConflict(
        `Telegram user ${key.telegramUserId} is staff member ${byTelegram.id}, and login ${key.login} is staff member ${byLogin.id}`,
      );
    }
    return byTelegram ?? byLogin;
  };

  const roleOf = async (id: number) => {
    const member = await one(sql, BY_ID, id);
    return member && member.removedAt === null ? member.role : undefined;
  };
  return {
    add: (member, by) =>
      sql.transaction(async (tx) => {
        const telegram = member.telegramUserId ?? null;
        const login = member.login ?? null;
        const before = await known(tx, member);
        const inserted = before
          ? undefined
          : await tx.get<StaffRow>(INSERT, [member.name, member.role, now(), telegram, login]);
        const id = inserted ? inserted.id : (before ?? (await known(tx, member)))?.id;
        if (id === undefined) throw new Error("a staff member added meanwhile could not be read");
        const row =
          inserted ??
          (await tx.get<StaffRow>(UPDATE, [member.name, member.role, now(), telegram, login, id]));
        await auditOn(tx).record({
          staffId: id,
          action: "operator_add",
          details: { by: by ?? null, name: member.name, role: member.role },
        });
        return {
          member: toStaffMember(row as StaffRow),
          created: inserted !== undefined || (before?.removedAt ?? null) !== null,
        };
      }),
    remove: (id, by) =>
      sql.transaction(async (tx): Promise<RemoveStaffResult> => {
        if ((await tx.run(MARK_REMOVED, [now(), id])) === 0) {
          return { ok: false, reason: "not_staff" };
        }
        const requeued = await requeueAssignedTo(tx, id);
        // Signed in to the web console: signed out, now.
        await endSessionsOf(tx, id, now());
        const audit = auditOn(tx);
        await audit.record({ staffId: id, action: "operator_remove", details: { by: by ?? null } });
        for (const ticketId of requeued) {
          await audit.record({
            staffId: id,
            action: "release",
            ticketId,
            details: { reason: "operator_removed" },
          });
        }
        return { ok: true, member: (await one(tx, BY_ID, id)) as StaffMember, requeued };
      }),
    get: (id) => one(sql, BY_ID, id),
    byTelegram: (telegramUserId) => one(sql, BY_TELEGRAM, telegramUserId),
    byLogin: (login) => one(sql, BY_LOGIN, login),
    roleOf,
    deskRoleOf: async (id) => {
      const role = await roleOf(id);
      return isDeskRole(role) ? role : undefined;
    },
    rename: async (id, name) => {
      await sql.run(RENAME, [name, id]);
    },
    list: async ({ includeRemoved = false } = {}) =>
      (await sql.all<StaffRow>(includeRemoved ? EVERYONE : CURRENT)).map(toStaffMember),
    onShift: async () => (await sql.all<StaffRow>(ON_SHIFT)).map(toStaffMember),
    setShift: (id, on) =>
      sql.transaction(async (tx): Promise<SetShiftResult> => {
        if ((await tx.run(SET_SHIFT, [on ? 1 : 0, id])) === 0) {
          return { ok: false, reason: "not_staff" };
        }
        await auditOn(tx).record({
          staffId: id,
          action: on ? "shift_on" : "shift_off",
        });
        return { ok: true, member: (await one(tx, BY_ID, id)) as StaffMember };
      }),
  };
}
