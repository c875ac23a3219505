import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "e2e",
    include: ["src/**/*.test.ts"],
    // Real processes and real databases: generous limits, one file at a time (two cores).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // One migrated PGlite data dir (AGNT5_TEST_PGLITE_TEMPLATE), copied by each test that needs a fresh
    // store instead of paying initdb again: the coordinator's own test setup, shared.
    globalSetup: ["../../apps/coordinator/src/test-support/global-setup.ts"],
  },
});
