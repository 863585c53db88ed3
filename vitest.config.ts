import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * The storage-generic suites that run a second time on PostgreSQL (their
 * fixtures open `openTestDatabase()`, test/storage.ts); the rest, SQLite's
 * own tests among them, run once.
 */
const ON_BOTH_ENGINES = [
  "test/handoff/desk*.test.ts",
  "test/handoff/staff.test.ts",
  "test/handoff/staff-accounts.test.ts",
  "test/web/console/server.test.ts",
  "test/web/console/content-*.test.ts",
  "test/web/console/incidents.test.ts",
  "test/handoff/outbox.test.ts",
  "test/handoff/tickets.test.ts",
  "test/handoff/incidents.test.ts",
  "test/e2e/handoff.e2e.test.ts",
  // The command-line tools (their fixtures take the database from TEST_ENGINE: test/scripts/tool-database.ts).
  "test/scripts/admin.test.ts",
  "test/scripts/backup.test.ts",
  "test/scripts/chat.test.ts",
  "test/scripts/kb-report.test.ts",
  "test/scripts/kb-suggestions.test.ts",
  "test/scripts/kb-unanswered.test.ts",
  "test/scripts/purge.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Vitest's default, one worker fewer than cores, is one worker on two
    // cores; the processes the e2e and tool tests start (and their waits for
    // them) then leave the other core idle half the run.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker runs one file after another of its project in one module
    // graph, not a new process per file: the packages, the OpenCorpora
    // dictionary and the real knowledge base's matcher are loaded once a
    // worker instead of once a file. The tests keep no state in modules they
    // share (no vi.mock, no stubbed globals or environment); a project's
    // workers serve only that project, so TEST_ENGINE stays its own.
    isolate: false,
    hookTimeout: 60_000,
    // One PostgreSQL server for the whole run (test/postgres/server.ts); the
    // programs the tests start as processes, compiled once (test/compiled-programs.ts).
    globalSetup: ["test/postgres/server.ts", "test/compiled-programs-setup.ts"],
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ON_BOTH_ENGINES,
          provide: { storageEngine: "postgres" },
        },
      },
    ],
  },
});
