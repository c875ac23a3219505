import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // PGlite's first open (and loading the vector extension) takes seconds on a shared two-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
