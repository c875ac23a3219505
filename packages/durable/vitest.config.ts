import { defineConfig } from "vitest/config";

// Type tests (src/**/*.test-d.ts, expectTypeOf) are compile-time assertions: `tsc --noEmit -p
// tsconfig.json` (this package's typecheck script, run by the root `npm test` before vitest) fails
// on any of them. Vitest's own typecheck mode would run that same tsc again, once per package, and
// print its "experimental feature" notice each time.

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Pure in-process unit tests: one module graph for all files of a worker instead of a fresh
    // import per file (measured: these packages' files run in about half the time). Tests here must
    // leave no global state behind (no vi.mock, no process-wide handlers left installed).
    isolate: false,
  },
});
