import { describe, expect, it } from "vitest";
import { afterWorkerLoss, MAX_WORKER_LOSSES, retryDelay } from "./retry-decision.js";

const policy = { maxAttempts: 3, initialIntervalMs: 100, maxIntervalMs: 1_000, backoffMultiplier: 2 };

describe("retry decisions", () => {
  it("a worker loss re-dispatches until the MAX_WORKER_LOSSES-th, which fails the invocation", () => {
    for (let losses = 1; losses < MAX_WORKER_LOSSES; losses++) expect(afterWorkerLoss(losses)).toBe("redispatch");
    expect(afterWorkerLoss(MAX_WORKER_LOSSES)).toBe("fail");
  });

  it("a non-retryable failure (or none) ends the invocation", () => {
    expect(retryDelay(undefined, 1, policy)).toBeUndefined();
    expect(retryDelay({ code: "TERMINAL", retryable: false }, 1, policy)).toBeUndefined();
  });

  it("a step retry is honoured as the worker decided it, policy or not", () => {
    expect(retryDelay({ code: "STEP_RETRY", retryable: true, retryAfterMs: 40 }, 7, undefined)).toBe(40);
    expect(retryDelay({ code: "STEP_RETRY", retryable: true }, 7, undefined)).toBe(0);
  });

  it("any other retryable failure follows the component's policy, and ends when it runs out", () => {
    expect(retryDelay({ code: "RETRYABLE", retryable: true }, 1, policy)).toBeGreaterThan(0);
    expect(retryDelay({ code: "RETRYABLE", retryable: true }, 3, policy)).toBeUndefined();
    expect(retryDelay({ code: "RETRYABLE", retryable: true }, 1, undefined)).toBeUndefined();
  });
});
