// The PostgreSQL adapter of the handoff's SQL port: a pg pool behind
// `SqlClient`, its migrations, and what only a server shared by several
// processes has (a dedicated session for LISTEN and the poller's lock,
// leadership, signals between processes). Only composition roots pick it.
export { openPostgres, type PostgresDatabase, type PostgresOptions } from "./client.ts";
export { type Leadership, type LeadershipOptions, leadWith } from "./leader.ts";
export { migratePostgres, POSTGRES_MIGRATIONS, PostgresSchemaError } from "./migrations.ts";
export { type DedicatedSession, openDedicatedSession } from "./session.ts";
export { createPostgresSignals, type PostgresSignalsOptions } from "./signals.ts";
