#!/usr/bin/env node
import { loadConfig } from "./config.js";
import { startCoordinator } from "./coordinator.js";
import { createLogger } from "./logger.js";

// `--dev` is AGNT5_DEV_MODE=1 for shells where setting a variable inline is awkward (npm scripts).
const config = (() => {
  try {
    return loadConfig(process.argv.includes("--dev") ? { ...process.env, AGNT5_DEV_MODE: "1" } : process.env);
  } catch (error) {
    // A setting that cannot work (TLS with a certificate but no key, a malformed limit): one line, no stack.
    process.stderr.write(`Coordinator configuration is invalid: ${(error as Error).message}\n`);
    process.exit(1);
  }
})();
const logger = createLogger(config);

try {
  const coordinator = await startCoordinator(config, logger);
  const shutdown = (signal: string) => {
    logger.info({ signal }, "Shutting down");
    coordinator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "Shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
} catch (error) {
  logger.fatal({ err: error }, `Coordinator failed to start: ${(error as Error).message}`);
  process.exit(1);
}
