import type { StorageMonitor } from "../handoff/index.ts";

/**
 * A read the bot can do without: its value, or `otherwise` when the database
 * cannot be read now (PostgreSQL unreachable, a damaged file). The fault is
 * the storage monitor's to log and report on /healthz; any other error (a
 * bug) is thrown. Used where the knowledge base can still answer: who is an
 * operator, whether the citizen has a ticket.
 *
 * @example if (await readOr(storage, () => desk.isOperator(id), false)) …
 */
export async function readOr<T>(
  storage: Pick<StorageMonitor, "observe">,
  read: () => Promise<T>,
  otherwise: T,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!storage.observe(error)) throw error;
    return otherwise;
  }
}
