import { type AuditLog, createAuditLog } from "./audit.ts";
import type { StorageMonitor } from "./database-probe.ts";
import { createOperatorFocus, type OperatorFocus } from "./operator-focus.ts";
import { createOperators, type Operators } from "./operators.ts";
import { createOutbox, type Outbox } from "./outbox.ts";
import type { SqlClient } from "./sql/client.ts";
import { createStore, type Store } from "./store.ts";
import { createSuggestions, type Suggestions } from "./suggestions.ts";
import { createTicketService, type TicketService } from "./tickets.ts";

/** Every repository of the handoff, on one client. */
export interface Repositories {
  store: Store;
  tickets: TicketService;
  operators: Operators;
  outbox: Outbox;
  suggestions: Suggestions;
  audit: AuditLog;
  focus: OperatorFocus;
}

export interface RepositoriesOptions {
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /** The store's storage monitor. Defaults to one of its own that logs nothing. */
  storage?: StorageMonitor;
}

/**
 * Builds every repository on `sql`: the database, or the client a
 * transaction hands its work, so that all a step writes commits together.
 * Cheap (SQL text and closures, no prepared statements), so a step builds
 * them anew on its transaction.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   const r = repositoriesOn(tx);
 *   const taken = await r.tickets.takeTicket(ticketId, operatorId);
 *   if (taken.ok) await r.outbox.enqueue({ chatId: taken.ticket.chatId, message });
 *   await r.store.markHandled(updateId);
 * });
 */
export function repositoriesOn(sql: SqlClient, options: RepositoriesOptions = {}): Repositories {
  const { now = Date.now, storage } = options;
  const clock = { now };
  return {
    store: createStore(sql, { ...clock, ...(storage ? { storage } : {}) }),
    tickets: createTicketService(sql, clock),
    operators: createOperators(sql, clock),
    outbox: createOutbox(sql, clock),
    suggestions: createSuggestions(sql, clock),
    audit: createAuditLog(sql, clock),
    focus: createOperatorFocus(sql),
  };
}
