// What the journal store takes and returns, shared by its SQL files (entries, timers, signals).
import type { NewInvocation } from "./invocation-store.js";
import type { EntryResultRow } from "./sql.js";

export type TimerKind = "timer" | "signal_timeout";

export interface NewJournalEntry {
  invocationId: string;
  index: number;
  /** step | deterministic | timer | signal_wait | signal_emit | call */
  kind: string;
  name: string;
  /** JSON text, or null when the operation has no request. */
  request: string | null;
  /** Completed at proposal (step, deterministic, signal_emit): the entry commits complete. */
  result?: EntryResultRow;
  /** Awaiting timer or signal timeout: a timer row for this entry. */
  timer?: { fireAt: Date; kind: TimerKind };
  /** Awaiting child call: the child invocation (pending), created unless its id exists. */
  child?: NewInvocation & { parentId: string; parentEntryIndex: number };
  /**
   * Awaiting signal: consumes the oldest unconsumed signal `name` of run `runId` if there is one
   * (the entry then commits complete with `{"payload":...}` and its timer is dropped). Signals
   * emitted later are delivered to waits of the invocation whose id is `runId`.
   */
  signalWait?: { runId: string; name: string };
}

export interface AppendResult {
  /** The entry already existed (a re-proposal): nothing was written. */
  duplicate: boolean;
  /** Set when the entry is complete after the transaction (carried result, consumed signal, or a complete duplicate). */
  completed?: EntryResultRow;
}

export interface JournalEntryRecord {
  index: number;
  kind: string;
  name: string;
  request: string | null;
  /** undefined while awaiting. */
  result: EntryResultRow | undefined;
}

export interface FiredTimer {
  invocationId: string;
  index: number;
  result: EntryResultRow;
}

export interface SignalDelivery {
  /** The waiting entry the signal completed; absent when it went to the mailbox. */
  deliveredTo?: { invocationId: string; index: number };
}

export interface FinishedChildCall {
  parentId: string;
  index: number;
  childId: string;
  result: EntryResultRow;
}

export type EmitOp = { type: "emit"; runId: string; name: string; payload: string };
export type FireOp = { type: "fire"; now: Date; limit: number };

const SEP = "\u0000";
/** One key per journal entry (ids never hold U+0000). */
export const entryKey = (invocationId: string, index: number) => `${invocationId}${SEP}${index}`;
