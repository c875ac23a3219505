// The invocation store's public record types, shared by the store, its batched writes and its row mapping.
import type { StoredError } from "./sql.js";

export type InvocationStatus = "pending" | "running" | "suspended" | "completed" | "failed" | "cancelled";

export interface NewInvocation {
  id: string;
  service: string;
  handler: string;
  /** Defaults to "function". */
  kind?: string;
  /** JSON text, stored verbatim. */
  input: string;
  headers: Record<string, string>;
  idempotencyKey?: string;
  objectKey?: string;
  /** Id of the workflow run this invocation belongs to (optional). */
  runKey?: string;
  /** Entity invocations: the method called (handler is the entity type, objectKey the key). */
  methodName?: string;
}

export interface InvocationRecord {
  id: string;
  service: string;
  handler: string;
  kind: string;
  objectKey: string | null;
  idempotencyKey: string | null;
  status: InvocationStatus;
  input: string;
  output: string | null;
  error: StoredError | null;
  attempt: number;
  headers: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  nextAttemptAt: Date | null;
  /** For a child call: the parent invocation and the index of its `call` entry. */
  parentId: string | null;
  parentEntryIndex: number | null;
  cancelRequested: boolean;
  runKey: string | null;
  methodName: string | null;
  /** Paused by run control: not dispatched, its timers wait, until resumed. */
  paused: boolean;
}

export interface CreateResult {
  /** false when the idempotency key already existed: `record` is the existing invocation. */
  created: boolean;
  record: InvocationRecord;
}

/** Outcome of a terminal write (complete, fail, cancelled). */
export interface FinishResult {
  /** false (and nothing changed) when the invocation was already terminal or does not exist. */
  applied: boolean;
  /** Set when this write also completed the parent's `call` entry (same transaction). */
  parent?: { invocationId: string; index: number };
}
