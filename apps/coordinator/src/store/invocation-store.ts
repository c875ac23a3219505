// Durable invocation records. Every write goes through the group-commit
// WriteBatcher and resolves only after its transaction committed; reads go
// straight to the database.
import type { Database } from "./database.js";
import { isSingleStatement, type Op, type OpResult, writeBatch } from "./invocation-batch-sql.js";
import { type InvocationRow, toRecord } from "./invocation-rows.js";
import type { CreateResult, FinishResult, InvocationRecord, NewInvocation } from "./invocation-types.js";
import { restartRun } from "./run-restart.js";
import { DeferredRunningMarks } from "./running-marks.js";
import { type ServiceRecord, ServiceStore } from "./service-store.js";
import { ownedHere, type StoredError } from "./sql.js";
import type { WriteBatcherOptions, WriteBatcherStats } from "./write-batcher.js";
import { WriteBatcher } from "./write-batcher.js";

export type {
  CreateResult,
  FinishResult,
  InvocationRecord,
  InvocationStatus,
  NewInvocation,
} from "./invocation-types.js";
export type { ServiceRecord } from "./service-store.js";
export type { StoredError } from "./sql.js";

export class InvocationStore {
  readonly #db: Database;
  readonly #batcher: WriteBatcher<Op, OpResult>;
  readonly #running: DeferredRunningMarks;
  readonly #services: ServiceStore;

  constructor(
    db: Database,
    options: WriteBatcherOptions & {
      /** Told when deferred `running` marks could not be written (they only lag the truth). */
      onRunningMarkError?: (error: unknown, ids: string[]) => void;
      runningRecordDelayMs?: number;
    } = {},
  ) {
    this.#db = db;
    this.#services = new ServiceStore(db);
    this.#batcher = new WriteBatcher<Op, OpResult>(db, writeBatch, { ...options, singleStatement: isSingleStatement });
    this.#running = new DeferredRunningMarks(
      (ids) => this.markRunning(ids),
      options.onRunningMarkError ?? (() => {}),
      options.runningRecordDelayMs,
    );
  }

  /** Every status write supersedes a `running` mark still waiting for the same invocation. */
  #write(op: Op): Promise<OpResult> {
    if (op.type !== "running" && op.type !== "requestCancel" && op.type !== "pause" && op.type !== "unpause") {
      this.#running.drop(op.id);
    }
    return this.#batcher.enqueue(op);
  }

  /** Group-commit counters (flushes, ops, largest batch, fallbacks). */
  get stats(): Readonly<WriteBatcherStats> {
    return this.#batcher.stats;
  }

  /** Records a new pending invocation; idempotent on (service, handler, idempotencyKey). */
  create(inv: NewInvocation): Promise<CreateResult> {
    return this.#write({ type: "create", id: inv.id, inv }) as Promise<CreateResult>;
  }

  /**
   * Records a workflow run under a caller-chosen id. Idempotent: if the id (or the idempotency
   * key) already exists, nothing is written and `{ created: false, record }` holds the existing one.
   */
  createRun(inv: NewInvocation): Promise<CreateResult> {
    return this.#write({ type: "createRun", id: inv.id, inv }) as Promise<CreateResult>;
  }

  /**
   * Marks completed; first terminal write wins (`applied: false` if already terminal). A child
   * call also completes its parent's entry with `{ ok: true, value: output }`, atomically.
   */
  complete(id: string, output: string, attempt: number): Promise<FinishResult> {
    return this.#write({ type: "complete", id, output, attempt }) as Promise<FinishResult>;
  }

  /**
   * Marks failed for good; first terminal write wins. A child call also completes its parent's
   * entry with `{ ok: false, failure: error }`, atomically.
   */
  fail(id: string, error: StoredError, attempt: number): Promise<FinishResult> {
    return this.#write({ type: "fail", id, error, attempt }) as Promise<FinishResult>;
  }

  /**
   * Marks cancelled (terminal; first terminal write wins), keeping what the handler returned
   * (JSON text) if anything. A child call also fails its parent's entry with code CANCELLED.
   */
  cancelled(id: string, output?: string): Promise<FinishResult> {
    return this.#write({ type: "cancelled", id, output: output ?? null }) as Promise<FinishResult>;
  }

  /** Sets `cancelRequested`. Returns false (and changes nothing) if terminal or missing. */
  requestCancel(id: string): Promise<boolean> {
    return this.#write({ type: "requestCancel", id }) as Promise<boolean>;
  }

  /** Pauses (unless terminal) or resumes a run. Returns whether it applied. */
  setPaused(id: string, paused: boolean): Promise<boolean> {
    return this.#write({ type: paused ? "pause" : "unpause", id }) as Promise<boolean>;
  }

  /** failed -> pending at the next attempt (run control's retry). Returns false if it was not failed. */
  reopen(id: string): Promise<boolean> {
    return this.#write({ type: "reopen", id }) as Promise<boolean>;
  }

  /**
   * Records a new run `newId` of the same component and input as `sourceId`, whose journal starts
   * with a copy of the source's entries below `fromEntry`, in one transaction. `created: false`
   * (nothing written) when `newId` exists already; undefined when the source does not exist.
   */
  async restart(sourceId: string, newId: string, fromEntry: number): Promise<CreateResult | undefined> {
    const restarted = await restartRun<InvocationRow>(this.#db, sourceId, newId, fromEntry);
    return restarted && { created: restarted.created, record: toRecord(restarted.row) };
  }

  /** -> suspended, unless terminal. Returns whether it applied. */
  suspend(id: string, waitingOn: readonly number[] = []): Promise<boolean> {
    return this.#write({ type: "suspend", id, waitingOn: [...waitingOn] }) as Promise<boolean>;
  }

  /** suspended -> pending. Returns false if it was not suspended. */
  resume(id: string): Promise<boolean> {
    return this.#write({ type: "resume", id }) as Promise<boolean>;
  }

  /** Back to pending with the next attempt's time. Returns false if already terminal. */
  scheduleRetry(id: string, attempt: number, nextAttemptAt: Date, lastError: StoredError): Promise<boolean> {
    return this.#write({ type: "retry", id, attempt, nextAttemptAt, error: lastError }) as Promise<boolean>;
  }

  /** pending/suspended -> running (no-op for terminal rows). */
  async markRunning(ids: readonly string[]): Promise<void> {
    await Promise.all([...new Set(ids)].map((id) => this.#batcher.enqueue({ type: "running", id })));
  }

  /**
   * Records status running once the invocation has run RUNNING_RECORD_DELAY_MS (to twice that),
   * with the next group commit, unless a later status write for it comes first: the dispatch path
   * adds no round trip, and a call shorter than the delay no write.
   */
  recordRunning(id: string): void {
    this.#running.add(id);
  }

  async get(id: string): Promise<InvocationRecord | undefined> {
    const rows = await this.#db.query<InvocationRow>(`SELECT * FROM invocations WHERE id = $1::text`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  /** pending and running invocations, oldest first: the work to resume after a restart. */
  async listUnfinished(): Promise<InvocationRecord[]> {
    const rows = await this.#db.query<InvocationRow>(
      `SELECT * FROM invocations AS i WHERE status IN ('pending', 'running') AND ${ownedHere("i")}
       ORDER BY created_at, id`,
    );
    return rows.map(toRecord);
  }

  /** The ids of unfinished invocations (owned by this replica in a cluster): the cluster's sweep. */
  async unfinishedIds(): Promise<string[]> {
    const rows = await this.#db.query<{ id: string }>(
      `SELECT id FROM invocations AS i WHERE status IN ('pending', 'running') AND ${ownedHere("i")}`,
    );
    return rows.map((row) => row.id);
  }

  /** Suspended invocations, oldest first: they stay parked until what they await completes. */
  /**
   * Suspended invocations one of whose awaited entries is complete: a crash came between that
   * completion and their re-dispatch. Recovery re-dispatches them.
   */
  async listSuspendedReady(): Promise<InvocationRecord[]> {
    const rows = await this.#db.query<InvocationRow>(
      `SELECT i.* FROM invocations i
       WHERE i.status = 'suspended' AND ${ownedHere("i")} AND EXISTS (
         SELECT 1 FROM journal_entries j
         WHERE j.invocation_id = i.id AND j.completed_at IS NOT NULL
           AND (i.waiting_on IS NULL OR i.waiting_on @> to_jsonb(j.idx)))
       ORDER BY i.created_at, i.id`,
    );
    return rows.map(toRecord);
  }

  async listSuspended(): Promise<InvocationRecord[]> {
    const rows = await this.#db.query<InvocationRow>(
      `SELECT * FROM invocations AS i WHERE status = 'suspended' AND ${ownedHere("i")} ORDER BY created_at, id`,
    );
    return rows.map(toRecord);
  }

  /** The services table: registrations survive a restart. */
  upsertService(record: Omit<ServiceRecord, "updatedAt"> & { updatedAt?: Date }): Promise<ServiceRecord> {
    return this.#services.upsertService(record);
  }

  listServices(): Promise<ServiceRecord[]> {
    return this.#services.listServices();
  }

  deleteService(name: string): Promise<boolean> {
    return this.#services.deleteService(name);
  }

  /** Waits for queued writes (and waiting `running` marks, written now) to commit. */
  async flushed(): Promise<void> {
    await this.#running.flush();
    return this.#batcher.flushed();
  }

  /** Rejects new writes and waits for queued ones. Does not close the database. */
  async close(): Promise<void> {
    await this.#running.flush();
    return this.#batcher.close();
  }
}
