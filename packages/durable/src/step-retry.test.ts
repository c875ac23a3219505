import { RetryableError, TerminalError } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { decideStepRetry } from "./step-retry.js";

const fast = { maxAttempts: 4, initialIntervalMs: 100, maxIntervalMs: 10_000, backoffMultiplier: 2 };
const slow = { maxAttempts: 3, initialIntervalMs: 2000, maxIntervalMs: 60_000, backoffMultiplier: 2 };

describe("decideStepRetry", () => {
  it("never retries a TerminalError", () => {
    expect(decideStepRetry(fast, 1, 1, new TerminalError("no"))).toEqual({ type: "fail" });
  });

  it("retries in process up to 1 s of backoff, then through the invocation", () => {
    expect(decideStepRetry(fast, 1, 1, new Error("x"))).toEqual({ type: "retry-in-process", delayMs: 100 });
    expect(decideStepRetry(fast, 3, 1, new Error("x"))).toEqual({ type: "retry-in-process", delayMs: 400 });
    expect(decideStepRetry(slow, 1, 1, new Error("x"))).toEqual({ type: "retry-invocation", delayMs: 2000 });
  });

  it("fails once the step's attempts are exhausted", () => {
    expect(decideStepRetry(fast, 4, 1, new Error("x"))).toEqual({ type: "fail" });
  });

  it("counts the invocation's attempt for long backoffs, so re-dispatches exhaust the policy", () => {
    expect(decideStepRetry(slow, 1, 2, new Error("x"))).toEqual({ type: "retry-invocation", delayMs: 4000 });
    expect(decideStepRetry(slow, 1, 3, new Error("x"))).toEqual({ type: "fail" });
  });

  it("takes a RetryableError's retryAfterMs as the backoff", () => {
    expect(decideStepRetry(fast, 1, 1, new RetryableError("r", { retryAfterMs: 5 }))).toEqual({
      type: "retry-in-process",
      delayMs: 5,
    });
    expect(decideStepRetry(fast, 1, 1, new RetryableError("r", { retryAfterMs: 5000 }))).toEqual({
      type: "retry-invocation",
      delayMs: 5000,
    });
  });
});
