/**
 * How loudly the coordinator logs an invocation's failure reported by its worker. None of them is
 * the coordinator's own fault (those are store failures and protocol violations, logged at error
 * where they happen), and the worker has already logged the handler's stack where it ran.
 *
 * - info, no stack: the caller's mistake (input the handler's schema refuses, a component or
 *   method the worker does not have), or a cancellation the caller asked for.
 * - warn, no stack: an outcome the handler chose (a TerminalError with its own code), or the
 *   engine's normal way of working (a step retry, a draining or lost worker).
 * - warn, with stack: a fault in the handler (an unexpected exception, non-determinism, misuse of
 *   the context API): someone must fix the handler, not the coordinator.
 */
export interface FailureLogLevel {
  level: "info" | "warn";
  withStack: boolean;
}

const CALLER_MISTAKES = new Set(["INVALID_INPUT", "COMPONENT_NOT_FOUND", "HANDLER_NOT_FOUND", "INVALID_APPROVAL"]);

const NOT_FAULTS = new Set(["CANCELLED", "WORKER_DRAINING", "WORKER_LOST", "SUPERSEDED", "STEP_RETRY", "RETRYABLE"]);

/** Non-retryable codes that still mean a bug in the handler's code or its use of the SDK. */
const HANDLER_FAULTS = new Set([
  "HANDLER_ERROR",
  "INVALID_ARGUMENT",
  "INVALID_OPERATION",
  "INVALID_OUTPUT",
  "INVALID_DEFINITION",
  "NON_DETERMINISM",
  "READ_ONLY",
  "NOT_IN_WORKER",
  "INVALID_JOURNAL",
  "INVALID_STATE",
  "SEND_FAILED",
]);

export function failureLogLevel(failure: { code: string; retryable: boolean } | undefined): FailureLogLevel {
  if (!failure) return { level: "warn", withStack: false };
  if (CALLER_MISTAKES.has(failure.code) || failure.code === "CANCELLED") return { level: "info", withStack: false };
  if (NOT_FAULTS.has(failure.code)) return { level: "warn", withStack: false };
  if (HANDLER_FAULTS.has(failure.code)) return { level: "warn", withStack: true };
  // A TerminalError the handler threw on purpose, with its own code (or TERMINAL).
  if (!failure.retryable) return { level: "warn", withStack: false };
  return { level: "warn", withStack: true };
}
