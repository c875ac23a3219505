import type { DurableContext } from "@agnt5/core";
import {
  DurableExecution,
  type EntryResult,
  type ExecutionOutcome,
  isCompletedAtProposal,
  type JournalEntry,
  type Outbound,
} from "@agnt5/durable";

export interface DurableRun {
  outcome: Promise<ExecutionOutcome>;
  /** The entries this run proposed, with the results the "coordinator" acknowledged. */
  proposals(): JournalEntry[];
  /** The replayed journal followed by this run's proposals: what the coordinator holds afterwards. */
  journal(): JournalEntry[];
}

/**
 * Runs `handler` on the real durable engine with `journal` (a re-dispatch after a crash or a
 * suspension), acking every proposal as the coordinator does. An awaiting entry (an approval) is
 * completed with `complete(entry)` when that returns a result; otherwise the run suspends at once.
 */
export function runDurable(
  journal: JournalEntry[],
  handler: (ctx: DurableContext) => Promise<unknown>,
  complete?: (entry: JournalEntry) => EntryResult | undefined,
): DurableRun {
  const frames: Outbound[] = [];
  const completed = new Map<number, EntryResult>();
  const execution: DurableExecution = new DurableExecution({
    invocationId: "inv-1",
    runId: "run-1",
    attempt: 1,
    componentType: "workflow",
    componentName: "agent_flow",
    serviceName: "agents",
    journal,
    suspendAfterMs: 0,
    defaultStepRetry: { maxAttempts: 3, initialIntervalMs: 1, maxIntervalMs: 5, backoffMultiplier: 2 },
    send: (frame) => {
      frames.push(frame);
      if (frame.type !== "propose") return;
      const entry = frame.entry;
      queueMicrotask(() => {
        if (isCompletedAtProposal(entry.kind)) return execution.onAck(entry.index, entry.result);
        const result = complete?.(entry);
        if (result === undefined) return execution.onAck(entry.index);
        completed.set(entry.index, result);
        execution.onAck(entry.index, result);
      });
    },
  });
  const outcome = execution.run(handler);
  const proposals = () =>
    frames.flatMap((frame) => {
      if (frame.type !== "propose") return [];
      const result = completed.get(frame.entry.index) ?? frame.entry.result;
      return [{ ...frame.entry, ...(result === undefined ? {} : { result }) }];
    });
  return { outcome, proposals, journal: () => [...journal, ...proposals()] };
}
