import { type InvocationEvent, transition } from "../domain/invocation-state.js";
import { afterWorkerLoss } from "../domain/retry-decision.js";
import { toProtoEntry } from "../journal/journal-entry.js";
import { type ComponentKindName, kindValues } from "../workers/component-info.js";
import type { WorkerConnection } from "../workers/worker-connection.js";
import type { ActiveInvocation } from "./active-invocation.js";
import { DispatchQueues } from "./dispatch-queue.js";
import type { EngineContext } from "./engine-context.js";
import { entityStart } from "./worker-frames.js";

/**
 * Moves invocations between phases and onto workers: queues per service, hands queued invocations
 * to the least loaded worker with their journal, frees a worker's slot, and re-dispatches the
 * invocations of a worker that is lost.
 */
export class Dispatcher {
  readonly #queues = new DispatchQueues();

  constructor(private readonly ctx: EngineContext) {}

  step(invocation: ActiveInvocation, event: InvocationEvent): boolean {
    const { next, effects, ignored } = transition(invocation.state, event);
    if (ignored) return false;
    invocation.state = next;
    for (const effect of effects) {
      switch (effect.type) {
        case "enqueue":
          invocation.wakeRequested = false;
          if (effect.front) this.#queues.pushFront(invocation.service, invocation.id);
          else this.#queues.push(invocation.service, invocation.id);
          this.dispatch(invocation.service);
          break;
        case "record-running":
          this.ctx.records.recordRunning(invocation.id);
          break;
        case "arm-retry":
          clearTimeout(invocation.retryTimer);
          invocation.retryTimer = setTimeout(() => {
            invocation.retryTimer = undefined;
            this.ready(invocation);
          }, effect.delayMs);
          break;
      }
    }
    return true;
  }

  ready(invocation: ActiveInvocation, front = false): void {
    this.step(invocation, { type: "ready", paused: invocation.paused, front });
  }

  /** Hands queued invocations of a service to its workers while any has a free slot. */
  dispatch(service: string): void {
    while (this.#queues.size(service) > 0) {
      const worker = this.ctx.services.pickWorker(service);
      if (!worker) {
        // None here (or none free): another replica may have workers for it.
        if (this.ctx.services.get(service)?.workers.size ?? 0) return;
        this.ctx.routing?.noLocalWorker(service);
        return;
      }
      const id = this.#queues.shift(service)!;
      const invocation = this.ctx.active.get(id);
      if (!invocation || !this.step(invocation, { type: "dispatch" })) continue;
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

  /**
   * Takes the queued invocations of a service out of its queue (to hand them to another replica);
   * an id whose invocation moved on meanwhile is dropped, as dispatch would skip it.
   */
  takeQueued(service: string): ActiveInvocation[] {
    const taken: ActiveInvocation[] = [];
    for (const id of new Set(this.#queues.takeAll(service))) {
      const invocation = this.ctx.active.get(id);
      if (invocation?.state === "queued") taken.push(invocation);
    }
    return taken;
  }

  /** Services with invocations waiting for a worker. */
  queuedServices(): string[] {
    return this.#queues.services();
  }

  /** The invocation a worker's frame is about, if that worker (and attempt) still runs it. */
  ownedBy(worker: WorkerConnection, id: string, attempt?: number): ActiveInvocation | undefined {
    const invocation = this.ctx.active.get(id);
    // A frame from a worker the invocation was taken from (declared dead, or a superseded attempt) is dropped.
    if (!invocation || invocation.worker !== worker) return undefined;
    if (attempt !== undefined && attempt !== 0 && attempt !== invocation.attempt) return undefined;
    return invocation;
  }

  release(worker: WorkerConnection, invocation: ActiveInvocation): void {
    worker.inFlight.delete(invocation.id);
    invocation.worker = undefined;
    // The slot is free now, not after our commit: keep the worker busy.
    this.dispatch(worker.serviceName);
  }

  /** A draining worker refused the invocation: it goes first to another worker. */
  refused(worker: WorkerConnection, invocation: ActiveInvocation): void {
    this.release(worker, invocation);
    this.ready(invocation, true);
  }

  workerLost(worker: WorkerConnection): void {
    this.ctx.services.removeWorker(worker);
    for (const id of worker.inFlight) {
      const invocation = this.ctx.active.get(id);
      if (!invocation || invocation.worker !== worker) continue;
      invocation.worker = undefined;
      invocation.workerLosses += 1;
      if (afterWorkerLoss(invocation.workerLosses) === "fail") {
        void this.ctx.finishFailed(invocation, {
          code: "WORKER_LOST",
          message: `Invocation ${id} lost its worker ${invocation.workerLosses} times; giving up`,
        });
        continue;
      }
      this.ctx.logger.warn({ invocationId: id, workerId: worker.workerId }, "Worker lost; re-dispatching invocation");
      invocation.attempt += 1;
      this.ready(invocation, true);
    }
    worker.inFlight.clear();
    this.dispatch(worker.serviceName);
  }
}
