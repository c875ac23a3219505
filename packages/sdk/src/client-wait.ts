import { Agnt5ClientError } from "./client-error.js";
import type { InvocationInfo, WaitOptions } from "./client-types.js";

export const TERMINAL_STATUSES = new Set(["completed", "succeeded", "failed", "cancelled", "canceled", "timed_out"]);
export const SUCCESS_STATUSES = new Set(["completed", "succeeded"]);
const POLL_INITIAL_MS = 100;
const POLL_MAX_MS = 2_000;

/**
 * Polls `getInvocation` with backoff (100 ms growing to 2 s) until the invocation is finished.
 * Returns its output; throws Agnt5ClientError with the invocation's error code if it failed, TIMEOUT
 * after `timeoutMs` (default 60 s).
 */
export async function waitForInvocation<Output>(
  getInvocation: (invocationId: string) => Promise<InvocationInfo<Output>>,
  invocationId: string,
  options: WaitOptions = {},
): Promise<Output> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let delay = POLL_INITIAL_MS;
  for (;;) {
    const info = await getInvocation(invocationId);
    // Unknown statuses count as finished once completedAt is set (forward compatibility).
    if (TERMINAL_STATUSES.has(info.status) || info.completedAt) {
      if (SUCCESS_STATUSES.has(info.status) || (!TERMINAL_STATUSES.has(info.status) && !info.error)) {
        return info.output as Output;
      }
      throw new Agnt5ClientError({
        message: info.error?.message ?? `Invocation ${invocationId} ended with status ${info.status}`,
        status: 200,
        code: info.error?.code ?? info.status.toUpperCase(),
        invocationId,
        ...(info.error?.details === undefined ? {} : { details: info.error.details }),
      });
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new Agnt5ClientError({
        message: `Invocation ${invocationId} did not finish within ${timeoutMs} ms (last status: ${info.status})`,
        status: 0,
        code: "TIMEOUT",
        invocationId,
      });
    }
    await pause(Math.min(delay, remaining), options.signal);
    delay = Math.min(POLL_MAX_MS, Math.round(delay * 1.5));
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
