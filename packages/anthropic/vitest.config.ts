import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// Type tests (src/**/*.test-d.ts) are checked by this package's own TypeScript, not whichever tsc
// happens to be first on PATH.
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    typecheck: {
      enabled: true,
      checker: tsc,
      tsconfig: "./tsconfig.json",
      include: ["src/**/*.test-d.ts"],
    },
  },
});
