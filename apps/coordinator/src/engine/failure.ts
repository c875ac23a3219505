import type { InvocationFailed } from "@agnt5/proto";
import { retryDelay } from "../domain/retry-decision.js";
import type { WorkerConnection } from "../workers/worker-connection.js";
import type { ActiveInvocation } from "./active-invocation.js";
import type { EngineContext } from "./engine-context.js";
import { failureLogLevel } from "./failure-log.js";
import { storedError } from "./worker-frames.js";

/** A worker reported an attempt failed: it ends cancelled, is retried per policy, or fails for good. */
export class FailureHandling {
  constructor(
    private readonly ctx: EngineContext,
    private readonly refused: (worker: WorkerConnection, invocation: ActiveInvocation) => void,
  ) {}

  failed(worker: WorkerConnection, invocation: ActiveInvocation, message: InvocationFailed): void {
    const failure = message.failure;
    if (failure?.code === "WORKER_DRAINING") {
      this.refused(worker, invocation);
      return;
    }
    this.ctx.release(worker, invocation);
    const error = storedError(failure);
    if (invocation.cancelRequested) {
      this.ctx.step(invocation, { type: "finish" });
      void this.ctx.finish(invocation, () => this.ctx.records.cancelled(invocation.id), {
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
    const policy = this.ctx.services.get(invocation.service)?.components.get(invocation.handler)?.retryPolicy;
    const delay = retryDelay(
      failure && { code: failure.code, retryable: failure.retryable, retryAfterMs: Number(failure.retryAfterMs) },
      invocation.attempt,
      policy,
    );
    if (delay === undefined) {
      this.ctx.logger[level](log, `Invocation ${invocation.handler} failed: ${error.message}`);
      void this.ctx.finishFailed(invocation, error);
      return;
    }
    this.ctx.logger[level](
      { ...log, retryInMs: delay },
      `Invocation ${invocation.handler} failed, retrying: ${error.message}`,
    );
    const failedAttempt = invocation.attempt;
    invocation.attempt += 1;
    this.ctx.step(invocation, { type: "backoff", delayMs: delay });
    this.ctx.records
      .scheduleRetry(invocation.id, failedAttempt, new Date(Date.now() + delay), error)
      .catch((cause: unknown) =>
        this.ctx.logger.error({ err: cause, invocationId: invocation.id }, "Could not record retry"),
      );
  }
}
