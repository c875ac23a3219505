import { describe, expect, it } from "vitest";
import { DefinitionError } from "./errors.js";
import { defaultRetryPolicy, nextRetryDelayMs, type RetryPolicy, resolveRetryPolicy } from "./retry-policy.js";

const policy: RetryPolicy = { maxAttempts: 5, initialIntervalMs: 100, maxIntervalMs: 500, backoffMultiplier: 2 };

describe("resolveRetryPolicy", () => {
  it("returns the defaults when given nothing", () => {
    expect(resolveRetryPolicy()).toEqual({
      maxAttempts: 3,
      initialIntervalMs: 100,
      maxIntervalMs: 10_000,
      backoffMultiplier: 2,
    });
    expect(resolveRetryPolicy()).not.toBe(defaultRetryPolicy);
  });

  it("fills the gaps of a partial policy and ignores explicit undefined", () => {
    expect(resolveRetryPolicy({ maxAttempts: 1, initialIntervalMs: undefined })).toEqual({
      ...defaultRetryPolicy,
      maxAttempts: 1,
    });
  });

  it.each<[string, Partial<RetryPolicy>, string]>([
    ["zero attempts", { maxAttempts: 0 }, "maxAttempts must be an integer >= 1"],
    ["fractional attempts", { maxAttempts: 2.5 }, "maxAttempts must be an integer >= 1"],
    ["a negative initial interval", { initialIntervalMs: -1 }, "initialIntervalMs must be >= 0"],
    ["a NaN initial interval", { initialIntervalMs: Number.NaN }, "initialIntervalMs must be >= 0"],
    [
      "a max interval below the initial one",
      { initialIntervalMs: 500, maxIntervalMs: 100 },
      "maxIntervalMs must be >= initialIntervalMs",
    ],
    ["a shrinking multiplier", { backoffMultiplier: 0.5 }, "backoffMultiplier must be >= 1"],
  ])("rejects %s", (_, partial, problem) => {
    expect(() => resolveRetryPolicy(partial)).toThrow(DefinitionError);
    expect(() => resolveRetryPolicy(partial)).toThrow(`Invalid retry policy: ${problem}`);
  });

  it("lists every problem at once", () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0, backoffMultiplier: 0 })).toThrow(
      "Invalid retry policy: maxAttempts must be an integer >= 1; backoffMultiplier must be >= 1",
    );
  });

  it("accepts a policy that never retries and a constant backoff", () => {
    expect(
      resolveRetryPolicy({ maxAttempts: 1, backoffMultiplier: 1, initialIntervalMs: 0, maxIntervalMs: 0 }),
    ).toEqual({
      maxAttempts: 1,
      backoffMultiplier: 1,
      initialIntervalMs: 0,
      maxIntervalMs: 0,
    });
  });
});

describe("nextRetryDelayMs", () => {
  it("backs off exponentially from the initial interval", () => {
    expect(nextRetryDelayMs(policy, 1)).toBe(100);
    expect(nextRetryDelayMs(policy, 2)).toBe(200);
    expect(nextRetryDelayMs(policy, 3)).toBe(400);
  });

  it("caps the delay at the max interval", () => {
    expect(nextRetryDelayMs(policy, 4)).toBe(500);
    expect(nextRetryDelayMs({ ...policy, maxAttempts: 100 }, 50)).toBe(500);
  });

  it("returns undefined once the attempts are exhausted", () => {
    expect(nextRetryDelayMs(policy, 5)).toBeUndefined();
    expect(nextRetryDelayMs(policy, 6)).toBeUndefined();
    expect(nextRetryDelayMs({ ...policy, maxAttempts: 1 }, 1)).toBeUndefined();
  });

  it("lets a retry-after hint win over the computed backoff, even above the max interval", () => {
    expect(nextRetryDelayMs(policy, 1, 2500)).toBe(2500);
    expect(nextRetryDelayMs(policy, 4, 50)).toBe(50);
  });

  it("ignores a non-positive hint", () => {
    expect(nextRetryDelayMs(policy, 2, 0)).toBe(200);
    expect(nextRetryDelayMs(policy, 2, -10)).toBe(200);
  });

  it("does not retry on a hint once the attempts are exhausted", () => {
    expect(nextRetryDelayMs(policy, 5, 1000)).toBeUndefined();
  });

  it("keeps a constant delay with multiplier 1", () => {
    const constant = resolveRetryPolicy({ backoffMultiplier: 1, initialIntervalMs: 250, maxAttempts: 10 });
    expect([1, 2, 3, 9].map((attempt) => nextRetryDelayMs(constant, attempt))).toEqual([250, 250, 250, 250]);
  });
});
