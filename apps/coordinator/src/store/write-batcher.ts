// Group commit: many concurrent writes share one transaction (one fsync).
//
// There are no timers. The first op enqueued while idle starts a flush on the
// next microtask (so ops enqueued in the same synchronous burst share it).
// While a flush runs, new ops queue; when it ends, the next flush takes
// everything queued (up to `maxBatch`). At low load each op commits right
// away; under load batches grow by themselves to match commit latency.
//
// Each enqueue() promise settles only after the transaction holding its op
// has COMMITTED (or failed). If a batch fails, its ops are retried one per
// transaction so a single bad op cannot fail its neighbours.
import type { Database, Queryable } from "./database.js";

/**
 * Writes `ops` inside the given transaction and returns one result per op,
 * in the same order. Must be safe to re-run on a subset of ops (fallback).
 */
export type BatchWriter<Op, R> = (tx: Queryable, ops: readonly Op[]) => Promise<R[]>;

export interface WriteBatcherOptions {
  /** Upper bound on ops per transaction (keeps statements under PG's 65535-parameter limit). */
  maxBatch?: number;
}

/**
 * Tells whether the writer will write these ops with ONE statement. Such a batch runs without
 * BEGIN/COMMIT: a single statement is atomic on its own, and skipping the two extra round trips
 * is most of the commit latency at low load.
 */
export type SingleStatementCheck<Op> = (ops: readonly Op[]) => boolean;

export interface WriteBatcherStats {
  /** Batch transactions attempted (not counting one-by-one fallback transactions). */
  flushes: number;
  /** Ops settled (resolved or rejected). */
  ops: number;
  /** Largest batch so far. */
  maxBatchSize: number;
  /** Batches that failed and were replayed op by op. */
  fallbacks: number;
}

interface Pending<Op, R> {
  op: Op;
  resolve: (value: R) => void;
  reject: (reason: unknown) => void;
}

export class WriteBatcher<Op, R> {
  readonly #db: Database;
  readonly #write: BatchWriter<Op, R>;
  readonly #maxBatch: number;
  #queue: Pending<Op, R>[] = [];
  #running: Promise<void> | undefined;
  #closed = false;
  readonly #stats: WriteBatcherStats = { flushes: 0, ops: 0, maxBatchSize: 0, fallbacks: 0 };

  readonly #singleStatement: SingleStatementCheck<Op>;

  constructor(
    db: Database,
    write: BatchWriter<Op, R>,
    options: WriteBatcherOptions & { singleStatement?: SingleStatementCheck<Op> } = {},
  ) {
    this.#db = db;
    this.#write = write;
    this.#singleStatement = options.singleStatement ?? (() => false);
    this.#maxBatch = Math.max(1, options.maxBatch ?? 1000);
  }

  get stats(): Readonly<WriteBatcherStats> {
    return { ...this.#stats };
  }

  /** Resolves with the op's result once its transaction has committed. */
  enqueue(op: Op): Promise<R> {
    if (this.#closed) return Promise.reject(new Error("write batcher is closed"));
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      this.#running ??= Promise.resolve().then(() => this.#drain());
    });
  }

  /** Stops accepting ops and waits until everything queued has settled. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flushed();
  }

  /** Waits until the queue is empty and no flush is running. */
  async flushed(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        await this.#flush(batch);
      }
    } finally {
      // Synchronous with the last emptiness check, so no op can slip between.
      this.#running = undefined;
    }
  }

  async #flush(batch: Pending<Op, R>[]): Promise<void> {
    this.#stats.flushes++;
    this.#stats.maxBatchSize = Math.max(this.#stats.maxBatchSize, batch.length);
    let results: R[];
    try {
      results = await this.#run(batch.map((p) => p.op));
    } catch (err) {
      if (batch.length > 1) return this.#fallback(batch);
      for (const p of batch) this.#settle(p, { ok: false, error: err });
      return;
    }
    for (const [i, p] of batch.entries()) {
      this.#settle(
        p,
        i < results.length
          ? { ok: true, value: results[i] as R }
          : { ok: false, error: new Error(`batch writer returned ${results.length} results for ${batch.length} ops`) },
      );
    }
  }

  /** The batch transaction failed (rolled back): replay each op alone. */
  async #fallback(batch: Pending<Op, R>[]): Promise<void> {
    this.#stats.fallbacks++;
    for (const p of batch) {
      try {
        const results = await this.#run([p.op]);
        if (results.length !== 1) throw new Error(`batch writer returned ${results.length} results for 1 op`);
        this.#settle(p, { ok: true, value: results[0] as R });
      } catch (error) {
        this.#settle(p, { ok: false, error });
      }
    }
  }

  #run(ops: Op[]): Promise<R[]> {
    if (this.#singleStatement(ops)) return this.#write(this.#db, ops);
    return this.#db.transaction((tx) => this.#write(tx, ops));
  }

  #settle(p: Pending<Op, R>, outcome: { ok: true; value: R } | { ok: false; error: unknown }): void {
    this.#stats.ops++;
    if (outcome.ok) p.resolve(outcome.value);
    else p.reject(outcome.error);
  }
}
