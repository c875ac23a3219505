import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LlmApiError } from "./language-model-v1/llm-errors.js";
import { isRetryableLlmError, retryDelayMs, retryWithBackoff } from "./llm-retry.js";

const apiError = (statusCode: number, retryAfterMs?: number) =>
  new LlmApiError({
    message: `HTTP ${statusCode}`,
    provider: "test",
    statusCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

/** An attempt that fails with `errors` in turn, then answers "ok". */
function failing(...errors: unknown[]) {
  const attempt = vi.fn(async () => {
    const error = errors.shift();
    if (error !== undefined) throw error;
    return "ok";
  });
  return attempt;
}

describe("retryWithBackoff", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits for the provider's retry-after before retrying a retryable error", async () => {
    const attempt = failing(apiError(429, 3000));
    const result = retryWithBackoff(attempt);
    await vi.advanceTimersByTimeAsync(2999);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe("ok");
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it("backs off exponentially from 500 ms with jitter when there is no retry-after", async () => {
    const attempt = failing(apiError(503), apiError(500));
    const result = retryWithBackoff(attempt);
    await vi.advanceTimersByTimeAsync(374);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(126);
    expect(attempt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(result).resolves.toBe("ok");
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it("stops at once on a non-retryable error (auth, invalid request)", async () => {
    const unauthorized = apiError(401);
    const attempt = failing(unauthorized);
    await expect(retryWithBackoff(attempt)).rejects.toBe(unauthorized);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("does not retry errors that are not marked retryable", async () => {
    const attempt = failing(new TypeError("bug"));
    await expect(retryWithBackoff(attempt)).rejects.toThrow("bug");
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("throws the last error after maxRetries retries", async () => {
    const last = apiError(503);
    const attempt = failing(apiError(503), apiError(503), last, apiError(503));
    const result = retryWithBackoff(attempt, { maxRetries: 2 });
    const settled = expect(result).rejects.toBe(last);
    await vi.advanceTimersByTimeAsync(10_000);
    await settled;
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it("stops retrying when aborted during the backoff and rejects with the abort reason", async () => {
    const controller = new AbortController();
    const attempt = failing(apiError(429, 5000));
    const result = retryWithBackoff(attempt, { abortSignal: controller.signal });
    const settled = expect(result).rejects.toBe("user cancelled");
    await vi.advanceTimersByTimeAsync(100);
    controller.abort("user cancelled");
    await settled;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("rejects with the abort reason, not the attempt's error, when the attempt fails after an abort", async () => {
    const controller = new AbortController();
    const reason = new Error("aborted by caller");
    const attempt = vi.fn(async () => {
      controller.abort(reason);
      throw apiError(503);
    });
    await expect(retryWithBackoff(attempt, { abortSignal: controller.signal })).rejects.toBe(reason);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("makes no attempt when already aborted", async () => {
    const attempt = failing();
    await expect(retryWithBackoff(attempt, { abortSignal: AbortSignal.abort("early") })).rejects.toBe("early");
    expect(attempt).not.toHaveBeenCalled();
  });
});

describe("retry delays", () => {
  it("caps the backoff at 10 s and a retry-after at 60 s", () => {
    expect(retryDelayMs(10, apiError(503))).toBeLessThanOrEqual(10_000);
    expect(retryDelayMs(10, apiError(503))).toBeGreaterThanOrEqual(7_500);
    expect(retryDelayMs(1, apiError(429, 120_000))).toBe(60_000);
  });

  it("reads retryability from the error's flag: 429 and 5xx yes, 400 and 401 no", () => {
    expect([429, 500, 503, 529].map((status) => isRetryableLlmError(apiError(status)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([400, 401, 403].map((status) => isRetryableLlmError(apiError(status)))).toEqual([false, false, false]);
    const overloaded = new LlmApiError({
      message: "overloaded",
      provider: "anthropic",
      statusCode: 400,
      isRetryable: true,
    });
    expect(isRetryableLlmError(overloaded)).toBe(true);
  });
});
