/**
 * Tells callers still waiting for an outcome (synchronous calls, open streams) that the gateway is
 * closing, so they are answered instead of holding close() up (a stream, indefinitely).
 * Waiters detach when done: no per-request leftovers on this long-lived object.
 */
export class GatewayClosing {
  #closing = false;
  readonly #waiters = new Set<() => void>();

  get closing(): boolean {
    return this.#closing;
  }

  begin(): void {
    this.#closing = true;
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }

  /** `promise` resolves once closing begins; call `dispose` when no longer waiting. */
  wait(): { promise: Promise<void>; dispose(): void } {
    let waiter!: () => void;
    const promise = new Promise<void>((resolve) => {
      waiter = resolve;
    });
    if (this.#closing) waiter();
    else this.#waiters.add(waiter);
    return { promise, dispose: () => this.#waiters.delete(waiter) };
  }
}
