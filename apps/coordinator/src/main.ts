#!/usr/bin/env node
import { loadConfig } from "./config.js";
import { ConfigError } from "./config-error.js";
import { startCoordinator } from "./coordinator.js";
import { createLogger } from "./logger.js";

/**
 * A configuration the coordinator cannot start with is the user's mistake: one line naming it,
 * no stack. Anything else is a crash and keeps its stack (`orElse` reports it).
 */
function refuseToStart(error: unknown, orElse: (error: unknown) => void): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`Coordinator configuration is invalid (${error.code}): ${error.message}\n`);
  } else {
    orElse(error);
  }
  process.exit(1);
}

// `--dev` is AGNT5_DEV_MODE=1 for shells where setting a variable inline is awkward (npm scripts).
const config = (() => {
  try {
    return loadConfig(process.argv.includes("--dev") ? { ...process.env, AGNT5_DEV_MODE: "1" } : process.env);
  } catch (error) {
    // No logger yet (its settings are part of the configuration): the stack goes to stderr.
    return refuseToStart(error, (crash) => console.error("Coordinator failed to start:", crash));
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
  refuseToStart(error, (crash) =>
    logger.fatal({ err: crash }, `Coordinator failed to start: ${(crash as Error).message}`),
  );
}
