import { describe, expect, it } from "vitest";
import { type InvocationPhase, liveStatusOf, transition } from "./invocation-state.js";

const PHASES: InvocationPhase[] = ["queued", "held", "running", "backoff", "suspending", "finishing"];

describe("transition", () => {
  it("ready: queued (and enqueued) unless paused (held, nothing to do); never out of finishing", () => {
    for (const phase of PHASES.filter((p) => p !== "finishing")) {
      expect(transition(phase, { type: "ready", paused: false })).toEqual({
        next: "queued",
        effects: [{ type: "enqueue", front: false }],
        ignored: false,
      });
      expect(transition(phase, { type: "ready", paused: true })).toEqual({ next: "held", effects: [], ignored: false });
    }
    expect(transition("running", { type: "ready", paused: false, front: true }).effects).toEqual([
      { type: "enqueue", front: true },
    ]);
    expect(transition("finishing", { type: "ready", paused: false })).toEqual({
      next: "finishing",
      effects: [],
      ignored: true,
    });
  });

  it("dispatch: only a queued invocation starts, and its status running is recorded", () => {
    expect(transition("queued", { type: "dispatch" })).toEqual({
      next: "running",
      effects: [{ type: "record-running" }],
      ignored: false,
    });
    // A stale queue entry: held (paused after it was queued), re-queued, running, ending.
    for (const phase of PHASES.filter((p) => p !== "queued")) {
      expect(transition(phase, { type: "dispatch" })).toEqual({ next: phase, effects: [], ignored: true });
    }
  });

  it("backoff arms the retry from any phase (a failed entity commit comes back from finishing)", () => {
    for (const phase of PHASES) {
      expect(transition(phase, { type: "backoff", delayMs: 250 })).toEqual({
        next: "backoff",
        effects: [{ type: "arm-retry", delayMs: 250 }],
        ignored: false,
      });
    }
  });

  it("suspend applies to a running invocation only; finish to any", () => {
    expect(transition("running", { type: "suspend" })).toMatchObject({ next: "suspending", ignored: false });
    for (const phase of PHASES.filter((p) => p !== "running")) {
      expect(transition(phase, { type: "suspend" }).ignored).toBe(true);
    }
    for (const phase of PHASES) {
      expect(transition(phase, { type: "finish" })).toEqual({ next: "finishing", effects: [], ignored: false });
    }
  });
});

describe("liveStatusOf", () => {
  it("maps phases to what a caller sees", () => {
    expect(liveStatusOf("running", false)).toBe("running");
    expect(liveStatusOf("running", true)).toBe("waiting");
    expect(liveStatusOf("suspending", false)).toBe("waiting");
    for (const phase of ["queued", "held", "backoff", "finishing"] as const) {
      expect(liveStatusOf(phase, false)).toBe("pending");
    }
  });
});
