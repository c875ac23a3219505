import type { SuspendInvocation } from "@agnt5/proto";
import { RESUME_RETRY_MS } from "../domain/retry-decision.js";
import type { WorkerConnection } from "../workers/worker-connection.js";
import type { ActiveInvocation } from "./active-invocation.js";
import type { EngineContext } from "./engine-context.js";

/**
 * Invocations that wait on slow entries leave their worker and memory (recorded suspended), and
 * come back when what they wait for completes.
 */
export class Suspension {
  /** Invocations being brought back from suspension: deliveries wait for it to finish. */
  readonly #resuming = new Map<string, Promise<void>>();
  /** Resumes waiting to be tried again after a store failure. */
  readonly #retries = new Set<NodeJS.Timeout>();

  constructor(private readonly ctx: EngineContext) {}

  /** The handler waits on slow entries only: it leaves the worker until one of them completes. */
  suspend(worker: WorkerConnection, invocation: ActiveInvocation, message: SuspendInvocation): void {
    this.ctx.release(worker, invocation);
    const ready = () =>
      invocation.wakeRequested || message.waitingOn.some((index) => invocation.journal[index]?.result !== undefined);
    if (ready()) {
      this.ctx.ready(invocation);
      return;
    }
    this.ctx.step(invocation, { type: "suspend" });
    this.ctx.observer?.suspended(invocation);
    this.ctx.records.suspend(invocation.id, message.waitingOn).then(
      () => {
        if (invocation.state !== "suspending") return;
        if (ready() || invocation.cancelRequested) {
          // A result (or a cancellation) arrived while the suspension was being recorded.
          this.ctx.records.resume(invocation.id).then(
            () => this.ctx.ready(invocation),
            (error: unknown) => {
              // The record says suspended while it runs again: recording its end still works
              // from there, and a restart finds it by its completed entry or the next delivery.
              this.ctx.logger.error(
                { err: error, invocationId: invocation.id },
                "Could not record the resume of a suspending invocation; dispatching it anyway",
              );
              this.ctx.ready(invocation);
            },
          );
          return;
        }
        // Gone from memory too; callers waiting for the end are carried over.
        this.ctx.active.delete(invocation.id);
        // Only the resolver: a closure over the invocation would keep its input and journal.
        this.ctx.waiters.adopt(invocation.id, invocation.resolver);
        if (invocation.listeners.size > 0) {
          this.ctx.suspendedStreams.set(invocation.id, { chunks: invocation.chunks, listeners: invocation.listeners });
        }
        this.ctx.logger.debug({ invocationId: invocation.id, waitingOn: message.waitingOn }, "Invocation suspended");
      },
      (error: unknown) => {
        this.ctx.logger.error(
          { err: error, invocationId: invocation.id },
          "Could not record suspension; keeping it queued",
        );
        this.ctx.ready(invocation);
      },
    );
  }

  /** The resume under way for an invocation, if any: deliveries wait for it. */
  resuming(id: string): Promise<void> | undefined {
    return this.#resuming.get(id);
  }

  /**
   * Loads a suspended invocation back into memory and queues it, unless it is not suspended.
   * Never rejects (deliveries wait on it): a store failure is logged and the resume retried.
   * A paused run stays suspended: resuming the run brings it back.
   */
  resume(id: string, retry = false): Promise<void> {
    const running = this.#resuming.get(id);
    if (running) return running;
    const resume = (async () => {
      if (this.ctx.active.has(id)) return;
      // Another replica owns it: that one decides (a cancellation there brings it back).
      if (this.ctx.routing && (await this.ctx.routing.refreshElsewhere(id))) return;
      const resumed = await this.ctx.records.resume(id);
      // A retry also picks up a record an earlier resume set pending before its read failed.
      if (!resumed && !retry) return;
      const record = await this.ctx.records.get(id);
      if (!record || (!resumed && record.status !== "pending")) return;
      const invocation = await this.ctx.revive(record, Math.max(record.attempt, 1));
      this.ctx.admit(invocation);
    })()
      .catch((error: unknown) => {
        this.ctx.logger.error(
          { err: error, invocationId: id, retryInMs: RESUME_RETRY_MS },
          "Could not resume invocation; retrying",
        );
        const timer = setTimeout(() => {
          this.#retries.delete(timer);
          void this.resume(id, true);
        }, RESUME_RETRY_MS);
        this.#retries.add(timer);
      })
      .finally(() => this.#resuming.delete(id));
    this.#resuming.set(id, resume);
    return resume;
  }

  close(): void {
    for (const timer of this.#retries) clearTimeout(timer);
  }
}
