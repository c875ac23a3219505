import type { DurableContext } from "@agnt5/core";
import { DurableExecution } from "@agnt5/durable";

type Entry = {
  index: number;
  kind: string;
  name: string;
  request: any;
  result?: { ok: true; value: unknown } | { ok: false; failure: { code: string; message: string } };
};

/** 2026-01-15T12:00:00Z: the clock the engine sees (cron fire times are computed from it). */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

type Handler = (input: any, request: any) => unknown;

/**
 * A coordinator stand-in for interpreter tests: records the journal, completes call entries by
 * running `handlers[service/handler]` (entity calls by `handlers[<type>.<method>]`), and leaves
 * signal waits and timers pending until the test completes them. The same journal can be replayed
 * by a fresh execution (run again), as after a worker crash.
 */
export class FakeEngine {
  readonly journal: Entry[] = [];
  /** Calls started, in order (`service/handler`). */
  readonly calls: string[] = [];
  #execution: DurableExecution | undefined;
  #completions = new Map<number, (entry: Entry) => void>();

  constructor(readonly handlers: Record<string, Handler>) {}

  /** Runs `body` as a fresh attempt over the journal recorded so far. */
  run(body: (ctx: DurableContext) => Promise<unknown>) {
    const replayed = this.journal.map((entry) => ({ ...entry }));
    this.#completions.clear();
    // Entries recorded without a result wait for the test, whichever attempt proposed them.
    for (const entry of this.journal) {
      if (!entry.result) this.#completions.set(entry.index, (done) => this.#record(entry.index, done.result));
    }
    const execution = new DurableExecution({
      invocationId: "run-1",
      runId: "run-1",
      attempt: 1,
      componentType: "workflow",
      componentName: "flow",
      serviceName: "svc",
      journal: replayed as any,
      suspendAfterMs: 60_000,
      now: () => NOW,
      send: (frame) => {
        if (frame.type === "propose") this.#onPropose(frame.entry as Entry);
      },
    });
    this.#execution = execution;
    return execution.run(body);
  }

  /** Records a result and acks it to the current attempt (a crashed attempt's acks go nowhere). */
  #record(index: number, result: Entry["result"]) {
    this.journal[index]!.result = result;
    const execution = this.#execution;
    queueMicrotask(() => execution?.onAck(index, result as any));
  }

  #onPropose(entry: Entry) {
    this.journal[entry.index] = { ...entry };
    const complete = (result: Entry["result"]) => this.#record(entry.index, result);
    if (entry.result) return complete(entry.result);
    queueMicrotask(() => this.#execution?.onAck(entry.index));
    if (entry.kind === "call") {
      const key = entry.request.method ? `${entry.request.handler}.${entry.request.method}` : entry.name;
      this.calls.push(key);
      const handler = this.handlers[key];
      Promise.resolve()
        .then(() => {
          if (!handler) throw Object.assign(new Error(`no handler ${key}`), { code: "COMPONENT_NOT_FOUND" });
          return handler(entry.request.input, entry.request);
        })
        .then(
          (value) => complete({ ok: true, value: value ?? null }),
          (error: Error & { code?: string }) =>
            complete({ ok: false, failure: { code: error.code ?? "HANDLER_ERROR", message: error.message } }),
        );
    } else {
      this.#completions.set(entry.index, (done) => complete(done.result));
    }
  }

  /** Ends an attempt as a worker crash does: its pending operations are never answered. */
  crash() {
    this.#execution = undefined;
  }

  /** Completes a call entry left pending by a crashed attempt. */
  completeCall(index: number, value: unknown) {
    this.#finish(this.journal[index]!, { ok: true, value });
  }

  /** Entries waiting for the test (signal waits, timers). */
  waiting(kind?: "signal_wait" | "timer"): Entry[] {
    return [...this.#completions.keys()]
      .map((index) => this.journal[index]!)
      .filter((entry) => kind === undefined || entry.kind === kind);
  }

  #finish(entry: Entry, result: Entry["result"]) {
    const complete = this.#completions.get(entry.index)!;
    this.#completions.delete(entry.index);
    complete({ ...entry, result });
  }

  signal(name: string, payload: unknown) {
    const entry = this.waiting("signal_wait").find((e) => e.name === name);
    if (!entry) throw new Error(`nothing waits for signal ${name}`);
    this.#finish(entry, { ok: true, value: { payload } });
  }

  timeOut(name: string) {
    const entry = this.waiting("signal_wait").find((e) => e.name === name);
    if (!entry) throw new Error(`nothing waits for signal ${name}`);
    this.#finish(entry, { ok: true, value: { timedOut: true } });
  }

  /** Fires every pending timer; returns their fire times. */
  fireTimers(): number[] {
    return this.waiting("timer").map((entry) => {
      this.#finish(entry, { ok: true, value: null });
      return entry.request.fireAtMs as number;
    });
  }

  /** The flow:step records, in journal order. */
  records(): any[] {
    return this.journal.filter((e) => e.kind === "step" && e.name === "flow:step").map((e) => (e.result as any).value);
  }
}

/** Lets pending promise jobs and queued microtasks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Flushes until `predicate` holds (each round lets the engine and the fake coordinator progress). */
export async function until(predicate: () => boolean, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (predicate()) return;
    await flush();
  }
  throw new Error("condition never held");
}
