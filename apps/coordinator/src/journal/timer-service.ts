import type { Logger } from "../logger.js";
import type { EntryResultRow, JournalStore } from "../store/index.js";

export type FiredTimer = { invocationId: string; index: number; result: EntryResultRow };

/** Longest sleep between looks at the timers table: catches timers written by anything we missed. */
const SAFETY_POLL_MS = 1_000;

/**
 * Fires durable timers: wakes at the earliest known fire time (and at least every second), fires
 * every due timer, including those that fell due while the coordinator was down, and hands the
 * completed entries on. Timers live in the store, so none is lost across a restart.
 */
export class TimerService {
  #timeout: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(
    private readonly journal: JournalStore,
    private readonly onFired: (timer: FiredTimer) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.#tick();
  }

  /** A timer was written: make sure we wake up for it. */
  schedule(fireAt: Date): void {
    const at = fireAt.getTime();
    if (at >= this.#wakeAt) return;
    this.#arm(at);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timeout);
  }

  #arm(at: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timeout);
    this.#wakeAt = at;
    this.#timeout = setTimeout(() => this.#tick(), Math.max(0, at - Date.now()));
    this.#timeout.unref();
  }

  #tick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#fire()
      .catch((error: unknown) => {
        this.logger.error({ err: error, retryInMs: SAFETY_POLL_MS }, "Timer service failed; retrying");
        // #fire stopped before arming the next look: arm it here, or due timers wait for a restart.
        this.#arm(Date.now() + SAFETY_POLL_MS);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#tick();
        }
      });
  }

  async #fire(): Promise<void> {
    this.#wakeAt = Number.POSITIVE_INFINITY;
    for (;;) {
      const fired = await this.journal.fireDueTimers(new Date());
      for (const timer of fired) this.onFired(timer);
      if (fired.length < 500) break;
    }
    const next = await this.journal.nextTimerAt();
    // #wakeAt may have been lowered by schedule() while we were firing: keep the earliest.
    this.#arm(Math.min(next?.getTime() ?? Number.POSITIVE_INFINITY, Date.now() + SAFETY_POLL_MS, this.#wakeAt));
  }
}
