import type { Failure } from "@agnt5/proto";
import type { StoredError } from "../store/index.js";
import { toStoredError } from "../store/sql.js";
import type { ActiveInvocation } from "./active-invocation.js";

// Conversions between the worker protocol's frames and what the engine keeps and stores.

const encoder = new TextEncoder();

/** StartInvocation fields of an entity call: its key, method and the committed state it starts from. */
export function entityStart(invocation: ActiveInvocation) {
  const snapshot = invocation.entityState;
  return {
    objectKey: invocation.objectKey ?? "",
    methodName: invocation.methodName ?? "",
    state: Object.entries(snapshot?.state ?? {}).map(([key, value]) => ({ key, value: encoder.encode(value) })),
    stateVersion: BigInt(snapshot?.version ?? 0),
  };
}

/** A worker's Failure as the store will keep it. */
export function storedError(failure: Failure | undefined): StoredError {
  if (!failure) return { code: "HANDLER_ERROR", message: "The handler failed without an error" };
  let details: unknown;
  if (failure.detailsJson) {
    try {
      details = JSON.parse(failure.detailsJson);
    } catch {
      details = undefined;
    }
  }
  // Storable as the store will keep it (U+0000 -> U+FFFD), so the caller sees what the record says.
  return toStoredError({
    code: failure.code || "HANDLER_ERROR",
    message: failure.message,
    ...(failure.type ? { type: failure.type } : {}),
    ...(details === undefined ? {} : { details }),
  });
}
