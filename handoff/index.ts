export {
  type AuditAction,
  type AuditEntry,
  type AuditFilter,
  type AuditLog,
  type AuditLogOptions,
  createAuditLog,
} from "./audit.ts";
export {
  type DeskAction,
  decodeDeskAction,
  encodeDeskAction,
  MAX_CALLBACK_DATA,
} from "./buttons.ts";
export {
  createStorageMonitor,
  probeWritable,
  type StorageFault,
  type StorageLog,
  type StorageMonitor,
  type StorageMonitorOptions,
  storageFaultCode,
  type WritableProbe,
  type WritableProbeOptions,
} from "./database-probe.ts";
export {
  createDeliveryWorker,
  type DeliveryDeps,
  type DeliveryLog,
  type DeliveryOptions,
  type DeliveryOutcome,
  type DeliveryWorker,
  type SendResult,
} from "./delivery.ts";
export {
  type Command,
  createDesk,
  type Desk,
  type DeskDeps,
  type DeskLog,
  type DeskOptions,
  type Incoming,
  type Person,
  type PressAnswer,
} from "./desk.ts";
export { CITIZEN_TEXTS, OPERATOR_TEXTS } from "./desk-texts.ts";
export { type Handoff, type HandoffOptions, openHandoff } from "./handoff.ts";
export {
  CAPTION_LIMIT,
  cutBefore,
  cutHtml,
  fitMessage,
  splitHtml,
  TEXT_LIMIT,
} from "./message-limits.ts";
export {
  isOperatorCommand,
  OPERATOR_COMMANDS,
  type OperatorCommand,
} from "./operator-commands.ts";
export { createOperatorFocus, type OperatorFocus } from "./operator-focus.ts";
export {
  createOperators,
  defaultOperatorName,
  type Operator,
  type OperatorRole,
  type Operators,
  type OperatorsOptions,
  type RemoveOperatorResult,
  type SetShiftResult,
} from "./operators.ts";
export {
  createOutbox,
  type Outbox,
  type OutboxItem,
  type OutboxMessage,
  type OutboxOptions,
  type OutboxState,
  type SendOptions,
} from "./outbox.ts";
export { questionRecord } from "./question-record.ts";
export {
  formatReportText,
  type IntentTitle,
  type ReportHtmlOptions,
  type ReportTextOptions,
  renderReportHtml,
} from "./report/index.ts";
export {
  collectReport,
  type DecisionCounts,
  DURATION_BUCKETS,
  type DurationSummary,
  type HistogramBucket,
  moscowDay,
  type ReportData,
  type ReportDay,
  type ReportPeriod,
  startOfMoscowDay,
} from "./report-data.ts";
export {
  type Repositories,
  type RepositoriesOptions,
  repositoriesOn,
} from "./repositories.ts";
export {
  ERASED_TEXT,
  type PurgeCounts,
  type PurgeOptions,
  purgeExpired,
} from "./retention.ts";
export type {
  SqlClient,
  SqlDatabase,
  SqlEngine,
  SqlParams,
  SqlValue,
} from "./sql/client.ts";
export {
  type BackupOptions,
  type BackupResult,
  backupDatabase,
  DatabaseError,
  type DatabaseErrorCode,
  type DatabaseFile,
  databaseFileOf,
  type OpenDatabaseOptions,
  openDatabase,
  openSqlite,
  type SqliteDatabase,
  sqliteClient,
} from "./sqlite/index.ts";
export {
  createStore,
  type FeedbackOutcome,
  type Language,
  type QuestionRecord,
  type Store,
  type StoreOptions,
} from "./store.ts";
export {
  createSuggestions,
  type DecideSuggestionResult,
  type NewSuggestion,
  type RecordSuggestionResult,
  type Suggestion,
  type SuggestionState,
  type Suggestions,
  type SuggestionsOptions,
} from "./suggestions.ts";
export { createTicketCounts, type TicketCounts } from "./ticket-counts.ts";
export type {
  IntentGuess,
  MessageDirection,
  Ticket,
  TicketFile,
  TicketMessage,
  TicketState,
} from "./ticket-model.ts";
export {
  createTicketStatistics,
  type TicketStatistics,
  type TicketStats,
} from "./ticket-stats.ts";
export {
  type ActRefusal,
  type AddMessageResult,
  type CancelResult,
  type CloseResult,
  createTicketService,
  type MessageContent,
  type NewTicket,
  type NewTicketMessage,
  type OpenTicketResult,
  type RateResult,
  type ReleaseResult,
  type TakeNextResult,
  type TakeResult,
  type TicketService,
  type TicketServiceOptions,
  type TransferResult,
} from "./tickets.ts";
export {
  type UnansweredRecord,
  type UnansweredRecords,
  unansweredQuestions,
} from "./unanswered-questions.ts";
