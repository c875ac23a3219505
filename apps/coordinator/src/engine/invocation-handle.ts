import type { InvocationRecord } from "../store/index.js";
import type { ActiveInvocation, ChunkListener, Outcome } from "./active-invocation.js";

/** What a caller holds on to: the invocation's id, its outcome, and its stream of chunks. */
export interface InvocationHandle {
  id: string;
  /** false when the id or idempotency key already existed: this is the earlier invocation. */
  created: boolean;
  /** Resolves once the invocation is recorded (what an asynchronous caller waits for); rejects if it could not be. */
  recorded: Promise<unknown>;
  outcome: Promise<Outcome>;
  /** Chunks already received are replayed to the listener first. Returns an unsubscribe. */
  subscribe(listener: ChunkListener): () => void;
}

/** The handle of an invocation held in memory: chunks received so far are replayed first. */
export function handle(invocation: ActiveInvocation, created: boolean): InvocationHandle {
  return {
    id: invocation.id,
    created,
    recorded: invocation.recorded,
    outcome: invocation.outcome,
    subscribe(listener) {
      for (const [seq, data] of invocation.chunks.entries()) listener(seq, data);
      invocation.listeners.add(listener);
      return () => invocation.listeners.delete(listener);
    },
  };
}

/** The handle of an invocation that already ended (or whose end is read from the store). */
export function settledHandle(id: string, outcome: Outcome | Promise<Outcome>): InvocationHandle {
  const promise = Promise.resolve(outcome);
  return {
    id,
    created: false,
    recorded: Promise.resolve(),
    outcome: promise,
    // A finished streaming invocation replays its recorded chunks (its output is their array).
    subscribe(listener) {
      void promise.then((result) => {
        if (result.status !== "completed") return;
        const chunks = JSON.parse(result.output) as unknown;
        if (!Array.isArray(chunks)) return;
        for (const [seq, chunk] of chunks.entries()) listener(seq, JSON.stringify(chunk));
      });
      return () => {};
    },
  };
}

/** The outcome of a record that has ended, or undefined while it has not. */
export function recordOutcome(record: InvocationRecord): Outcome | undefined {
  switch (record.status) {
    case "completed":
      return { status: "completed", output: record.output ?? "null" };
    case "failed":
      return { status: "failed", error: record.error ?? { code: "HANDLER_ERROR", message: "failed" } };
    case "cancelled":
      return { status: "cancelled", output: record.output, ...(record.error ? { error: record.error } : {}) };
    default:
      return undefined;
  }
}
