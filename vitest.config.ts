import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One PostgreSQL server for the whole run (test/postgres/server.ts).
    globalSetup: ["test/postgres/server.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
