import { describe, expect, it } from "vitest";
import { newInvocationId } from "./invocation-id.js";

const UUID_V7 = /^inv_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newInvocationId", () => {
  it("is a UUIDv7 carrying the time in its first 48 bits", () => {
    const now = Date.UTC(2026, 11, 2, 13, 30, 0, 123);
    const id = newInvocationId(now);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.slice(4, 12) + id.slice(13, 17), 16)).toBe(now);
  });

  it("sorts by time across milliseconds and never repeats within one", () => {
    const earlier = newInvocationId(1_000);
    const later = newInvocationId(1_001);
    expect(earlier < later).toBe(true);
    const sameMs = new Set(Array.from({ length: 10_000 }, () => newInvocationId(5_000)));
    expect(sameMs.size).toBe(10_000);
    for (const id of sameMs) expect(id).toMatch(UUID_V7);
  });
});
