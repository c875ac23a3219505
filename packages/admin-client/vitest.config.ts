import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Pure in-process unit tests: one module graph for all files of a worker instead of a fresh
    // import per file (measured: these packages' files run in about half the time). Tests here must
    // leave no global state behind (no vi.mock, no process-wide handlers left installed).
    isolate: false,
  },
});
