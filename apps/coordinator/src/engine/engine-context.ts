import type { InvocationEvent } from "../domain/invocation-state.js";
import type { EntityScheduler } from "../entities/entity-scheduler.js";
import type { PayloadLimits } from "../limits/payload-limits.js";
import type { Logger } from "../logger.js";
import type { EngineObserver } from "../observability/engine-observer.js";
import type { EntryResultRow, InvocationRecord, JournalEntryRecord, StoredError } from "../store/index.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import type { WorkerConnection } from "../workers/worker-connection.js";
import type { ActiveInvocation, ChunkListener, Outcome } from "./active-invocation.js";
import type { ClusterRouting } from "./cluster-routing.js";
import type { InvocationRecords, JournalRecords, TimerScheduler } from "./ports.js";
import type { RunWaiters } from "./run-waiters.js";

/**
 * What the engine's parts share: the invocations in memory, the stores, and each other's
 * operations (wired by the facade, so no part imports another and each can be tested alone).
 */
export interface EngineContext {
  /** Invocations this process drives: queued, held, running, backing off, suspending or finishing. */
  readonly active: Map<string, ActiveInvocation>;
  readonly records: InvocationRecords;
  readonly journal: JournalRecords;
  readonly services: ServiceRegistry;
  readonly logger: Logger;
  /** AGNT5_MAX_*: payloads over these are refused before they are stored (limits/). */
  readonly limits: PayloadLimits;
  readonly waiters: RunWaiters;
  /**
   * The chunks and stream listeners of suspended invocations a caller is streaming (an agent run's
   * SSE): the resumed run re-sends its earlier chunks, dropped as duplicates, and its new ones reach
   * the same listeners. Invocations nobody streams carry nothing over.
   */
  readonly suspendedStreams: Map<string, { chunks: string[]; listeners: Set<ChunkListener> }>;
  readonly entities: EntityScheduler;
  timers: TimerScheduler | undefined;
  /** Several replicas (AGNT5_CLUSTER=1): hand-overs, entity keys, wake-ups elsewhere; undefined alone. */
  routing: ClusterRouting | undefined;
  /** Metrics hooks (observability/), called at admission, end, journal commit and suspension. */
  readonly observer?: EngineObserver;

  // dispatcher
  /** Changes the invocation's phase (domain `transition`) and carries out the effects. */
  step(invocation: ActiveInvocation, event: InvocationEvent): boolean;
  /** Ready to run: queued, or held while its run is paused. */
  ready(invocation: ActiveInvocation): void;
  release(worker: WorkerConnection, invocation: ActiveInvocation): void;
  // admission
  admit(invocation: ActiveInvocation): void;
  revive(record: InvocationRecord, attempt: number, entries?: readonly JournalEntryRecord[]): Promise<ActiveInvocation>;
  isEntityWrite(invocation: ActiveInvocation): boolean;
  // completion
  finish(
    invocation: ActiveInvocation,
    write: () => Promise<{ applied: boolean; parent?: { invocationId: string; index: number } }>,
    outcome: Outcome,
  ): Promise<boolean>;
  finishFailed(invocation: ActiveInvocation, failure: StoredError): Promise<void>;
  /** Drops it from memory and tells its callers (and the run's waiters) how it ended. */
  settle(invocation: ActiveInvocation, outcome: Outcome): void;
  // journal commits
  deliver(invocationId: string, index: number, result: EntryResultRow): Promise<void>;
  // suspension
  resume(id: string, retry?: boolean): Promise<void>;
  /** The resume under way for an invocation, if any. */
  resuming(id: string): Promise<void> | undefined;
}
