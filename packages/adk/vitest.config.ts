import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // The README test's first block imports the package's whole source through vitest's transform
    // (about 4 s on a loaded 2-core machine, over the 5 s default once); the MCP and e2e-like tests
    // start real servers and child processes.
    testTimeout: 20_000,
  },
});
