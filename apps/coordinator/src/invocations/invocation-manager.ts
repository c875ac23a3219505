import { nextRetryDelayMs } from "@agnt5/core";
import type { Failure, InvocationCompleted, InvocationFailed, StreamChunk } from "@agnt5/proto";
import type { Logger } from "../logger.js";
import type { InvocationRecord, InvocationStore, StoredError } from "../store/index.js";
import { type ComponentKindName, kindValues } from "../workers/component-info.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import type { WorkerConnection } from "../workers/worker-connection.js";
import { ActiveInvocation, type ChunkListener, type Outcome } from "./active-invocation.js";
import { DispatchQueues } from "./dispatch-queue.js";
import { newInvocationId } from "./invocation-id.js";

const decoder = new TextDecoder();
/** A poison invocation that keeps killing its workers is failed after this many re-dispatches. */
const MAX_WORKER_LOSSES = 10;

export interface SubmitRequest {
  service: string;
  handler: string;
  kind: ComponentKindName;
  /** JSON text of the input. */
  input: string;
  headers: Record<string, string>;
  idempotencyKey?: string;
}

/** What a caller holds on to: the invocation's id, its outcome, and its stream of chunks. */
export interface InvocationHandle {
  id: string;
  /** Resolves once the invocation is recorded (what an asynchronous caller waits for); rejects if it could not be. */
  recorded: Promise<unknown>;
  outcome: Promise<Outcome>;
  /** Chunks already received are replayed to the listener first. Returns an unsubscribe. */
  subscribe(listener: ChunkListener): () => void;
}

/**
 * Drives invocations from acceptance to their recorded end: persist (before anything is
 * acknowledged), queue per service, dispatch to the least loaded worker, record the result
 * (before the caller sees it), retry per policy, re-dispatch when a worker is lost, and recover
 * unfinished invocations after a restart.
 */
export class InvocationManager {
  readonly #active = new Map<string, ActiveInvocation>();
  readonly #queues = new DispatchQueues();

  constructor(
    private readonly store: InvocationStore,
    private readonly services: ServiceRegistry,
    private readonly logger: Logger,
  ) {}

  get activeCount(): number {
    return this.#active.size;
  }

  /**
   * Records the invocation and queues it. Without an idempotency key the invocation is dispatched
   * while its record commits (saving a commit's latency); nothing about it is acknowledged before
   * that commit: `recorded` gates the 202, and the result is committed only after the record.
   * With a key, the record must exist first: a key seen before returns the earlier invocation.
   */
  async submit(request: SubmitRequest): Promise<InvocationHandle> {
    const id = newInvocationId();
    const creation = this.store.create({
      id,
      service: request.service,
      handler: request.handler,
      kind: request.kind,
      input: request.input,
      headers: request.headers,
      ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
    });
    if (request.idempotencyKey !== undefined) {
      const { created, record } = await creation;
      if (!created) return this.handleFor(record);
    }
    const invocation = new ActiveInvocation(
      id,
      request.service,
      request.handler,
      request.kind,
      new TextEncoder().encode(request.input),
      request.headers,
      1,
    );
    invocation.recorded = creation;
    creation.catch((error: unknown) => {
      this.logger.error({ err: error, invocationId: id }, "Could not record the invocation");
      this.#abandon(invocation, {
        code: "UNAVAILABLE",
        message: `Invocation ${id} could not be recorded: ${(error as Error).message}`,
      });
    });
    this.#active.set(id, invocation);
    this.#enqueue(invocation);
    return handle(invocation);
  }

  /** A handle on an invocation known to the store, live here or already finished. */
  handleFor(record: InvocationRecord): InvocationHandle {
    const live = this.#active.get(record.id);
    if (live) return handle(live);
    if (record.status === "completed")
      return settledHandle(record.id, { status: "completed", output: record.output ?? "null" });
    if (record.status === "failed" || record.status === "cancelled") {
      return settledHandle(record.id, {
        status: "failed",
        error: record.error ?? { code: "CANCELLED", message: `Invocation ${record.id} was cancelled` },
      });
    }
    // Unfinished but not driven by this process (another replica, or accepted a moment ago).
    return settledHandle(record.id, this.#pollUntilFinished(record.id));
  }

  /** Live status of an invocation this process drives, if any. */
  liveStatus(id: string): { status: "pending" | "running"; attempt: number } | undefined {
    const invocation = this.#active.get(id);
    if (!invocation) return undefined;
    return { status: invocation.state === "running" ? "running" : "pending", attempt: invocation.attempt };
  }

  /** Re-queues every invocation left unfinished in the store (after a coordinator restart). */
  async recover(): Promise<number> {
    const records = await this.store.listUnfinished();
    for (const record of records) {
      if (this.#active.has(record.id)) continue;
      const invocation = new ActiveInvocation(
        record.id,
        record.service,
        record.handler,
        record.kind,
        new TextEncoder().encode(record.input),
        record.headers,
        record.attempt + 1,
      );
      this.#active.set(record.id, invocation);
      const delay = record.nextAttemptAt ? new Date(record.nextAttemptAt).getTime() - Date.now() : 0;
      if (delay > 0) this.#backoff(invocation, delay);
      else this.#enqueue(invocation);
    }
    if (records.length) this.logger.info({ count: records.length }, "Recovered unfinished invocations");
    return records.length;
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
      if (invocation.attempt >= MAX_WORKER_LOSSES) {
        void this.#finishFailed(invocation, {
          code: "WORKER_LOST",
          message: `Invocation ${id} lost its worker ${invocation.attempt} times; giving up`,
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

  completed(worker: WorkerConnection, message: InvocationCompleted): void {
    const invocation = this.#ownedBy(worker, message.invocationId, message.attempt);
    if (!invocation) return;
    this.#release(worker, invocation);
    const streaming = this.services.get(invocation.service)?.components.get(invocation.handler)?.streaming ?? false;
    const output =
      streaming || message.output.byteLength === 0
        ? streaming
          ? `[${invocation.chunks.join(",")}]`
          : "null"
        : decoder.decode(message.output);
    invocation.state = "finishing";
    invocation.recorded
      .then(() => this.store.complete(invocation.id, output, invocation.attempt))
      .then(
        () => this.#settle(invocation, { status: "completed", output }),
        (error: unknown) => this.#persistFailed(invocation, error),
      );
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
    const log = { invocationId: invocation.id, attempt: invocation.attempt, code: error.code, stack: failure?.stack };
    const policy = this.services.get(invocation.service)?.components.get(invocation.handler)?.retryPolicy;
    const delay =
      failure?.retryable && policy
        ? nextRetryDelayMs(policy, invocation.attempt, Number(failure.retryAfterMs) || undefined)
        : undefined;
    if (delay === undefined) {
      this.logger.error(log, `Invocation ${invocation.handler} failed: ${error.message}`);
      void this.#finishFailed(invocation, error);
      return;
    }
    this.logger.warn(
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

  /** Stops timers; in-flight invocations stay recorded and are recovered by the next start. */
  close(): void {
    for (const invocation of this.#active.values()) clearTimeout(invocation.retryTimer);
  }

  // --- internals -----------------------------------------------------------------------------

  #enqueue(invocation: ActiveInvocation): void {
    invocation.state = "queued";
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
        },
      });
    }
  }

  #ownedBy(worker: WorkerConnection, id: string, attempt?: number): ActiveInvocation | undefined {
    const invocation = this.#active.get(id);
    // A result from a worker the invocation was taken from (declared dead, or a superseded attempt) is dropped.
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

  async #finishFailed(invocation: ActiveInvocation, error: StoredError): Promise<void> {
    invocation.state = "finishing";
    try {
      await invocation.recorded;
      await this.store.fail(invocation.id, error, invocation.attempt);
      this.#settle(invocation, { status: "failed", error });
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
    invocation.settle(outcome);
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

  async #pollUntilFinished(id: string): Promise<Outcome> {
    for (let delay = 20; ; delay = Math.min(delay * 2, 1000)) {
      const live = this.#active.get(id);
      if (live) return live.outcome;
      const record = await this.store.get(id);
      if (record?.status === "completed") return { status: "completed", output: record.output ?? "null" };
      if (record?.status === "failed" || record?.status === "cancelled") {
        return {
          status: "failed",
          error: record.error ?? { code: "CANCELLED", message: `Invocation ${id} was cancelled` },
        };
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function handle(invocation: ActiveInvocation): InvocationHandle {
  return {
    id: invocation.id,
    recorded: invocation.recorded,
    outcome: invocation.outcome,
    subscribe(listener) {
      for (const [seq, data] of invocation.chunks.entries()) listener(seq, data);
      invocation.listeners.add(listener);
      return () => invocation.listeners.delete(listener);
    },
  };
}

function settledHandle(id: string, outcome: Outcome | Promise<Outcome>): InvocationHandle {
  const promise = Promise.resolve(outcome);
  return {
    id,
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

function storedError(failure: Failure | undefined): StoredError {
  if (!failure) return { code: "HANDLER_ERROR", message: "The handler failed without an error" };
  let details: unknown;
  if (failure.detailsJson) {
    try {
      details = JSON.parse(failure.detailsJson);
    } catch {
      details = undefined;
    }
  }
  return {
    code: failure.code || "HANDLER_ERROR",
    message: failure.message,
    ...(failure.type ? { type: failure.type } : {}),
    ...(details === undefined ? {} : { details }),
  };
}
