import type { InvocationCompleted, InvocationFailed, ProposeEntry, StreamChunk, SuspendInvocation } from "@agnt5/proto";
import { liveStatusOf } from "../domain/invocation-state.js";
import type { ActiveInvocation, Outcome } from "../engine/active-invocation.js";
import { Admission, type SubmitRequest } from "../engine/admission.js";
import type { ClusterPort } from "../engine/cluster-port.js";
import { ClusterRouting } from "../engine/cluster-routing.js";
import { Completion } from "../engine/completion.js";
import { Dispatcher } from "../engine/dispatcher.js";
import type { EngineContext } from "../engine/engine-context.js";
import { FailureHandling } from "../engine/failure.js";
import { handle, type InvocationHandle, recordOutcome, settledHandle } from "../engine/invocation-handle.js";
import { JournalCommits } from "../engine/journal-commits.js";
import type { InvocationRecords, JournalRecords, TimerScheduler } from "../engine/ports.js";
import { recover } from "../engine/recovery.js";
import { RunWaiters } from "../engine/run-waiters.js";
import { Suspension } from "../engine/suspension.js";
import { EntityScheduler } from "../entities/entity-scheduler.js";
import type { EntityStorePort } from "../entities/entity-store-port.js";
import { CoordinatorError } from "../errors.js";
import type { LiveEntry } from "../journal/journal-entry.js";
import type { FiredTimer } from "../journal/timer-service.js";
import { DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from "../limits/payload-limits.js";
import type { Logger } from "../logger.js";
import type { EngineObserver } from "../observability/engine-observer.js";
import { pauseRun, resumeRun } from "../runs/pause.js";
import { restartRunFrom, retryRun } from "../runs/retry.js";
import { cancelRun, signalRun } from "../runs/run-control.js";
import type { EntryResultRow, InvocationRecord } from "../store/index.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import type { WorkerConnection } from "../workers/worker-connection.js";

export type { SubmitRequest } from "../engine/admission.js";
export type { InvocationHandle } from "../engine/invocation-handle.js";
export { recordOutcome } from "../engine/invocation-handle.js";

/**
 * The coordinator's engine, as the gateway and the worker service see it: a thin facade over its
 * parts (engine/: admission, dispatcher, journal commits, suspension, completion, failure handling,
 * recovery; runs/: run control), which share one EngineContext. Drives invocations from acceptance
 * to their recorded end: persist before anything is acknowledged, queue per service, dispatch with
 * the journal, commit every proposed entry before acknowledging it, suspend and resume, retry per
 * policy, re-dispatch when a worker is lost, and recover unfinished invocations after a restart.
 */
export class InvocationManager {
  readonly entities: EntityScheduler;
  readonly #ctx: EngineContext;
  readonly #dispatcher: Dispatcher;
  readonly #admission: Admission;
  readonly #completion: Completion;
  readonly #failures: FailureHandling;
  readonly #commits: JournalCommits;
  readonly #suspension: Suspension;

  constructor(
    store: InvocationRecords,
    journal: JournalRecords,
    services: ServiceRegistry,
    logger: Logger,
    entityStore: EntityStorePort,
    observer?: EngineObserver,
    limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS,
  ) {
    // The parts reach each other through the context; each method is bound once all exist.
    const ctx = {
      active: new Map<string, ActiveInvocation>(),
      records: store,
      journal,
      services,
      logger,
      limits,
      waiters: new RunWaiters(),
      suspendedStreams: new Map(),
      timers: undefined,
      routing: undefined,
      ...(observer ? { observer } : {}),
    } as Partial<EngineContext> as EngineContext & { entities: EntityScheduler };
    this.#ctx = ctx;
    this.#dispatcher = new Dispatcher(ctx);
    this.#admission = new Admission(ctx, (record) => this.handleFor(record));
    this.#completion = new Completion(ctx);
    this.#failures = new FailureHandling(ctx, (worker, invocation) => this.#dispatcher.refused(worker, invocation));
    this.#commits = new JournalCommits(ctx, (child, parent) => this.#admission.startChild(child, parent));
    this.#suspension = new Suspension(ctx);
    Object.assign(ctx, {
      step: (invocation, event) => this.#dispatcher.step(invocation, event),
      ready: (invocation) => this.#dispatcher.ready(invocation),
      release: (worker, invocation) => this.#dispatcher.release(worker, invocation),
      admit: (invocation) => this.#admission.admit(invocation),
      revive: (record, attempt, entries) => this.#admission.revive(record, attempt, entries),
      isEntityWrite: (invocation) => this.#admission.isEntityWrite(invocation),
      finish: (invocation, write, outcome) => this.#completion.finish(invocation, write, outcome),
      finishFailed: (invocation, failure) => this.#completion.finishFailed(invocation, failure),
      settle: (invocation, outcome) => this.#completion.settle(invocation, outcome),
      deliver: (id, index, result) => this.#commits.deliver(id, index, result),
      resume: (id, retry) => this.#suspension.resume(id, retry),
      resuming: (id) => this.#suspension.resuming(id),
    } satisfies Omit<
      EngineContext,
      | "active"
      | "records"
      | "journal"
      | "services"
      | "logger"
      | "limits"
      | "waiters"
      | "suspendedStreams"
      | "entities"
      | "timers"
      | "routing"
      | "observer"
    >);
    this.entities = new EntityScheduler(
      entityStore,
      {
        dispatch: (invocation) => ctx.ready(invocation),
        completeFromMarker: (invocation, output) => this.#completion.completeWith(invocation, output),
        fail: (invocation, error) =>
          void ctx.finishFailed(invocation, {
            code: "UNAVAILABLE",
            message: `The state of entity ${invocation.handler}/${invocation.objectKey} could not be loaded: ${(error as Error).message}`,
          }),
        isWrite: (invocation) => ctx.isEntityWrite(invocation),
      },
      logger,
      limits,
    );
    ctx.entities = this.entities;
  }

  /** The timer service reports fired timers here; it is created after the manager. */
  attachTimers(timers: TimerScheduler): void {
    this.#ctx.timers = timers;
  }

  /**
   * Makes this engine one replica of several (AGNT5_CLUSTER=1): runs without a worker here are
   * handed over, entity keys have one writer across replicas, wake-ups reach the owner.
   */
  attachCluster(cluster: ClusterPort): ClusterRouting {
    const routing = new ClusterRouting(this.#ctx, cluster, {
      takeQueued: (service) => this.#dispatcher.takeQueued(service),
      queuedServices: () => this.#dispatcher.queuedServices(),
      requeue: (invocation) => this.#dispatcher.ready(invocation, true),
    });
    this.#ctx.routing = routing;
    return routing;
  }

  /** A takeover moved these invocations here: recover them from their journals. */
  async recoverAdopted(ids: readonly string[]): Promise<number> {
    this.#ctx.routing?.forgetKeys();
    const only = new Set(ids);
    const recovery = recover(this.#ctx, only);
    // Entity writes arriving meanwhile queue behind the recovered ones of their key.
    this.#ctx.routing?.recovering(only, recovery);
    const recovered = await recovery;
    // Their timers may be due already; the timer service looks again.
    this.#ctx.timers?.schedule(new Date());
    return recovered;
  }

  /** The invocations in memory with their phase (metrics read it at scrape time). */
  activeInvocations(): Iterable<{ service: string; state: string }> {
    return this.#ctx.active.values();
  }

  get activeCount(): number {
    return this.#ctx.active.size;
  }

  // --- callers --------------------------------------------------------------------------------

  submit(request: SubmitRequest): Promise<InvocationHandle> {
    return this.#admission.submit(request);
  }

  /** A handle on an invocation known to the store, live here, suspended, or already finished. */
  handleFor(record: InvocationRecord): InvocationHandle {
    const live = this.#ctx.active.get(record.id);
    if (live) return handle(live, false);
    const outcome = recordOutcome(record) ?? this.#ctx.waiters.wait(record.id).promise;
    this.#ctx.routing?.watch(record);
    return settledHandle(record.id, outcome);
  }

  /**
   * Resolves when the invocation reaches a terminal state (live, suspended, or finished already).
   * Rejects with a TIMEOUT error when `signal` aborts first.
   */
  async waitForEnd(id: string, signal?: AbortSignal): Promise<Outcome> {
    // Registered before the read, so an end between the two is not missed. Every terminal
    // settle reaches the waiters, whether the invocation is live now or resumed later.
    const waiter = this.#ctx.waiters.wait(id);
    const record = await this.#ctx.records.get(id);
    if (!record) {
      waiter.dispose();
      throw new CoordinatorError("RUN_NOT_FOUND", `No run or invocation with id "${id}"`);
    }
    const finished = this.#ctx.active.has(id) ? undefined : recordOutcome(record);
    if (finished) {
      waiter.dispose();
      return finished;
    }
    this.#ctx.routing?.watch(record);
    if (!signal) return waiter.promise;
    return new Promise<Outcome>((resolve, reject) => {
      const onAbort = () => {
        waiter.dispose();
        reject(new CoordinatorError("TIMEOUT", `Run "${id}" has not ended yet`, { invocationId: id }));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      void waiter.promise.then((outcome) => {
        signal.removeEventListener("abort", onAbort);
        resolve(outcome);
      });
    });
  }

  /** Live facts about an invocation this process drives, if any. */
  liveStatus(
    id: string,
  ): { status: "pending" | "running" | "waiting"; attempt: number; currentEntry: LiveEntry | undefined } | undefined {
    const invocation = this.#ctx.active.get(id);
    if (!invocation) return undefined;
    const status = liveStatusOf(invocation.state, invocation.awaiting);
    return { status, attempt: invocation.attempt, currentEntry: invocation.currentEntry };
  }

  /** Re-queues unfinished invocations and re-delivers what completed while we were down. */
  recover(): Promise<number> {
    return recover(this.#ctx);
  }

  // --- run control ----------------------------------------------------------------------------

  /** Sends a signal to a run: delivered to its waiting ctx.signal, or kept until one waits. */
  signal(runId: string, name: string, payload: string): Promise<{ delivered: boolean }> {
    return signalRun(this.#ctx, runId, name, payload);
  }

  /** Asks a run to cancel (RUN_FINISHED when it has ended). */
  cancel(runId: string): Promise<InvocationRecord> {
    return cancelRun(this.#ctx, runId);
  }

  /** Pauses a run: not dispatched, its timers wait, until resumed (409 RUN_NOT_PAUSABLE once ended). */
  pause(runId: string): Promise<InvocationRecord> {
    return pauseRun(this.#ctx, runId);
  }

  /** Resumes a paused run: dispatched again if it was runnable; timers that came due fire. */
  resume(runId: string): Promise<InvocationRecord> {
    return resumeRun(this.#ctx, runId);
  }

  /** Runs a failed run again under its id, at the next attempt (409 RUN_NOT_RETRYABLE otherwise). */
  retry(runId: string): Promise<InvocationRecord> {
    return retryRun(this.#ctx, runId);
  }

  /**
   * A new run (`newRunId` or `<runId>.r<n>`) of the same component and input, replaying the
   * entries before `fromEntry` and running the rest (400 INVALID_REQUEST when out of range).
   */
  restartFrom(runId: string, fromEntry: number, options?: { newRunId?: string }): Promise<InvocationRecord> {
    return restartRunFrom(this.#ctx, runId, fromEntry, options);
  }

  // --- worker events --------------------------------------------------------------------------

  workerAvailable(worker: WorkerConnection): void {
    this.#dispatcher.dispatch(worker.serviceName);
  }

  workerLost(worker: WorkerConnection): void {
    this.#dispatcher.workerLost(worker);
  }

  chunk(worker: WorkerConnection, message: StreamChunk): void {
    const invocation = this.#dispatcher.ownedBy(worker, message.invocationId);
    if (invocation) this.#commits.chunk(invocation, message);
  }

  /** A proposed journal entry: commit it with its side effects, then acknowledge. */
  proposeEntry(worker: WorkerConnection, message: ProposeEntry): void {
    const invocation = this.#dispatcher.ownedBy(worker, message.invocationId, message.attempt);
    if (invocation) this.#commits.propose(worker, invocation, message);
  }

  /** The handler waits on slow entries only: it leaves the worker until one of them completes. */
  suspend(worker: WorkerConnection, message: SuspendInvocation): void {
    const invocation = this.#dispatcher.ownedBy(worker, message.invocationId, message.attempt);
    if (invocation) this.#suspension.suspend(worker, invocation, message);
  }

  completed(worker: WorkerConnection, message: InvocationCompleted): void {
    const invocation = this.#dispatcher.ownedBy(worker, message.invocationId, message.attempt);
    if (!invocation) return;
    this.#dispatcher.release(worker, invocation);
    this.#completion.completed(invocation, message);
  }

  failed(worker: WorkerConnection, message: InvocationFailed): void {
    const invocation = this.#dispatcher.ownedBy(worker, message.invocationId, message.attempt);
    if (invocation) this.#failures.failed(worker, invocation, message);
  }

  /** A timer fired (its entry is already completed in the store). */
  timerFired(timer: FiredTimer): void {
    void this.deliver(timer.invocationId, timer.index, timer.result);
  }

  /** An awaited entry got its (committed) result: to the worker running it, or out of suspension. */
  deliver(invocationId: string, index: number, result: EntryResultRow): Promise<void> {
    return this.#commits.deliver(invocationId, index, result);
  }

  /** Stops timers; in-flight invocations stay recorded and are recovered by the next start. */
  close(): void {
    this.#ctx.routing?.close();
    for (const invocation of this.#ctx.active.values()) clearTimeout(invocation.retryTimer);
    this.#suspension.close();
  }
}
