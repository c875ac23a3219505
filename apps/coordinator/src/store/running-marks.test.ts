import { describe, expect, it, vi } from "vitest";
import { DeferredRunningMarks } from "./running-marks.js";

/** Marks with a recording writer; ticks are driven by vitest's fake timers. */
function marks(delayMs = 100) {
  const written: string[][] = [];
  const recorder = new DeferredRunningMarks(
    async (ids) => {
      written.push(ids);
    },
    () => {},
    delayMs,
  );
  return { recorder, written };
}

describe("DeferredRunningMarks", () => {
  it("writes a mark only once it waited a whole tick, and drops superseded ones", async () => {
    vi.useFakeTimers();
    try {
      const { recorder, written } = marks(100);
      recorder.add("a");
      recorder.add("short");
      await vi.advanceTimersByTimeAsync(60);
      recorder.add("late");
      recorder.drop("short"); // ended before its mark was due
      await vi.advanceTimersByTimeAsync(40); // first tick: nothing has waited a whole tick yet
      expect(written).toEqual([]);
      await vi.advanceTimersByTimeAsync(100); // second tick: a and late are at least 100 ms old
      expect(written).toEqual([["a", "late"]]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(written).toEqual([["a", "late"]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a dropped mark is not written, whichever generation holds it", async () => {
    vi.useFakeTimers();
    try {
      const { recorder, written } = marks(100);
      recorder.add("a");
      await vi.advanceTimersByTimeAsync(100); // a is now waiting since before the tick
      recorder.add("a"); // dispatched again (its worker was lost)
      recorder.drop("a");
      await vi.advanceTimersByTimeAsync(500);
      expect(written).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("flush writes every waiting mark at once, whatever its age", async () => {
    const { recorder, written } = marks(60_000);
    recorder.add("a");
    recorder.add("b");
    recorder.drop("b");
    recorder.add("c");
    await recorder.flush();
    expect(written).toEqual([["a", "c"]]);
    await recorder.flush();
    expect(written).toEqual([["a", "c"]]);
  });

  it("reports a failed write to onError with its ids", async () => {
    const failures: string[][] = [];
    const recorder = new DeferredRunningMarks(
      () => Promise.reject(new Error("down")),
      (_error, ids) => failures.push(ids),
      60_000,
    );
    recorder.add("a");
    await recorder.flush();
    expect(failures).toEqual([["a"]]);
  });
});
