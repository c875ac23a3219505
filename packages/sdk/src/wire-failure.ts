import type { SerializedError } from "@agnt5/core";
import { create, type Failure, FailureSchema } from "@agnt5/proto";

/** SerializedError (core) -> Failure (protocol). */
export function toWireFailure(error: SerializedError): Failure {
  return create(FailureSchema, {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs && error.retryAfterMs > 0 ? BigInt(Math.round(error.retryAfterMs)) : 0n,
    type: error.type,
    detailsJson: error.details === undefined ? "" : safeStringify(error.details),
    stack: error.stack ?? "",
  });
}

/** Details are best-effort: a circular or BigInt-laden value must not turn one failure into another. */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return JSON.stringify(String(value));
  }
}
