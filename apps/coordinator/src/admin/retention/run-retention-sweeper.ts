import type { RetentionSweepResult } from "@agnt5/admin-client";
import type { Logger } from "../../logger.js";
import type { Queryable } from "../../store/index.js";
import { deleteExpiredRuns } from "../queries/retention-rows.js";
import type { RunRetentionConfig } from "./retention-config.js";

/** Runs deleted per statement: one short transaction each, so the sweeper never holds many locks. */
export const RETENTION_BATCH = 500;

/**
 * Deletes finished runs (completed, failed, cancelled) and their journals once they are older than
 * their retention: a component's override, else the default. Runs every `sweepIntervalMs` (and on
 * demand, POST /admin/v1/retention/sweep); like the session sweeper, a pass that fails is logged and
 * the next interval tries again. Unfinished runs, children of unfinished runs and runs with
 * unfinished children are never deleted (see deleteExpiredRuns).
 */
export class RunRetentionSweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RetentionSweepResult> | undefined;
  #last: RetentionSweepResult | null = null;

  constructor(
    private readonly db: Queryable,
    readonly config: RunRetentionConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get lastSweep(): RetentionSweepResult | null {
    return this.#last;
  }

  /** Whether any runs can ever be deleted (a default or an override with an age). */
  get enabled(): boolean {
    return this.config.maxAgeMs !== null || this.config.overrides.some((o) => o.maxAgeMs !== null);
  }

  /** One pass; concurrent calls share the pass that is running. */
  sweepOnce(): Promise<RetentionSweepResult> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  start(): void {
    if (!this.enabled) return;
    this.#timer = setInterval(() => {
      this.sweepOnce().catch((error: unknown) =>
        this.logger.error({ err: error }, "The run retention sweep failed; it runs again next interval"),
      );
    }, this.config.sweepIntervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #sweep(): Promise<RetentionSweepResult> {
    const startedAt = new Date(this.now());
    let deletedRuns = 0;
    const drain = async (batch: Omit<Parameters<typeof deleteExpiredRuns>[1], "limit">) => {
      for (;;) {
        const ids = await deleteExpiredRuns(this.db, { ...batch, limit: RETENTION_BATCH });
        deletedRuns += ids.length;
        if (ids.length < RETENTION_BATCH) return;
      }
    };
    for (const override of this.config.overrides) {
      if (override.maxAgeMs === null) continue;
      await drain({
        cutoff: new Date(startedAt.getTime() - override.maxAgeMs),
        only: [override.service, override.component],
      });
    }
    if (this.config.maxAgeMs !== null) {
      await drain({
        cutoff: new Date(startedAt.getTime() - this.config.maxAgeMs),
        except: this.config.overrides.map((o) => [o.service, o.component] as [string, string]),
      });
    }
    const result = { deletedRuns, startedAt: startedAt.toISOString(), finishedAt: new Date(this.now()).toISOString() };
    if (deletedRuns > 0) this.logger.info({ deletedRuns }, "Deleted finished runs past their retention");
    this.#last = result;
    return result;
  }
}
