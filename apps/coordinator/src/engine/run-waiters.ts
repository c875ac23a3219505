import type { Outcome } from "./active-invocation.js";

type Resolve = (outcome: Outcome) => void;

/**
 * Callers waiting for the end of invocations that are not in memory (suspended, or driven after a
 * resume by a new live object). Settled when the invocation reaches a terminal state.
 */
export class RunWaiters {
  readonly #waiters = new Map<string, Set<Resolve>>();

  /** Registers a waiter; call dispose() when no longer interested, so none accumulate. */
  wait(id: string): { promise: Promise<Outcome>; dispose(): void } {
    let resolve!: Resolve;
    const promise = new Promise<Outcome>((r) => {
      resolve = r;
    });
    this.adopt(id, resolve);
    return { promise, dispose: () => this.#remove(id, resolve) };
  }

  /** Adds an existing resolver (a suspended invocation's own callers). */
  adopt(id: string, resolve: Resolve): void {
    let set = this.#waiters.get(id);
    if (!set) {
      set = new Set();
      this.#waiters.set(id, set);
    }
    set.add(resolve);
  }

  settle(id: string, outcome: Outcome): void {
    const set = this.#waiters.get(id);
    if (!set) return;
    this.#waiters.delete(id);
    for (const resolve of set) resolve(outcome);
  }

  #remove(id: string, resolve: Resolve): void {
    const set = this.#waiters.get(id);
    set?.delete(resolve);
    if (set?.size === 0) this.#waiters.delete(id);
  }
}
