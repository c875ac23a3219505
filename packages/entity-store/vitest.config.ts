import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // PGlite's first open of a fresh data directory takes seconds; the concurrency tests do
    // thousands of round trips on a shared two-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
