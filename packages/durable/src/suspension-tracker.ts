/** Timer functions the engine uses (injectable for tests). */
export interface ExecutionTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: ExecutionTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Suspends the invocation once the handler has been blocked only on awaiting entries for
 * `delayMs` continuously. `blockedOn` returns the indexes the handler waits on while it is blocked
 * that way, undefined otherwise; `update` is called on every change that may flip it.
 */
export class SuspensionTracker {
  readonly #delayMs: number;
  readonly #timers: ExecutionTimers;
  readonly #blockedOn: () => number[] | undefined;
  readonly #suspend: (waitingOn: number[]) => void;
  #timer: unknown;
  #armed = false;
  #stopped = false;

  constructor(options: {
    delayMs: number;
    timers: ExecutionTimers;
    blockedOn: () => number[] | undefined;
    suspend: (waitingOn: number[]) => void;
  }) {
    this.#delayMs = options.delayMs;
    this.#timers = options.timers;
    this.#blockedOn = options.blockedOn;
    this.#suspend = options.suspend;
  }

  update(): void {
    if (this.#stopped) return;
    if (!this.#blockedOn()) {
      this.#disarm();
      return;
    }
    if (this.#armed) return;
    this.#armed = true;
    this.#timer = this.#timers.setTimeout(() => this.#fire(), this.#delayMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }

  #fire(): void {
    this.#armed = false;
    this.#timer = undefined;
    if (this.#stopped) return;
    const waitingOn = this.#blockedOn();
    if (waitingOn) this.#suspend(waitingOn);
  }

  #disarm(): void {
    if (!this.#armed) return;
    this.#armed = false;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
