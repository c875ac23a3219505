/**
 * The live phase of an invocation the coordinator drives, and the one function that changes it.
 * Its durable status (pending, running, suspended, finished) is the record in the store; this is
 * the in-memory side, which the engine only changes through `transition`.
 *
 * - queued: waiting in its service's queue for a worker slot
 * - held: ready to run but its run is paused: not queued until resumed
 * - running: started on a worker
 * - backoff: waiting out a retry delay
 * - suspending: its suspension is being recorded (it leaves memory once recorded)
 * - finishing: its end is being recorded
 */
export type InvocationPhase = "queued" | "held" | "running" | "backoff" | "suspending" | "finishing";

export type InvocationEvent =
  /** Ready to run (new, revived, retried, re-dispatched): queued, or held while its run is paused. */
  | { type: "ready"; paused: boolean; front?: boolean }
  /** A worker took it. */
  | { type: "dispatch" }
  /** Run it again after a delay (a retry, a journal or entity write that failed). */
  | { type: "backoff"; delayMs: number }
  /** Its handler waits on slow entries only. */
  | { type: "suspend" }
  /** Its end (completed, failed, cancelled) is being recorded. */
  | { type: "finish" };

/** What the engine must do for a transition, in order. */
export type InvocationEffect =
  /** Put its id in its service's queue (at the front for a re-dispatch) and dispatch. */
  | { type: "enqueue"; front: boolean }
  /** Record status `running` (batched with the other writes: no round trip of its own). */
  | { type: "record-running" }
  /** Arm the timer that makes it ready again. */
  | { type: "arm-retry"; delayMs: number };

export interface Transition {
  next: InvocationPhase;
  effects: InvocationEffect[];
  /** The event does not apply in this phase (a stale queue entry, a frame after the end): nothing changes. */
  ignored: boolean;
}

const ignore = (state: InvocationPhase): Transition => ({ next: state, effects: [], ignored: true });

export function transition(state: InvocationPhase, event: InvocationEvent): Transition {
  switch (event.type) {
    case "ready":
      // Ending is final; only a failed entity commit (below) takes an invocation back from it.
      if (state === "finishing") return ignore(state);
      return event.paused
        ? { next: "held", effects: [], ignored: false }
        : { next: "queued", effects: [{ type: "enqueue", front: event.front ?? false }], ignored: false };
    case "dispatch":
      // The queue keeps ids: an id whose invocation moved on (held, finished, re-queued) is skipped.
      if (state !== "queued") return ignore(state);
      return { next: "running", effects: [{ type: "record-running" }], ignored: false };
    case "backoff":
      // From finishing too: an entity write whose commit failed is run again.
      return { next: "backoff", effects: [{ type: "arm-retry", delayMs: event.delayMs }], ignored: false };
    case "suspend":
      if (state !== "running") return ignore(state);
      return { next: "suspending", effects: [], ignored: false };
    case "finish":
      return { next: "finishing", effects: [], ignored: false };
  }
}

/** The status a caller sees for a live invocation (GET /v1/runs/:id). */
export function liveStatusOf(phase: InvocationPhase, awaiting: boolean): "pending" | "running" | "waiting" {
  if (phase === "suspending" || (phase === "running" && awaiting)) return "waiting";
  return phase === "running" ? "running" : "pending";
}
