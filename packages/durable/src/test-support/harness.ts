import { DurableExecution, type DurableExecutionOptions } from "../durable-execution.js";
import { type EntryResult, isCompletedAtProposal, type JournalEntry, type Outbound } from "../journal-entry.js";
import { flush, ManualTimers } from "./manual-timers.js";

export { flush, ManualTimers };

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** Retries fast enough to stay in process. */
export const testRetryPolicy = { maxAttempts: 3, initialIntervalMs: 10, maxIntervalMs: 100, backoffMultiplier: 2 };

export interface Harness {
  execution: DurableExecution;
  timers: ManualTimers;
  /** Every frame sent, in order. */
  frames: Outbound[];
  /** The entries proposed, in order. */
  proposals(): JournalEntry[];
  /** Acks an index as the coordinator does. */
  ack(index: number, result?: EntryResult): void;
  /**
   * From now on, acks every proposal (asynchronously, as a coordinator would): completed-at-proposal
   * entries with their result, awaiting ones as recorded-pending, then completes them with
   * `complete(entry)` when it returns a result.
   */
  autoAck(complete?: (entry: JournalEntry) => EntryResult | undefined): void;
}

export function createHarness(options: Partial<DurableExecutionOptions> = {}): Harness {
  const frames: Outbound[] = [];
  const timers = new ManualTimers();
  let onPropose: ((entry: JournalEntry) => void) | undefined;
  let counter = 0;
  const execution = new DurableExecution({
    invocationId: "inv-1",
    runId: "run-1",
    attempt: 1,
    componentType: "workflow",
    componentName: "flow",
    serviceName: "shop",
    journal: [],
    suspendAfterMs: 60_000,
    defaultStepRetry: testRetryPolicy,
    now: () => NOW,
    random: () => 0.42,
    uuid: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`,
    timers,
    ...options,
    send: (frame) => {
      frames.push(frame);
      options.send?.(frame);
      if (frame.type === "propose") onPropose?.(frame.entry);
    },
  });
  const ack = (index: number, result?: EntryResult) => execution.onAck(index, result);
  return {
    execution,
    timers,
    frames,
    proposals: () => frames.flatMap((frame) => (frame.type === "propose" ? [frame.entry] : [])),
    ack,
    autoAck(complete) {
      onPropose = (entry) => {
        queueMicrotask(() => {
          if (isCompletedAtProposal(entry.kind)) return ack(entry.index, entry.result);
          ack(entry.index);
          const result = complete?.(entry);
          if (result) queueMicrotask(() => ack(entry.index, result));
        });
      };
    },
  };
}

export const ok = (value: unknown): EntryResult => ({ ok: true, value });
export const failure = (code: string, message: string, type?: string): EntryResult => ({
  ok: false,
  failure: { code, message, ...(type === undefined ? {} : { type }) },
});
