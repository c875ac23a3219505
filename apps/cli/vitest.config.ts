import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "cli",
    include: ["src/**/*.test.ts"],
    // The CLI is tested as a process against a coordinator and workers as processes: generous limits,
    // one file at a time (two cores shared by everything else).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // One migrated PGlite data dir (AGNT5_TEST_PGLITE_TEMPLATE) for `agnt5 dev` to start on, instead
    // of paying initdb again: the coordinator's own test setup, shared.
    globalSetup: ["../coordinator/src/test-support/global-setup.ts"],
  },
});
