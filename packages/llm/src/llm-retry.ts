import { Agnt5Error } from "@agnt5/core";
import { sleep, throwIfAborted } from "./llm-abort.js";

export interface RetryOptions {
  /** Retries after the first attempt (default 2): 0 = one attempt. */
  maxRetries?: number;
  abortSignal?: AbortSignal;
  /** Delay before the first retry (default 500 ms); doubled (`backoffFactor`) for each later one. */
  initialDelayMs?: number;
  backoffFactor?: number;
  /** Cap of the computed backoff (default 10 s). */
  maxDelayMs?: number;
  /** A provider's retry-after longer than this (default 60 s) is cut to it. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_MAX_RETRIES = 2;

/**
 * true for an error the provider marked retryable (LlmApiError.isRetryable, read as data so that an
 * error from a duplicated package copy counts too). Nothing else is retried.
 */
export function isRetryableLlmError(error: unknown): boolean {
  return Agnt5Error.isInstance(error) && (error as { isRetryable?: unknown }).isRetryable === true;
}

/** The provider's retry-after hint of a retryable error, in milliseconds. */
function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Runs `attempt` and retries it while it fails with a retryable error: exponential backoff with
 * jitter (500 ms, 1 s, 2 s, ... up to 10 s), or the provider's retry-after when it sent one. Never
 * retries once `abortSignal` is aborted: it rejects with the abort reason. After the last attempt
 * the last error is thrown as it is.
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const signal = options.abortSignal;
  for (let retry = 0; ; retry++) {
    throwIfAborted(signal);
    try {
      return await attempt();
    } catch (error) {
      throwIfAborted(signal);
      if (retry >= maxRetries || !isRetryableLlmError(error)) throw error;
      await sleep(retryDelayMs(retry + 1, error, options), signal);
    }
  }
}

/** Delay before retry number `retry` (1-based). */
export function retryDelayMs(retry: number, error: unknown, options: RetryOptions = {}): number {
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) return Math.min(retryAfter, options.maxRetryAfterMs ?? 60_000);
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 10_000;
  const backoff = Math.min(initial * (options.backoffFactor ?? 2) ** (retry - 1), max);
  // Jitter: 75% to 100% of the backoff, so that many clients hit by the same outage spread out.
  return Math.round(backoff * (0.75 + Math.random() * 0.25));
}
