import { NonDeterminismError } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { ReplayCursor } from "./replay-cursor.js";

describe("ReplayCursor", () => {
  const cursor = () =>
    new ReplayCursor([
      { index: 1, kind: "timer", name: "sleep", request: {} },
      { index: 0, kind: "step", name: "a", request: null, result: { ok: true, value: 1 } },
    ]);

  it("hands out indexes in call order and finds the recorded entry at each", () => {
    const c = cursor();
    expect(c.peek()?.name).toBe("a");
    expect(c.advance()).toBe(0);
    expect(c.peek()?.name).toBe("sleep");
    expect(c.advance()).toBe(1);
    expect(c.peek()).toBeUndefined();
    expect(c.nextIndex).toBe(2);
  });

  it("reports a kind or name mismatch as a NonDeterminismError, and nothing past the journal", () => {
    const c = cursor();
    expect(c.mismatch("step", "a")).toBeUndefined();
    const error = c.mismatch("step", "b");
    expect(NonDeterminismError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      index: 0,
      expected: { kind: "step", name: "a" },
      actual: { kind: "step", name: "b" },
    });
    c.advance();
    c.advance();
    expect(c.mismatch("call", "anything")).toBeUndefined();
  });

  it("lists the entries not reached yet", () => {
    const c = cursor();
    c.advance();
    expect(c.unconsumed().map((entry) => entry.index)).toEqual([1]);
  });
});
