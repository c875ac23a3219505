import type { ExecutionTimers } from "../suspension-tracker.js";

/** Lets every pending microtask (and the promise jobs they queue) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Timers that fire only when the test advances them. */
export class ManualTimers implements ExecutionTimers {
  #now = 0;
  #nextId = 1;
  readonly #queue: { id: number; at: number; callback: () => void }[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#queue.push({ id, at: this.#now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    const index = this.#queue.findIndex((timer) => timer.id === handle);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  /** Timers waiting to fire, with their delays from now. */
  get pending(): number[] {
    return this.#queue.map((timer) => timer.at - this.#now);
  }

  /** Moves time forward, firing due timers in order and flushing after each. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (;;) {
      const due = this.#queue.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#queue.splice(this.#queue.indexOf(due), 1);
      this.#now = due.at;
      due.callback();
      await flush();
    }
    this.#now = target;
  }
}
