/**
 * How loudly the worker logs an invocation that failed, and whether the line carries the stack.
 * The failure itself (code, message, stack) always goes back to the coordinator or the HTTP caller;
 * this only decides what an operator reading the worker's log should be alarmed by.
 *
 * - info, no stack: the caller's mistake (input that fails the schema or is not JSON, a component
 *   or entity method that does not exist). Nothing on this worker needs fixing.
 * - warn, no stack: an outcome someone chose. A handler's TerminalError (or RetryableError) is the
 *   application's decision; cancellation, shutdown and engine-driven step retries are not faults.
 * - error, with stack: a fault. An unexpected exception thrown by a handler (a bug in user code:
 *   retried per the retry policy, but someone must look at the stack), a handler misusing the
 *   context API, non-determinism, an unserialisable result, or a protocol fault on our side.
 */
export interface FailureLogLevel {
  level: "info" | "warn" | "error";
  withStack: boolean;
}

/** The caller sent something this worker cannot run. */
const CALLER_MISTAKES = new Set(["INVALID_INPUT", "COMPONENT_NOT_FOUND", "INVALID_APPROVAL"]);

/** Outcomes that are nobody's fault: asked for, or the engine's normal way of working. */
const NOT_FAULTS = new Set(["CANCELLED", "WORKER_DRAINING", "WORKER_LOST", "SUPERSEDED", "STEP_RETRY", "RETRYABLE"]);

/**
 * Non-retryable codes that still mean a bug: in the handler's use of the SDK (INVALID_ARGUMENT,
 * READ_ONLY, NON_DETERMINISM, INVALID_OUTPUT, ...) or in the worker/coordinator protocol.
 */
const TERMINAL_FAULTS = new Set([
  "INVALID_ARGUMENT",
  "INVALID_OPERATION",
  "INVALID_OUTPUT",
  "INVALID_DEFINITION",
  "DUPLICATE_COMPONENT",
  "NON_DETERMINISM",
  "READ_ONLY",
  "NOT_IN_WORKER",
  "INVALID_JOURNAL",
  "INVALID_STATE",
  "SEND_FAILED",
]);

export function failureLogLevel(failure: { code: string; retryable: boolean }): FailureLogLevel {
  if (CALLER_MISTAKES.has(failure.code)) return { level: "info", withStack: false };
  if (NOT_FAULTS.has(failure.code)) return { level: "warn", withStack: false };
  if (TERMINAL_FAULTS.has(failure.code)) return { level: "error", withStack: true };
  // A TerminalError the handler threw on purpose, with its own code (or TERMINAL).
  if (!failure.retryable) return { level: "warn", withStack: false };
  return { level: "error", withStack: true };
}
