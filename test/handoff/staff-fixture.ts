import type { Staff, StaffRole } from "../../handoff/index.ts";

/**
 * Makes a Telegram user staff (an operator unless `role` says otherwise), on
 * shift if asked, and returns their staff id: the id tickets, transfers and
 * the audit log name them by, not their Telegram user id.
 *
 * @example const anna = await addOperator(handoff.staff, 601, "Анна", { onShift: true });
 */
export async function addOperator(
  staff: Staff,
  telegramUserId: number,
  name: string,
  options: { role?: StaffRole; onShift?: boolean } = {},
): Promise<number> {
  const { member } = await staff.add({ telegramUserId, name, role: options.role ?? "operator" });
  if (options.onShift) await staff.setShift(member.id, true);
  return member.id;
}

/** Removes the staff member a Telegram user is; throws if they are none. */
export async function removeOperator(staff: Staff, telegramUserId: number) {
  const member = await staff.byTelegram(telegramUserId);
  if (!member) throw new Error(`Telegram user ${telegramUserId} is not staff`);
  return staff.remove(member.id);
}
