import { defineConfig } from "vitest/config";

// One run over every package's tests (each package's own vitest.config.ts applies), so CI gets one
// summary. Two workers: the machines have two cores and the e2e tests start real processes.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tests/*"],
    maxWorkers: 2,
    reporters: ["default", "./scripts/vitest-summary-reporter.ts"],
  },
});
