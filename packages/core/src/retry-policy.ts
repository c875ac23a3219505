import { DefinitionError } from "./errors.js";

/** How a failed invocation (or step) is retried. Attempts count the first run: 1 = never retry. */
export interface RetryPolicy {
  maxAttempts: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
  backoffMultiplier: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  initialIntervalMs: 100,
  maxIntervalMs: 10_000,
  backoffMultiplier: 2,
});

/** Fills the gaps of a partial policy with the defaults and rejects values that cannot work. */
export function resolveRetryPolicy(policy: Partial<RetryPolicy> = {}): RetryPolicy {
  const resolved = { ...defaultRetryPolicy, ...stripUndefined(policy) };
  const problems: string[] = [];
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    problems.push("maxAttempts must be an integer >= 1");
  }
  if (!(resolved.initialIntervalMs >= 0)) problems.push("initialIntervalMs must be >= 0");
  if (!(resolved.maxIntervalMs >= resolved.initialIntervalMs)) {
    problems.push("maxIntervalMs must be >= initialIntervalMs");
  }
  if (!(resolved.backoffMultiplier >= 1)) problems.push("backoffMultiplier must be >= 1");
  if (problems.length) throw new DefinitionError(`Invalid retry policy: ${problems.join("; ")}`);
  return resolved;
}

/**
 * Delay before the attempt that follows `failedAttempt` (1-based), or undefined when the policy
 * is exhausted. A handler's retry-after hint wins over the computed backoff.
 */
export function nextRetryDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  retryAfterMs?: number,
): number | undefined {
  if (failedAttempt >= policy.maxAttempts) return undefined;
  if (retryAfterMs !== undefined && retryAfterMs > 0) return retryAfterMs;
  const delay = policy.initialIntervalMs * policy.backoffMultiplier ** (failedAttempt - 1);
  return Math.min(delay, policy.maxIntervalMs);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
