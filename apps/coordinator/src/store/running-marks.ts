/**
 * How long after its dispatch an invocation's status `running` is written. An invocation that
 * ends (or suspends, or is retried) within it never has it written: its end supersedes it, and
 * the dispatch path of a short call costs no write. Longer ones are recorded running within this
 * long, by one statement for every invocation dispatched in the window, in the next group commit.
 */
export const RUNNING_RECORD_DELAY_MS = 100;

/** Status `running` marks waiting to be written, dropped when a later status write supersedes them. */
export class DeferredRunningMarks {
  readonly #ids = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (ids: string[]) => Promise<void>,
    private readonly onError: (error: unknown, ids: string[]) => void,
    private readonly delayMs = RUNNING_RECORD_DELAY_MS,
  ) {}

  add(id: string): void {
    this.#ids.add(id);
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.flush(), this.delayMs);
    this.#timer.unref();
  }

  /** A later status write for the id was queued: the mark is no longer the truth. */
  drop(id: string): void {
    this.#ids.delete(id);
  }

  /** Queues every waiting mark now (the timer, or the store flushing or closing). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = [...this.#ids];
    this.#ids.clear();
    if (ids.length === 0) return Promise.resolve();
    return this.write(ids).catch((error: unknown) => this.onError(error, ids));
  }
}
