import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // First PGlite open of a fresh data dir takes several seconds (initdb in WASM).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The CI/dev machines are small; PGlite and PostgreSQL tests are CPU-heavy.
    fileParallelism: false,
    // One module graph for the whole run instead of a fresh import of the coordinator per file
    // (measured: the coordinator's files in 197 s instead of 421 s). Tests must leave no global
    // state behind: close what they start, no vi.mock, no process-wide handlers left installed.
    isolate: false,
    // With isolate: false and one worker, vitest wants this project in its own group (a root run
    // refuses "different maxWorkers but same sequence.groupOrder"); group 1 runs after the other
    // packages' files, one file at a time, which is where its files ran before (vitest's sequential group).
    sequence: { groupOrder: 1 },
    // One migrated PGlite data dir, copied by each test instead of paying initdb again.
    globalSetup: ["src/test-support/global-setup.ts"],
  },
});
