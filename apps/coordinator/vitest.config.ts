import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // First PGlite open of a fresh data dir takes several seconds (initdb in WASM).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The CI/dev machines are small; PGlite and PostgreSQL tests are CPU-heavy.
    fileParallelism: false,
    // One migrated PGlite data dir, copied by each test instead of paying initdb again.
    globalSetup: ["src/test-support/global-setup.ts"],
  },
});
