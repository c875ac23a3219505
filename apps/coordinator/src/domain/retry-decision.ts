import { nextRetryDelayMs, type RetryPolicy } from "@agnt5/core";

/**
 * A poison invocation that keeps killing its workers is failed at its this-many-th worker loss.
 * Losses are counted apart from attempts (which retries and restarts raise too), and in memory
 * only: a coordinator restart is not a worker loss, and a poison invocation still fails within ten
 * losses of each coordinator's lifetime.
 */
export const MAX_WORKER_LOSSES = 10;
/** A resume that could not be recorded is tried again after this long. */
export const RESUME_RETRY_MS = 1000;
/** A journal entry that could not be recorded: the attempt is abandoned and re-run after this long. */
export const JOURNAL_WRITE_RETRY_MS = 1000;
/** An entity write whose state could not be committed is re-run after this long. */
export const ENTITY_COMMIT_RETRY_MS = 100;

/** After a worker loss: run it again on another worker, or give up on a poison invocation. */
export function afterWorkerLoss(losses: number): "redispatch" | "fail" {
  return losses >= MAX_WORKER_LOSSES ? "fail" : "redispatch";
}

export interface ReportedFailure {
  code: string;
  retryable: boolean;
  /** The worker's hint (a step's own policy, a rate limit's Retry-After); 0 or absent for none. */
  retryAfterMs?: number;
}

/**
 * How long to wait before the next attempt of a failed one, or undefined to fail for good:
 * non-retryable failures end it; a step retry (decided by the step's own policy in the worker) is
 * honoured as given; anything else follows the component's policy for the attempt that failed.
 */
export function retryDelay(
  failure: ReportedFailure | undefined,
  attempt: number,
  policy: RetryPolicy | undefined,
): number | undefined {
  if (!failure?.retryable) return undefined;
  const retryAfterMs = failure.retryAfterMs || undefined;
  if (failure.code === "STEP_RETRY") return retryAfterMs ?? 0;
  return policy ? nextRetryDelayMs(policy, attempt, retryAfterMs) : undefined;
}
