/**
 * The journal model shared with the coordinator (docs/durable-execution.md). An invocation's
 * journal is a dense list of entries, index 0, 1, 2, ...; each durable operation reserves the next
 * index synchronously, when it is called.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type EntryKind = "step" | "deterministic" | "timer" | "signal_wait" | "signal_emit" | "call";

export interface EntryFailure {
  code: string;
  message: string;
  type?: string;
  details?: unknown;
}

export type EntryResult = { ok: true; value: unknown } | { ok: false; failure: EntryFailure };

export interface JournalEntry {
  index: number;
  kind: EntryKind;
  name: string;
  request: unknown;
  /** Absent while an awaiting entry waits for its completion. */
  result?: EntryResult;
}

/** What the engine asks its runtime to send to the coordinator. */
export type Outbound =
  /** A new entry. Carries its result for step, deterministic and signal_emit entries. */
  | { type: "propose"; entry: JournalEntry }
  /** The handler is blocked on these awaiting entries; the worker forgets the invocation. */
  | { type: "suspend"; waitingOn: number[] };

export interface ExecutionFailure extends EntryFailure {
  retryable: boolean;
  retryAfterMs?: number;
  stack?: string;
}

/** How a run of the handler ended, for the runtime to report. */
export type ExecutionOutcome =
  | { type: "completed"; value: unknown }
  | { type: "failed"; failure: ExecutionFailure }
  | { type: "suspended"; waitingOn: number[] }
  | { type: "cancelled"; value: unknown };

/**
 * Kinds whose result the worker produces (by running code or drawing a value) and proposes with the
 * entry. The other kinds are "awaiting": proposed without a result, completed by the coordinator.
 */
const COMPLETED_AT_PROPOSAL: ReadonlySet<EntryKind> = new Set<EntryKind>(["step", "deterministic", "signal_emit"]);

export function isCompletedAtProposal(kind: EntryKind): boolean {
  return COMPLETED_AT_PROPOSAL.has(kind);
}
