/**
 * How long an invocation must have run before its status `running` is written. One that ends (or
 * suspends, or is retried) sooner never has it written: its end supersedes it, so the dispatch
 * path of a short call costs no write. Longer ones are recorded running between this long and
 * twice this long after their dispatch, by one statement for all of them, in the next group commit.
 */
export const RUNNING_RECORD_DELAY_MS = 100;

/**
 * Status `running` marks waiting to be written, dropped when a later status write supersedes them.
 *
 * Marks age in two generations, one timer tick (the delay) apart: a tick writes the marks that were
 * already waiting at the previous tick, so every written mark is at least one delay old. (Writing
 * every waiting mark at each tick, as before, also wrote the calls dispatched just before it, a
 * fifth of all calls at concurrency 64, and their extra statement turned single-statement group
 * commits into BEGIN/COMMIT transactions.)
 */
export class DeferredRunningMarks {
  /** Added since the last tick. */
  #young = new Set<string>();
  /** Waiting since before the last tick: written at the next one. */
  #aged = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (ids: string[]) => Promise<void>,
    private readonly onError: (error: unknown, ids: string[]) => void,
    private readonly delayMs = RUNNING_RECORD_DELAY_MS,
  ) {}

  add(id: string): void {
    this.#young.add(id);
    this.#timer ??= this.#arm();
  }

  /** A later status write for the id was queued: the mark is no longer the truth. */
  drop(id: string): void {
    this.#young.delete(id);
    this.#aged.delete(id);
  }

  /** Queues every waiting mark now, whatever its age (the store flushing or closing). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = [...this.#aged, ...this.#young];
    this.#aged.clear();
    this.#young.clear();
    return this.#written(ids);
  }

  #arm(): NodeJS.Timeout {
    const timer = setTimeout(() => this.#tick(), this.delayMs);
    timer.unref();
    return timer;
  }

  #tick(): void {
    const due = [...this.#aged];
    this.#aged = this.#young;
    this.#young = new Set();
    this.#timer = this.#aged.size > 0 ? this.#arm() : undefined;
    void this.#written(due);
  }

  #written(ids: string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.write(ids).catch((error: unknown) => this.onError(error, ids));
  }
}
