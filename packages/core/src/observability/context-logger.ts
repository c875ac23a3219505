import type { Logger } from "../logger.js";
import { type SecretRedactor, secretRedactor } from "./secrets.js";

const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

/**
 * `ctx.log()`: the invocation's logger, quiet while the handler replays recorded journal entries
 * (those lines were written by the run that recorded them: a resumed run does not print its past
 * again), with every secret read through ctx.secrets() redacted from the message and its fields.
 */
export function createContextLogger(
  base: Logger,
  replaying: () => boolean,
  redactor: SecretRedactor = secretRedactor,
): Logger {
  const logger = {} as Logger;
  for (const level of LEVELS) {
    logger[level] = (obj: object | string, message?: string) => {
      if (replaying()) return;
      if (redactor.empty) {
        base[level](obj, message);
        return;
      }
      base[level](redactor.redact(obj), message === undefined ? undefined : redactor.redactText(message));
    };
  }
  logger.child = (bindings) => createContextLogger(base.child(redactor.redact(bindings)), replaying, redactor);
  return logger;
}
