import { CancelledError, serializeError, TerminalError } from "@agnt5/core";
import type { EntryFailure, ExecutionFailure, ExecutionOutcome } from "./journal-entry.js";

/** How a thrown error is journaled: code, message, type and details (no stack, no retryability). */
export function failureFromError(error: unknown): EntryFailure {
  const { code, message, type, details } = serializeError(error);
  return { code, message, type, ...(details === undefined ? {} : { details }) };
}

/** The error a recorded failure of a timer, signal or deterministic entry is thrown as. */
export function errorFromFailure(failure: EntryFailure): Error {
  if (failure.code === "CANCELLED") return new CancelledError(failure.message);
  return new TerminalError(failure.message, { code: failure.code, details: failure.details });
}

/** The outcome of a run that ends with `error` (from the handler, or the engine's own). */
export function failedOutcome(error: unknown): ExecutionOutcome {
  const { code, message, type, retryable, retryAfterMs, details, stack } = serializeError(error);
  const failure: ExecutionFailure = {
    code,
    message,
    type,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(details === undefined ? {} : { details }),
    ...(stack === undefined ? {} : { stack }),
  };
  return { type: "failed", failure };
}
