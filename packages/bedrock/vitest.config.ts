import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Pure in-process unit tests: one module graph for all files of a worker instead of a fresh
    // import per file (measured: these packages' files run in about half the time). Tests here must
    // leave no global state behind (no vi.mock, no process-wide handlers left installed).
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The AWS SDK warns once per process that its 2027 releases will need Node 22; not news in a test run.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
