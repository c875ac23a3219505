import type { Logger } from "@agnt5/core";

export interface ProcessGuardOptions {
  logger: Logger;
  /** Called on the first SIGINT/SIGTERM; a second one exits at once with code 1. */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Log unhandled rejections instead of letting Node terminate the process. */
  catchUnhandledRejections: boolean;
}

/**
 * Process-wide hooks a running worker needs, installed by run() and removed when it returns (never
 * at import time). A handler that fires off a promise and forgets it must not take down every other
 * invocation on the worker: Node's default for an unhandled rejection is to exit.
 */
export function installProcessGuards(options: ProcessGuardOptions): () => void {
  const { logger } = options;
  const cleanups: Array<() => void> = [];

  if (options.onSignal) {
    const onSignal = options.onSignal;
    let received = false;
    const listener = (signal: NodeJS.Signals) => {
      if (received) {
        logger.warn({ signal }, `Received ${signal} again; exiting without waiting for in-flight invocations`);
        process.exit(1);
      }
      received = true;
      onSignal(signal);
    };
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, listener);
      cleanups.push(() => process.off(signal, listener));
    }
  }

  if (options.catchUnhandledRejections) {
    const listener = (reason: unknown) => {
      const error = reason instanceof Error ? reason : new Error(String(reason));
      logger.error(
        { stack: error.stack },
        `Unhandled promise rejection (a handler did not await a promise?): ${error.message}`,
      );
    };
    process.on("unhandledRejection", listener);
    cleanups.push(() => process.off("unhandledRejection", listener));
  }

  return () => {
    for (const cleanup of cleanups) cleanup();
  };
}
