/**
 * @agnt5/durable: the durable-execution engine (docs/durable-execution.md). It replays a journal,
 * proposes new entries, waits for acknowledgements and decides how a run ends; the runtime (the
 * SDK's Worker) moves the frames. No I/O.
 */
export { approvalSignalName, toDecision as readApprovalDecision } from "./approval-operation.js";
export { DEFAULT_SUSPEND_AFTER_MS, DurableExecution, type DurableExecutionOptions } from "./durable-execution.js";
export {
  type EntryFailure,
  type EntryKind,
  type EntryResult,
  type ExecutionFailure,
  type ExecutionOutcome,
  isCompletedAtProposal,
  type JournalEntry,
  type JsonValue,
  type Outbound,
} from "./journal-entry.js";
export { IN_PROCESS_BACKOFF_LIMIT_MS } from "./step-retry.js";
export type { ExecutionTimers } from "./suspension-tracker.js";
export { nextCronMatch } from "./timer-operations.js";
