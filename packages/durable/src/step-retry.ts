import { Agnt5Error, nextRetryDelayMs, type RetryPolicy, TerminalError } from "@agnt5/core";

/** Backoffs up to this long are slept inside the invocation; longer ones re-dispatch it (STEP_RETRY). */
export const IN_PROCESS_BACKOFF_LIMIT_MS = 1000;

export type StepRetryDecision =
  /** Sleep `delayMs`, then run the step again in this invocation. */
  | { type: "retry-in-process"; delayMs: number }
  /** Fail the invocation with STEP_RETRY; the coordinator re-dispatches it after `delayMs`. */
  | { type: "retry-invocation"; delayMs: number }
  /** Journal the failure and throw it into the handler. */
  | { type: "fail" };

/**
 * What to do after attempt `stepAttempt` (1-based, counted in this invocation) of a step failed.
 *
 * A re-dispatched invocation replays and runs the step again from attempt 1, so attempts made in
 * earlier invocations are not known here. To keep a step whose backoffs exceed the in-process limit
 * from retrying forever, the long-backoff decision counts at least the invocation's own attempt
 * number (which the coordinator increments on each STEP_RETRY re-dispatch): once that reaches the
 * step's maxAttempts, the failure is journaled.
 */
export function decideStepRetry(
  policy: RetryPolicy,
  stepAttempt: number,
  invocationAttempt: number,
  error: unknown,
): StepRetryDecision {
  if (TerminalError.isInstance(error)) return { type: "fail" };
  const hint = Agnt5Error.isInstance(error) ? (error as { retryAfterMs?: number }).retryAfterMs : undefined;
  const delayMs = nextRetryDelayMs(policy, stepAttempt, hint);
  if (delayMs === undefined) return { type: "fail" };
  if (delayMs <= IN_PROCESS_BACKOFF_LIMIT_MS) return { type: "retry-in-process", delayMs };
  const carried = nextRetryDelayMs(policy, Math.max(stepAttempt, invocationAttempt), hint);
  if (carried === undefined) return { type: "fail" };
  return { type: "retry-invocation", delayMs: Math.max(carried, delayMs) };
}
