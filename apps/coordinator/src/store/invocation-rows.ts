// The invocations table's row shape and its mapping to the public record.
import type { InvocationRecord, InvocationStatus, NewInvocation } from "./invocation-types.js";
import type { StoredError } from "./sql.js";

export interface InvocationRow {
  id: string;
  service: string;
  handler: string;
  kind: string;
  object_key: string | null;
  idempotency_key: string | null;
  status: InvocationStatus;
  input: string;
  output: string | null;
  error: StoredError | null;
  attempt: number;
  headers: Record<string, string>;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  next_attempt_at: Date | null;
  parent_id: string | null;
  parent_entry_index: number | null;
  cancel_requested: boolean;
  run_key: string | null;
  method_name: string | null;
  paused: boolean;
}

/** The row a fresh insert produced, from what was inserted and the database's timestamp. */
export function newRow(v: NewInvocation, createdAt: Date): InvocationRow {
  return {
    id: v.id,
    service: v.service,
    handler: v.handler,
    kind: v.kind ?? "function",
    object_key: v.objectKey ?? null,
    idempotency_key: v.idempotencyKey ?? null,
    status: "pending",
    input: v.input,
    output: null,
    error: null,
    attempt: 1,
    headers: v.headers ?? {},
    created_at: createdAt,
    updated_at: createdAt,
    completed_at: null,
    next_attempt_at: null,
    parent_id: null,
    parent_entry_index: null,
    cancel_requested: false,
    run_key: v.runKey ?? null,
    method_name: v.methodName ?? null,
    paused: false,
  };
}

export function toRecord(r: InvocationRow): InvocationRecord {
  return {
    id: r.id,
    service: r.service,
    handler: r.handler,
    kind: r.kind,
    objectKey: r.object_key,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    input: r.input,
    output: r.output,
    error: r.error,
    attempt: r.attempt,
    headers: r.headers,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    nextAttemptAt: r.next_attempt_at,
    parentId: r.parent_id,
    parentEntryIndex: r.parent_entry_index,
    cancelRequested: r.cancel_requested,
    runKey: r.run_key,
    methodName: r.method_name,
    paused: r.paused,
  };
}
