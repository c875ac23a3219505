import type { InvocationStore, JournalStore } from "../store/index.js";

// What the engine needs of the store: the PostgreSQL/PGlite stores implement these, and unit
// tests of the engine's parts pass fakes of them (never of the database).

/** Invocation records: created, moved between statuses, finished, read back. */
export type InvocationRecords = Pick<
  InvocationStore,
  | "create"
  | "createRun"
  | "complete"
  | "fail"
  | "cancelled"
  | "requestCancel"
  | "suspend"
  | "resume"
  | "scheduleRetry"
  | "recordRunning"
  | "setPaused"
  | "reopen"
  | "restart"
  | "get"
  | "listUnfinished"
  | "unfinishedIds"
  | "listSuspended"
  | "listSuspendedReady"
>;

/** Journals, with the timers, child calls and signals committed alongside their entries. */
export type JournalRecords = Pick<
  JournalStore,
  | "append"
  | "completeEntry"
  | "emitSignal"
  | "load"
  | "loadMany"
  | "pendingCallsWithFinishedChildren"
  | "dropFailedTail"
>;

/** The timer service: told when a timer is written or may have come due, so it wakes for it. */
export interface TimerScheduler {
  schedule(fireAt: Date): void;
}
