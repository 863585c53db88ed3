// The repositories over the SQL port, written once for SQLite and
// PostgreSQL (their interfaces are in ../ports.ts), and the port itself
// (client.ts). Composition roots pick an adapter (handoff/sqlite, later
// handoff/postgres) and build these on its client.
export { createAuditLog } from "./audit.ts";
export type { SqlClient, SqlDatabase, SqlEngine, SqlParams, SqlValue } from "./client.ts";
export { createDeskEffects } from "./desk-effects.ts";
export { createFloodCounts } from "./flood-counts.ts";
export { createIncidents } from "./incidents.ts";
export { createInstances } from "./instances.ts";
export { createOperatorFocus } from "./operator-focus.ts";
export { createOutbox } from "./outbox.ts";
export { createPeriodicRuns } from "./periodic-runs.ts";
export { collectReport, DURATION_BUCKETS } from "./report-data.ts";
export { repositoriesOn } from "./repositories.ts";
export { ERASED_TEXT, purgeExpired } from "./retention.ts";
export { createStaff, defaultOperatorName, StaffKeyConflict } from "./staff.ts";
export { createStaffAccounts } from "./staff-accounts.ts";
export { createStore } from "./store.ts";
export { createSuggestions } from "./suggestions.ts";
export { createTicketCounts } from "./ticket-counts.ts";
export { createTicketStatistics } from "./ticket-stats.ts";
export { createTicketTags } from "./ticket-tags.ts";
export { createTicketService } from "./tickets.ts";
export { unansweredQuestions } from "./unanswered-questions.ts";
