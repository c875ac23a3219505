import { isDeepStrictEqual } from "node:util";
import { CoordinatorError } from "../errors.js";
import type { InvocationRecord } from "../store/index.js";

/** What of a submitted request is compared with the invocation its run id or key already names. */
export interface SubmittedRequest {
  service: string;
  handler: string;
  kind: string;
  /** JSON text. */
  input: string;
  idempotencyKey?: string;
  id?: string;
  objectKey?: string;
  methodName?: string;
}

/**
 * A caller-chosen run id or an Idempotency-Key that already exists names an earlier invocation. It
 * stands for this request only if that invocation was the same request: otherwise the caller reused
 * the id or key by mistake, and handing back the earlier invocation would hide it. Only called when
 * the id or key already existed, so the common path costs nothing.
 */
export function assertSameRequest(request: SubmittedRequest, existing: InvocationRecord): void {
  if (request.id !== undefined && existing.id === request.id) {
    if (existing.service === request.service && existing.handler === request.handler && existing.kind === request.kind)
      return;
    throw new CoordinatorError(
      "RUN_ID_CONFLICT",
      `Run id "${request.id}" already belongs to ${describe(existing)}; it cannot also start ${describe(request)}`,
      { details: { runId: request.id, existing: target(existing), requested: target(request) } },
    );
  }
  if (request.idempotencyKey === undefined) return;
  const different = differences(request, existing);
  if (different.length === 0) return;
  throw new CoordinatorError(
    "IDEMPOTENCY_KEY_REUSED",
    `Idempotency-Key "${request.idempotencyKey}" was already used with other parameters (a different ${different.join(", ")}) ` +
      `for invocation ${existing.id}; use a new key for a new request`,
    { details: { idempotencyKey: request.idempotencyKey, invocationId: existing.id, differentParameters: different } },
  );
}

/** The parameters of the request that differ from the earlier invocation's (service and handler scope the key). */
function differences(request: SubmittedRequest, existing: InvocationRecord): string[] {
  const different: string[] = [];
  if ((request.objectKey ?? null) !== existing.objectKey) different.push("entity key");
  if ((request.methodName ?? null) !== existing.methodName) different.push("method");
  if (!sameJson(request.input, existing.input)) different.push("input");
  return different;
}

/** Equal JSON values, whatever their formatting or the order of their object keys. */
function sameJson(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

function describe(invocation: { kind: string; service: string; handler: string }): string {
  return invocation.kind === "workflow" || invocation.kind === "agent"
    ? `a run of ${invocation.kind} "${invocation.handler}" (service "${invocation.service}")`
    : `a ${invocation.kind} invocation of "${invocation.service}/${invocation.handler}"`;
}

function target(invocation: { kind: string; service: string; handler: string }) {
  return { kind: invocation.kind, service: invocation.service, handler: invocation.handler };
}
