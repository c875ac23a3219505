import { TerminalError } from "@agnt5/core";

export type { MemoryFilter, MemoryRecord } from "@agnt5/adk";

/**
 * A memory backend error: TerminalError (not retried: retrying does not install an extension) with a
 * code — INVALID_ARGUMENT, VECTOR_EXTENSION_MISSING, EMBEDDING_DIMENSION_MISMATCH.
 */
export function memoryStoreError(code: string, message: string, cause?: unknown): TerminalError {
  return new TerminalError(message, { code, ...(cause === undefined ? {} : { cause }) });
}
