import { nextRetryDelayMs } from "@agnt5/core";
import { EntityStoreError } from "@agnt5/entity-store";
import type {
  Failure,
  InvocationCompleted,
  InvocationFailed,
  ProposeEntry,
  StreamChunk,
  SuspendInvocation,
} from "@agnt5/proto";
import { EntityScheduler } from "../entities/entity-scheduler.js";
import type { EntityStorePort } from "../entities/entity-store-port.js";
import { CoordinatorError } from "../errors.js";
import { type LiveEntry, liveEntry, toProtoEntry, toProtoResult } from "../journal/journal-entry.js";
import { type ChildInvocation, planProposal } from "../journal/proposal.js";
import type { FiredTimer, TimerService } from "../journal/timer-service.js";
import type { Logger } from "../logger.js";
import type {
  EntryResultRow,
  InvocationRecord,
  InvocationStore,
  JournalEntryRecord,
  JournalStore,
  StoredError,
} from "../store/index.js";
import { toStoredError } from "../store/sql.js";
import { type ComponentKindName, kindValues } from "../workers/component-info.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import type { WorkerConnection } from "../workers/worker-connection.js";
import { ActiveInvocation, type ChunkListener, type Outcome } from "./active-invocation.js";
import { DispatchQueues } from "./dispatch-queue.js";
import { failureLogLevel } from "./failure-log.js";
import { handle, type InvocationHandle, recordOutcome, settledHandle } from "./invocation-handle.js";
import { newInvocationId } from "./invocation-id.js";
import { assertSameRequest } from "./reused-request.js";
import { RunWaiters } from "./run-waiters.js";
import { entityStart, storedError } from "./worker-frames.js";

export type { InvocationHandle } from "./invocation-handle.js";
export { recordOutcome } from "./invocation-handle.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
/**
 * A poison invocation that keeps killing its workers is failed at its this-many-th worker loss.
 * Losses are counted apart from attempts (which retries and restarts raise too), and in memory
 * only: a coordinator restart is not a worker loss, and a poison invocation still fails within ten
 * losses of each coordinator's lifetime.
 */
const MAX_WORKER_LOSSES = 10;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);
/** A resume that could not be recorded is tried again after this long. */
const RESUME_RETRY_MS = 1000;

export interface SubmitRequest {
  service: string;
  handler: string;
  kind: ComponentKindName;
  /** JSON text of the input. */
  input: string;
  headers: Record<string, string>;
  idempotencyKey?: string;
  /**
   * A caller-chosen id (workflow run id): starting an existing id returns that invocation if it is
   * of the same workflow (RUN_ID_CONFLICT otherwise). An existing idempotency key returns its
   * invocation if the request is the same (IDEMPOTENCY_KEY_REUSED otherwise).
   */
  id?: string;
  /** Entity invocations: the key and the method (handler is the entity type). */
  objectKey?: string;
  methodName?: string;
}

/**
 * Drives invocations from acceptance to their recorded end: persist before anything is
 * acknowledged, queue per service, dispatch to the least loaded worker with the journal, commit
 * every proposed journal entry (with its timer, child invocation or signal) before acknowledging
 * it, deliver awaited results, suspend and resume, retry per policy, re-dispatch when a worker is
 * lost, and recover unfinished invocations after a restart.
 */
export class InvocationManager {
  readonly #active = new Map<string, ActiveInvocation>();
  readonly #queues = new DispatchQueues();
  /** Invocations being brought back from suspension: deliveries wait for it to finish. */
  readonly #resuming = new Map<string, Promise<void>>();
  /** Resumes waiting to be tried again after a store failure. */
  readonly #resumeRetries = new Set<NodeJS.Timeout>();
  readonly #waiters = new RunWaiters();
  /**
   * The chunks and stream listeners of suspended invocations a caller is streaming (an agent run's
   * SSE): the resumed run re-sends its earlier chunks, dropped as duplicates, and its new ones reach
   * the same listeners. Invocations nobody streams carry nothing over.
   */
  readonly #suspendedStreams = new Map<string, { chunks: string[]; listeners: Set<ChunkListener> }>();
  readonly entities: EntityScheduler;
  #timers: TimerService | undefined;

  constructor(
    private readonly store: InvocationStore,
    private readonly journal: JournalStore,
    private readonly services: ServiceRegistry,
    private readonly logger: Logger,
    entityStore: EntityStorePort,
  ) {
    this.entities = new EntityScheduler(
      entityStore,
      {
        dispatch: (invocation) => this.#enqueue(invocation),
        completeFromMarker: (invocation, output) => {
          invocation.state = "finishing";
          void this.#finish(invocation, () => this.store.complete(invocation.id, output, invocation.attempt), {
            status: "completed",
            output,
          });
        },
        fail: (invocation, error) =>
          void this.#finishFailed(invocation, {
            code: "UNAVAILABLE",
            message: `The state of entity ${invocation.handler}/${invocation.objectKey} could not be loaded: ${(error as Error).message}`,
          }),
        isWrite: (invocation) => this.#isEntityWrite(invocation),
      },
      logger,
    );
  }

  /** The timer service reports fired timers here; it is created after the manager. */
  attachTimers(timers: TimerService): void {
    this.#timers = timers;
  }

  get activeCount(): number {
    return this.#active.size;
  }

  // --- accepting work ------------------------------------------------------------------------

  /**
   * Records the invocation and queues it. Without an idempotency key or chosen id, the invocation
   * is dispatched while its record commits (saving a commit's latency); nothing about it is
   * acknowledged before that commit: `recorded` gates the 202, and every entry and the result are
   * committed only after the record. With a key or id, the record must exist first.
   */
  async submit(request: SubmitRequest): Promise<InvocationHandle> {
    const id = request.id ?? newInvocationId();
    const newInvocation = {
      id,
      service: request.service,
      handler: request.handler,
      kind: request.kind,
      input: request.input,
      headers: request.headers,
      ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
      ...(request.objectKey === undefined ? {} : { objectKey: request.objectKey }),
      ...(request.methodName === undefined ? {} : { methodName: request.methodName }),
    };
    const creation = request.id ? this.store.createRun(newInvocation) : this.store.create(newInvocation);
    if (request.idempotencyKey !== undefined || request.id !== undefined) {
      const { created, record } = await creation;
      if (!created) {
        assertSameRequest(request, record);
        return this.handleFor(record);
      }
    }
    const invocation = new ActiveInvocation({
      id,
      service: request.service,
      handler: request.handler,
      kind: request.kind,
      input: encoder.encode(request.input),
      headers: request.headers,
      attempt: 1,
      journal: [],
      objectKey: request.objectKey ?? null,
      methodName: request.methodName ?? null,
    });
    invocation.recorded = creation;
    creation.catch((error: unknown) => {
      this.logger.error({ err: error, invocationId: id }, "Could not record the invocation");
      this.#abandon(invocation, {
        code: "UNAVAILABLE",
        message: `Invocation ${id} could not be recorded: ${(error as Error).message}`,
      });
    });
    this.#active.set(id, invocation);
    this.#admit(invocation);
    return handle(invocation, true);
  }

  /** A handle on an invocation known to the store, live here, suspended, or already finished. */
  handleFor(record: InvocationRecord): InvocationHandle {
    const live = this.#active.get(record.id);
    if (live) return handle(live, false);
    const outcome = recordOutcome(record) ?? this.#waiters.wait(record.id).promise;
    return settledHandle(record.id, outcome);
  }

  /**
   * Resolves when the invocation reaches a terminal state (live, suspended, or finished already).
   * Rejects with a TIMEOUT error when `signal` aborts first.
   */
  async waitForEnd(id: string, signal?: AbortSignal): Promise<Outcome> {
    // Registered before the read, so an end between the two is not missed. Every terminal
    // settle reaches the waiters, whether the invocation is live now or resumed later.
    const waiter = this.#waiters.wait(id);
    const record = await this.store.get(id);
    if (!record) {
      waiter.dispose();
      throw new CoordinatorError("RUN_NOT_FOUND", `No run or invocation with id "${id}"`);
    }
    const finished = this.#active.has(id) ? undefined : recordOutcome(record);
    if (finished) {
      waiter.dispose();
      return finished;
    }
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
    const invocation = this.#active.get(id);
    if (!invocation) return undefined;
    const status =
      invocation.state === "suspending" || (invocation.state === "running" && invocation.awaiting)
        ? "waiting"
        : invocation.state === "running"
          ? "running"
          : "pending";
    return { status, attempt: invocation.attempt, currentEntry: invocation.currentEntry };
  }

  /** Re-queues unfinished invocations and re-delivers what completed while we were down. */
  async recover(): Promise<number> {
    // Entity writes suspended mid-method still hold their keys: re-grant them first, so the
    // writes recovered or received after them keep their place behind them.
    for (const record of await this.store.listSuspended()) {
      if (record.kind !== "entity" || record.objectKey === null) continue;
      const method = this.services.get(record.service)?.components.get(record.handler)?.methods;
      if (method?.find((m) => m.name === record.methodName)?.write === false) continue;
      this.entities.hold(record.handler, record.objectKey, record.id);
    }
    const records = await this.store.listUnfinished();
    // One query for every journal, not one per invocation: recovery is on the start-up path.
    const journals = await this.journal.loadMany(records.map((record) => record.id));
    for (const record of records) {
      if (this.#active.has(record.id)) continue;
      const invocation = await this.#revive(record, record.attempt + 1, journals.get(record.id) ?? []);
      const delay = record.nextAttemptAt ? new Date(record.nextAttemptAt).getTime() - Date.now() : 0;
      // Entity invocations take their place in their key's order (oldest first) right away.
      if (delay > 0 && invocation.kind !== "entity") this.#backoff(invocation, delay);
      else this.#admit(invocation);
    }
    // A child finished but the coordinator died before its parent's entry was completed.
    for (const pending of await this.journal.pendingCallsWithFinishedChildren()) {
      await this.journal.completeEntry(pending.parentId, pending.index, pending.result);
      void this.deliver(pending.parentId, pending.index, pending.result);
    }
    // Suspended, and what they wait for completed just before the coordinator died.
    for (const record of await this.store.listSuspendedReady()) await this.#resume(record.id);
    if (records.length) this.logger.info({ count: records.length }, "Recovered unfinished invocations");
    return records.length;
  }

  // --- signals and cancellation ----------------------------------------------------------------

  /** Sends a signal to a run: delivered to its waiting ctx.signal, or kept until one waits. */
  async signal(runId: string, name: string, payload: string): Promise<{ delivered: boolean }> {
    const record = await this.store.get(runId);
    if (!record) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
    if (TERMINAL.has(record.status)) {
      throw new CoordinatorError("RUN_FINISHED", `Run "${runId}" has already ended (${record.status})`);
    }
    const { deliveredTo } = await this.journal.emitSignal({ runId, name, payload });
    if (deliveredTo) {
      await this.deliver(deliveredTo.invocationId, deliveredTo.index, { ok: true, value: `{"payload":${payload}}` });
    }
    return { delivered: deliveredTo !== undefined };
  }

  /**
   * Asks a run to cancel: it sees a CancelledError at its next durable operation and ends cancelled.
   * A run that has already ended cannot be cancelled (RUN_FINISHED, as for a signal).
   */
  async cancel(runId: string): Promise<InvocationRecord> {
    const record = await this.store.get(runId);
    if (!record) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
    if (TERMINAL.has(record.status)) {
      throw new CoordinatorError(
        "RUN_FINISHED",
        `Run "${runId}" has already ended (${record.status}); it cannot be cancelled`,
      );
    }
    await this.store.requestCancel(runId);
    const live = this.#active.get(runId);
    if (live) {
      live.cancelRequested = true;
      if (live.state === "running" && live.worker) {
        live.worker.send({ case: "cancel", value: { invocationId: runId, reason: "cancel requested" } });
      }
      return { ...record, cancelRequested: true };
    }
    // Suspended: bring it back so it can see the cancellation and clean up.
    await this.#resume(runId);
    return { ...record, cancelRequested: true };
  }

  // --- worker events -------------------------------------------------------------------------

  workerAvailable(worker: WorkerConnection): void {
    this.#dispatch(worker.serviceName);
  }

  workerLost(worker: WorkerConnection): void {
    this.services.removeWorker(worker);
    for (const id of worker.inFlight) {
      const invocation = this.#active.get(id);
      if (!invocation || invocation.worker !== worker) continue;
      invocation.worker = undefined;
      invocation.workerLosses += 1;
      if (invocation.workerLosses >= MAX_WORKER_LOSSES) {
        void this.#finishFailed(invocation, {
          code: "WORKER_LOST",
          message: `Invocation ${id} lost its worker ${invocation.workerLosses} times; giving up`,
        });
        continue;
      }
      this.logger.warn({ invocationId: id, workerId: worker.workerId }, "Worker lost; re-dispatching invocation");
      invocation.attempt += 1;
      invocation.state = "queued";
      this.#queues.pushFront(invocation.service, id);
    }
    worker.inFlight.clear();
    this.#dispatch(worker.serviceName);
  }

  chunk(worker: WorkerConnection, message: StreamChunk): void {
    const invocation = this.#ownedBy(worker, message.invocationId);
    if (!invocation) return;
    const seq = Number(message.seq);
    // Chunks below the count were already forwarded by an earlier attempt of the same stream.
    if (seq !== invocation.chunks.length) return;
    const data = decoder.decode(message.data);
    invocation.chunks.push(data);
    for (const listener of invocation.listeners) listener(seq, data);
  }

  /** A proposed journal entry: commit it with its side effects, then acknowledge. */
  proposeEntry(worker: WorkerConnection, message: ProposeEntry): void {
    const invocation = this.#ownedBy(worker, message.invocationId, message.attempt);
    if (!invocation || !message.entry) return;
    const plan = planProposal(invocation, message.entry, this.services);
    if (typeof plan === "string") {
      this.logger.error({ invocationId: invocation.id }, `Rejected journal entry: ${plan}`);
      worker.send({ case: "cancel", value: { invocationId: invocation.id, reason: plan } });
      this.#release(worker, invocation);
      void this.#finishFailed(invocation, { code: "INVALID_JOURNAL_ENTRY", message: plan });
      return;
    }
    const { entry } = plan;
    const commit = async () => {
      await invocation.recorded;
      // A signal is delivered before the entry that records its sending: a crash in between
      // sends it again on replay (at-least-once) rather than never.
      if (plan.emit) {
        const { deliveredTo } = await this.journal.emitSignal(plan.emit);
        if (deliveredTo) {
          void this.deliver(deliveredTo.invocationId, deliveredTo.index, {
            ok: true,
            value: `{"payload":${plan.emit.payload}}`,
          });
        }
      }
      return this.journal.append({
        invocationId: invocation.id,
        index: entry.index,
        kind: entry.kind,
        name: entry.name,
        request: entry.request,
        ...(entry.result ? { result: entry.result } : {}),
        ...(plan.timer ? { timer: plan.timer } : {}),
        ...(plan.child ? { child: plan.child } : {}),
        ...(plan.signalWait ? { signalWait: plan.signalWait } : {}),
      });
    };
    commit().then(
      (appended) => {
        // The journal's version wins (a re-proposal after a crash returns what was recorded first).
        const recorded: LiveEntry = {
          ...entry,
          result: appended.completed ?? (appended.duplicate ? undefined : entry.result),
        };
        const known = invocation.journal[entry.index];
        if (!known?.result) invocation.journal[entry.index] = recorded;
        if (plan.timer) this.#timers?.schedule(plan.timer.fireAt);
        if (plan.child && !appended.duplicate) this.#startChild(plan.child, invocation);
        const current = invocation.journal[entry.index]!;
        if (invocation.worker === worker && invocation.state === "running") {
          worker.send({
            case: "entryAck",
            value: {
              invocationId: invocation.id,
              index: entry.index,
              ...(current.result ? { result: toProtoResult(current.result) } : {}),
            },
          });
        }
      },
      (error: unknown) => {
        this.logger.error(
          { err: error, invocationId: invocation.id, index: entry.index },
          "Could not record journal entry",
        );
        // Nothing was acknowledged: the worker's attempt is abandoned and retried with the journal.
        if (invocation.worker === worker) {
          worker.send({ case: "cancel", value: { invocationId: invocation.id, reason: "journal write failed" } });
          this.#release(worker, invocation);
          this.#backoff(invocation, 1000);
        }
      },
    );
  }

  /** The handler waits on slow entries only: it leaves the worker until one of them completes. */
  suspend(worker: WorkerConnection, message: SuspendInvocation): void {
    const invocation = this.#ownedBy(worker, message.invocationId, message.attempt);
    if (!invocation) return;
    this.#release(worker, invocation);
    const ready = () =>
      invocation.wakeRequested || message.waitingOn.some((index) => invocation.journal[index]?.result !== undefined);
    if (ready()) {
      this.#enqueue(invocation);
      return;
    }
    invocation.state = "suspending";
    this.store.suspend(invocation.id, message.waitingOn).then(
      () => {
        if (invocation.state !== "suspending") return;
        if (ready() || invocation.cancelRequested) {
          // A result (or a cancellation) arrived while the suspension was being recorded.
          this.store.resume(invocation.id).then(
            () => this.#enqueue(invocation),
            (error: unknown) => {
              // The record says suspended while it runs again: recording its end still works
              // from there, and a restart finds it by its completed entry or the next delivery.
              this.logger.error(
                { err: error, invocationId: invocation.id },
                "Could not record the resume of a suspending invocation; dispatching it anyway",
              );
              this.#enqueue(invocation);
            },
          );
          return;
        }
        // Gone from memory too; callers waiting for the end are carried over.
        this.#active.delete(invocation.id);
        this.#waiters.adopt(invocation.id, (outcome) => invocation.settle(outcome));
        if (invocation.listeners.size > 0) {
          this.#suspendedStreams.set(invocation.id, { chunks: invocation.chunks, listeners: invocation.listeners });
        }
        this.logger.debug({ invocationId: invocation.id, waitingOn: message.waitingOn }, "Invocation suspended");
      },
      (error: unknown) => {
        this.logger.error(
          { err: error, invocationId: invocation.id },
          "Could not record suspension; keeping it queued",
        );
        this.#enqueue(invocation);
      },
    );
  }

  completed(worker: WorkerConnection, message: InvocationCompleted): void {
    const invocation = this.#ownedBy(worker, message.invocationId, message.attempt);
    if (!invocation) return;
    this.#release(worker, invocation);
    const streaming = this.services.get(invocation.service)?.components.get(invocation.handler)?.streaming ?? false;
    const output = streaming
      ? `[${invocation.chunks.join(",")}]`
      : message.output.byteLength === 0
        ? "null"
        : decoder.decode(message.output);
    invocation.state = "finishing";
    // JSON text never holds a raw U+0000 (JSON.stringify escapes it), and PostgreSQL text cannot:
    // recording it would fail on every attempt. The invocation fails once instead.
    if (output.includes("\u0000")) {
      const message = `The output of ${invocation.handler} holds a raw U+0000, which is not JSON text and which the store cannot keep`;
      this.logger.warn({ invocationId: invocation.id, code: "INVALID_OUTPUT" }, message);
      void this.#finishFailed(invocation, { code: "INVALID_OUTPUT", message });
      return;
    }
    if (invocation.cancelRequested) {
      void this.#finish(invocation, () => this.store.cancelled(invocation.id, output), { status: "cancelled", output });
      return;
    }
    if (invocation.kind === "entity" && this.#isEntityWrite(invocation)) {
      // The state and the output commit together first; the record follows (recovery finds the
      // write's marker if we die in between, and completes it without running it again).
      this.entities.commitWrite(invocation, message.stateChanges, output).then(
        () => {
          // The key's next write may start now: this one's state is durable.
          this.entities.released(invocation);
          void this.#finish(invocation, () => this.store.complete(invocation.id, output, invocation.attempt), {
            status: "completed",
            output,
          });
        },
        (error: unknown) => {
          if (error instanceof EntityStoreError && error.code === "INVALID_ARGUMENT") {
            // State no store can keep (a field name holding U+0000, a value that is not JSON): a
            // re-run would produce it again. The write fails once; the state stays as it was.
            const message = `Entity ${invocation.handler}/${invocation.objectKey} method ${invocation.methodName}: its state changes cannot be stored: ${error.message}`;
            this.logger.warn({ invocationId: invocation.id, code: "INVALID_ENTITY_STATE" }, message);
            void this.#finishFailed(invocation, { code: "INVALID_ENTITY_STATE", message });
            return;
          }
          this.logger.error(
            { err: error, invocationId: invocation.id },
            "Entity write could not commit; re-running it",
          );
          this.entities.reload(invocation);
          invocation.attempt += 1;
          this.#backoff(invocation, 100);
        },
      );
      return;
    }
    void this.#finish(invocation, () => this.store.complete(invocation.id, output, invocation.attempt), {
      status: "completed",
      output,
    });
  }

  failed(worker: WorkerConnection, message: InvocationFailed): void {
    const invocation = this.#ownedBy(worker, message.invocationId, message.attempt);
    if (!invocation) return;
    this.#release(worker, invocation);
    const failure = message.failure;
    if (failure?.code === "WORKER_DRAINING") {
      invocation.state = "queued";
      this.#queues.pushFront(invocation.service, invocation.id);
      this.#dispatch(invocation.service);
      return;
    }
    const error = storedError(failure);
    if (invocation.cancelRequested) {
      void this.#finish(invocation, () => this.store.cancelled(invocation.id), {
        status: "cancelled",
        output: null,
        error,
      });
      return;
    }
    // The handler's failure, not ours: never at error level, and a stack only for a handler's fault.
    const { level, withStack } = failureLogLevel(failure);
    const log = {
      invocationId: invocation.id,
      attempt: invocation.attempt,
      code: error.code,
      ...(withStack && failure?.stack ? { stack: failure.stack } : {}),
    };
    const delay = this.#retryDelay(invocation, failure);
    if (delay === undefined) {
      this.logger[level](log, `Invocation ${invocation.handler} failed: ${error.message}`);
      void this.#finishFailed(invocation, error);
      return;
    }
    this.logger[level](
      { ...log, retryInMs: delay },
      `Invocation ${invocation.handler} failed, retrying: ${error.message}`,
    );
    const failedAttempt = invocation.attempt;
    invocation.attempt += 1;
    this.#backoff(invocation, delay);
    this.store
      .scheduleRetry(invocation.id, failedAttempt, new Date(Date.now() + delay), error)
      .catch((cause: unknown) =>
        this.logger.error({ err: cause, invocationId: invocation.id }, "Could not record retry"),
      );
  }

  /** A timer fired (its entry is already completed in the store). */
  timerFired(timer: FiredTimer): void {
    void this.deliver(timer.invocationId, timer.index, timer.result);
  }

  /**
   * An awaited entry got its (committed) result: tell the worker running the invocation, or
   * bring the invocation back from suspension.
   */
  async deliver(invocationId: string, index: number, result: EntryResultRow): Promise<void> {
    const resuming = this.#resuming.get(invocationId);
    if (resuming) await resuming;
    const invocation = this.#active.get(invocationId);
    if (!invocation) {
      await this.#resume(invocationId);
      return;
    }
    const entry = invocation.journal[index];
    if (entry) invocation.journal[index] = { ...entry, result };
    if (invocation.state === "suspending") invocation.wakeRequested = true;
    if (invocation.state === "running" && invocation.worker) {
      invocation.worker.send({
        case: "entryAck",
        value: { invocationId, index, result: toProtoResult(result) },
      });
    }
  }

  /** Stops timers; in-flight invocations stay recorded and are recovered by the next start. */
  close(): void {
    for (const invocation of this.#active.values()) clearTimeout(invocation.retryTimer);
    for (const timer of this.#resumeRetries) clearTimeout(timer);
  }

  // --- internals -----------------------------------------------------------------------------

  #retryDelay(invocation: ActiveInvocation, failure: Failure | undefined): number | undefined {
    if (!failure?.retryable) return undefined;
    const retryAfterMs = Number(failure.retryAfterMs) || undefined;
    // The engine decided a step's retry itself (per the step's own policy): honour it.
    if (failure.code === "STEP_RETRY") return retryAfterMs ?? 0;
    const policy = this.services.get(invocation.service)?.components.get(invocation.handler)?.retryPolicy;
    return policy ? nextRetryDelayMs(policy, invocation.attempt, retryAfterMs) : undefined;
  }

  /**
   * Loads a suspended invocation back into memory and queues it, unless it is not suspended.
   * Never rejects (deliveries wait on it): a store failure is logged and the resume retried.
   */
  #resume(id: string, retry = false): Promise<void> {
    const running = this.#resuming.get(id);
    if (running) return running;
    const resume = (async () => {
      if (this.#active.has(id)) return;
      const resumed = await this.store.resume(id);
      // A retry also picks up a record an earlier resume set pending before its read failed.
      if (!resumed && !retry) return;
      const record = await this.store.get(id);
      if (!record || (!resumed && record.status !== "pending")) return;
      const invocation = await this.#revive(record, Math.max(record.attempt, 1));
      this.#admit(invocation);
    })()
      .catch((error: unknown) => {
        this.logger.error(
          { err: error, invocationId: id, retryInMs: RESUME_RETRY_MS },
          "Could not resume invocation; retrying",
        );
        const timer = setTimeout(() => {
          this.#resumeRetries.delete(timer);
          void this.#resume(id, true);
        }, RESUME_RETRY_MS);
        this.#resumeRetries.add(timer);
      })
      .finally(() => this.#resuming.delete(id));
    this.#resuming.set(id, resume);
    return resume;
  }

  /** Rebuilds the live side of a recorded invocation, with its journal. */
  async #revive(
    record: InvocationRecord,
    attempt: number,
    entries?: readonly JournalEntryRecord[],
  ): Promise<ActiveInvocation> {
    const journal: LiveEntry[] = [];
    for (const entry of entries ?? (await this.journal.load(record.id))) journal[entry.index] = liveEntry(entry);
    const invocation = new ActiveInvocation({
      id: record.id,
      service: record.service,
      handler: record.handler,
      kind: record.kind,
      input: encoder.encode(record.input),
      headers: record.headers,
      attempt,
      journal,
      parentId: record.parentId,
      cancelRequested: record.cancelRequested,
      objectKey: record.objectKey,
      methodName: record.methodName,
    });
    const stream = this.#suspendedStreams.get(record.id);
    if (stream) {
      this.#suspendedStreams.delete(record.id);
      invocation.chunks.push(...stream.chunks);
      for (const listener of stream.listeners) invocation.listeners.add(listener);
    }
    this.#active.set(record.id, invocation);
    return invocation;
  }

  #startChild(child: ChildInvocation, parent: ActiveInvocation) {
    if (this.#active.has(child.id)) return;
    const invocation = new ActiveInvocation({
      id: child.id,
      service: child.service,
      handler: child.handler,
      kind: child.kind ?? "function",
      input: encoder.encode(child.input),
      headers: {},
      attempt: 1,
      journal: [],
      parentId: parent.id,
      objectKey: child.objectKey ?? null,
      methodName: child.methodName ?? null,
    });
    this.#active.set(child.id, invocation);
    this.#admit(invocation);
  }

  /** Entry point for a new or revived invocation: entities go through their key's scheduler. */
  #admit(invocation: ActiveInvocation): void {
    if (invocation.kind === "entity") this.entities.admit(invocation);
    else this.#enqueue(invocation);
  }

  #isEntityWrite(invocation: ActiveInvocation): boolean {
    const component = this.services.get(invocation.service)?.components.get(invocation.handler);
    const method = component?.methods?.find((m) => m.name === invocation.methodName);
    // Unknown (its service has not registered since a restart): the safe assumption is a write.
    return method?.write ?? true;
  }

  #enqueue(invocation: ActiveInvocation): void {
    invocation.state = "queued";
    invocation.wakeRequested = false;
    this.#queues.push(invocation.service, invocation.id);
    this.#dispatch(invocation.service);
  }

  #backoff(invocation: ActiveInvocation, delayMs: number): void {
    invocation.state = "backoff";
    invocation.retryTimer = setTimeout(() => {
      invocation.retryTimer = undefined;
      this.#enqueue(invocation);
    }, delayMs);
  }

  /** Hands queued invocations of a service to its workers while any has a free slot. */
  #dispatch(service: string): void {
    while (this.#queues.size(service) > 0) {
      const worker = this.services.pickWorker(service);
      if (!worker) return;
      const id = this.#queues.shift(service)!;
      const invocation = this.#active.get(id);
      if (invocation?.state !== "queued") continue;
      invocation.state = "running";
      invocation.worker = worker;
      worker.inFlight.add(id);
      worker.send({
        case: "start",
        value: {
          invocationId: id,
          runId: id,
          componentKind: kindValues[invocation.kind as ComponentKindName] ?? kindValues.function,
          componentName: invocation.handler,
          input: invocation.input,
          attempt: invocation.attempt,
          headers: invocation.headers,
          metadata: { service_name: worker.serviceName, service_version: worker.serviceVersion },
          journal: invocation.journal.filter((entry) => entry !== undefined).map(toProtoEntry),
          cancelRequested: invocation.cancelRequested,
          ...(invocation.kind === "entity" ? entityStart(invocation) : {}),
        },
      });
    }
  }

  #ownedBy(worker: WorkerConnection, id: string, attempt?: number): ActiveInvocation | undefined {
    const invocation = this.#active.get(id);
    // A frame from a worker the invocation was taken from (declared dead, or a superseded attempt) is dropped.
    if (!invocation || invocation.worker !== worker) return undefined;
    if (attempt !== undefined && attempt !== 0 && attempt !== invocation.attempt) return undefined;
    return invocation;
  }

  #release(worker: WorkerConnection, invocation: ActiveInvocation): void {
    worker.inFlight.delete(invocation.id);
    invocation.worker = undefined;
    // The slot is free now, not after our commit: keep the worker busy.
    this.#dispatch(worker.serviceName);
  }

  #finishFailed(invocation: ActiveInvocation, failure: StoredError): Promise<void> {
    invocation.state = "finishing";
    // The caller gets the error as it is recorded (U+0000 -> U+FFFD), whoever wrote its message.
    const error = toStoredError(failure);
    return this.#finish(invocation, () => this.store.fail(invocation.id, error, invocation.attempt), {
      status: "failed",
      error,
    });
  }

  /** Records a terminal state (after the invocation's own record), then settles and wakes the parent. */
  async #finish(
    invocation: ActiveInvocation,
    write: () => Promise<{ applied: boolean; parent?: { invocationId: string; index: number } }>,
    outcome: Outcome,
  ): Promise<void> {
    try {
      await invocation.recorded;
      const { parent } = await write();
      this.#settle(invocation, outcome);
      if (parent) {
        const result: EntryResultRow =
          outcome.status === "completed"
            ? { ok: true, value: outcome.output }
            : {
                ok: false,
                failure:
                  outcome.status === "failed"
                    ? outcome.error
                    : { code: "CANCELLED", message: `Child invocation ${invocation.id} was cancelled` },
              };
        await this.deliver(parent.invocationId, parent.index, result);
      }
    } catch (cause) {
      this.#persistFailed(invocation, cause);
    }
  }

  /** Stops driving an invocation that was never recorded: its caller gets the error, nothing else happens. */
  #abandon(invocation: ActiveInvocation, error: StoredError): void {
    if (!this.#active.has(invocation.id)) return;
    clearTimeout(invocation.retryTimer);
    if (invocation.worker) {
      invocation.worker.inFlight.delete(invocation.id);
      invocation.worker.send({ case: "cancel", value: { invocationId: invocation.id, reason: error.message } });
      invocation.worker = undefined;
    }
    this.#settle(invocation, { status: "failed", error });
  }

  #settle(invocation: ActiveInvocation, outcome: Outcome): void {
    this.#active.delete(invocation.id);
    if (invocation.kind === "entity") this.entities.released(invocation);
    invocation.settle(outcome);
    this.#waiters.settle(invocation.id, outcome);
  }

  /** The result could not be recorded: the caller gets no result, the record stays unfinished and is re-run on recovery. */
  #persistFailed(invocation: ActiveInvocation, cause: unknown): void {
    this.logger.error({ err: cause, invocationId: invocation.id }, "Could not record the invocation's result");
    this.#active.delete(invocation.id);
    invocation.settle({
      status: "failed",
      error: {
        code: "UNAVAILABLE",
        message: `The result of ${invocation.id} could not be recorded; it will be re-run`,
      },
    });
  }
}
