import type { CommittedEntry } from "./model-usage.js";

/**
 * What the engine tells observers (metrics today) at its clear points. Optional on the engine
 * context: each call site is one line, `ctx.observer?.x(...)`, so the engine does not depend on how
 * the numbers are kept.
 */
export interface EngineObserver {
  /** A new invocation (or child call) was admitted. */
  started(invocation: ObservedInvocation): void;
  /** It ended (recorded completed, failed or cancelled). */
  settled(invocation: ObservedInvocation, status: "completed" | "failed" | "cancelled"): void;
  /** A proposed journal entry was committed, `seconds` after it arrived. */
  journalCommitted(entry: CommittedEntry, seconds: number): void;
  /** It left its worker, suspended. */
  suspended(invocation: ObservedInvocation): void;
  /** It was handed to another replica: it ends there (and is counted there), not here. */
  left?(invocation: ObservedInvocation): void;
}

export interface ObservedInvocation {
  readonly id: string;
  readonly service: string;
  readonly handler: string;
  readonly kind: string;
}
