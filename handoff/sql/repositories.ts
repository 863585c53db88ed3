import type { Repositories, RepositoriesOptions } from "../ports.ts";
import { createAuditLog } from "./audit.ts";
import type { SqlClient } from "./client.ts";
import { createContentDrafts } from "./content-drafts.ts";
import { createDeskEffects } from "./desk-effects.ts";
import { createIncidents } from "./incidents.ts";
import { createOperatorFocus } from "./operator-focus.ts";
import { createOutbox } from "./outbox.ts";
import { collectReport } from "./report-data.ts";
import { createStaff } from "./staff.ts";
import { createStaffAccounts } from "./staff-accounts.ts";
import { createStore } from "./store.ts";
import { createSuggestions } from "./suggestions.ts";
import { createTicketTags } from "./ticket-tags.ts";
import { createTicketService } from "./tickets.ts";
import { createUnansweredDecisions } from "./unanswered-decisions.ts";

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
  const { now = Date.now, storage, instance, via, chatGapMs } = options;
  const clock = { now };
  return {
    store: createStore(sql, { ...clock, ...(storage ? { storage } : {}) }),
    tickets: createTicketService(sql, { ...clock, ...(via ? { via } : {}) }),
    staff: createStaff(sql, { ...clock, ...(via ? { via } : {}) }),
    outbox: createOutbox(sql, {
      ...clock,
      ...(instance ? { instance } : {}),
      ...(chatGapMs ? { chatGapMs } : {}),
    }),
    effects: createDeskEffects(sql, clock),
    accounts: createStaffAccounts(sql, clock),
    tags: createTicketTags(sql, { ...clock, ...(via ? { via } : {}) }),
    suggestions: createSuggestions(sql, clock),
    audit: createAuditLog(sql, { ...clock, ...(via ? { via } : {}) }),
    focus: createOperatorFocus(sql),
    reports: { collect: (period) => collectReport(sql, period) },
    content: createContentDrafts(sql, clock),
    unanswered: createUnansweredDecisions(sql, clock),
    incidents: createIncidents(sql, clock),
  };
}
