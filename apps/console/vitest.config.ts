import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "console",
    include: ["src/**/*.test.ts"],
    // A real coordinator, a worker and Chromium on a small, busy machine: generous limits.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
