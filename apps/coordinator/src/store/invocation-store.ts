// Durable invocation records. Every write goes through the group-commit
// WriteBatcher and resolves only after its transaction committed; reads go
// straight to the database.
import type { Database, Queryable } from "./database.js";
import { restartRun } from "./run-restart.js";
import { DeferredRunningMarks } from "./running-marks.js";
import { type ServiceRecord, ServiceStore } from "./service-store.js";
import type { StoredError } from "./sql.js";
import { toStoredError, valuesList } from "./sql.js";
import { storableJson } from "./storable-text.js";
import type { WriteBatcherOptions, WriteBatcherStats } from "./write-batcher.js";
import { WriteBatcher } from "./write-batcher.js";

export type { ServiceRecord } from "./service-store.js";
export type { StoredError } from "./sql.js";

export type InvocationStatus = "pending" | "running" | "suspended" | "completed" | "failed" | "cancelled";

export interface NewInvocation {
  id: string;
  service: string;
  handler: string;
  /** Defaults to "function". */
  kind?: string;
  /** JSON text, stored verbatim. */
  input: string;
  headers: Record<string, string>;
  idempotencyKey?: string;
  objectKey?: string;
  /** Id of the workflow run this invocation belongs to (optional). */
  runKey?: string;
  /** Entity invocations: the method called (handler is the entity type, objectKey the key). */
  methodName?: string;
}

export interface InvocationRecord {
  id: string;
  service: string;
  handler: string;
  kind: string;
  objectKey: string | null;
  idempotencyKey: string | null;
  status: InvocationStatus;
  input: string;
  output: string | null;
  error: StoredError | null;
  attempt: number;
  headers: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  nextAttemptAt: Date | null;
  /** For a child call: the parent invocation and the index of its `call` entry. */
  parentId: string | null;
  parentEntryIndex: number | null;
  cancelRequested: boolean;
  runKey: string | null;
  methodName: string | null;
  /** Paused by run control: not dispatched, its timers wait, until resumed. */
  paused: boolean;
}

export interface CreateResult {
  /** false when the idempotency key already existed: `record` is the existing invocation. */
  created: boolean;
  record: InvocationRecord;
}

/** Outcome of a terminal write (complete, fail, cancelled). */
export interface FinishResult {
  /** false (and nothing changed) when the invocation was already terminal or does not exist. */
  applied: boolean;
  /** Set when this write also completed the parent's `call` entry (same transaction). */
  parent?: { invocationId: string; index: number };
}

type Op =
  | { type: "create"; id: string; inv: NewInvocation }
  | { type: "createRun"; id: string; inv: NewInvocation }
  | { type: "complete"; id: string; output: string; attempt: number }
  | { type: "fail"; id: string; error: StoredError; attempt: number }
  | { type: "cancelled"; id: string; output: string | null }
  | { type: "retry"; id: string; attempt: number; nextAttemptAt: Date; error: StoredError }
  | { type: "running"; id: string }
  | { type: "suspend"; id: string; waitingOn: number[] }
  | { type: "resume"; id: string }
  | { type: "requestCancel"; id: string }
  | { type: "pause"; id: string }
  | { type: "unpause"; id: string }
  | { type: "reopen"; id: string };
type OpResult = CreateResult | FinishResult | boolean;
type InsertOp = Extract<Op, { type: "create" | "createRun" }>;
type FinishOp = Extract<Op, { type: "complete" | "fail" | "cancelled" }>;
type UpdateOp = Exclude<Op, InsertOp | FinishOp>;

const TERMINAL = `('completed', 'failed', 'cancelled')`;

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
   * Records status running soon (RUNNING_RECORD_DELAY_MS), with the next group commit, unless a
   * later status write for the invocation comes first: the dispatch path adds no round trip.
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
      `SELECT * FROM invocations WHERE status IN ('pending', 'running') ORDER BY created_at, id`,
    );
    return rows.map(toRecord);
  }

  /** Suspended invocations, oldest first: they stay parked until what they await completes. */
  /**
   * Suspended invocations one of whose awaited entries is complete: a crash came between that
   * completion and their re-dispatch. Recovery re-dispatches them.
   */
  async listSuspendedReady(): Promise<InvocationRecord[]> {
    const rows = await this.#db.query<InvocationRow>(
      `SELECT i.* FROM invocations i
       WHERE i.status = 'suspended' AND EXISTS (
         SELECT 1 FROM journal_entries j
         WHERE j.invocation_id = i.id AND j.completed_at IS NOT NULL
           AND (i.waiting_on IS NULL OR i.waiting_on @> to_jsonb(j.idx)))
       ORDER BY i.created_at, i.id`,
    );
    return rows.map(toRecord);
  }

  async listSuspended(): Promise<InvocationRecord[]> {
    const rows = await this.#db.query<InvocationRow>(
      `SELECT * FROM invocations WHERE status = 'suspended' ORDER BY created_at, id`,
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

// ------------------------------------------------------------- batch writing

/**
 * Writes a batch with one multi-row statement per op type. Ops on distinct
 * invocations commute, so the batch is cut into segments in which each id
 * appears once; a second op on the same id (create then complete, say) starts
 * a new segment and therefore sees the first one's effect. Also keeps
 * `UPDATE ... FROM (VALUES ...)` from matching one row twice.
 */
async function writeBatch(tx: Queryable, ops: readonly Op[]): Promise<OpResult[]> {
  const results: OpResult[] = new Array<OpResult>(ops.length);
  let segment: number[] = [];
  let ids = new Set<string>();
  for (let i = 0; i <= ops.length; i++) {
    const op = ops[i];
    if (!op || ids.has(op.id)) {
      await writeSegment(tx, ops, segment, results);
      segment = [];
      ids = new Set();
    }
    if (op) {
      segment.push(i);
      ids.add(op.id);
    }
  }
  return results;
}

/**
 * One op type on distinct ids is one statement (an insert may add a read of existing idempotency
 * keys, which needs no transaction: the rows it reads are committed).
 */
function isSingleStatement(ops: readonly Op[]): boolean {
  const type = ops[0]?.type;
  const ids = new Set<string>();
  for (const op of ops) {
    if (op.type !== type || ids.has(op.id)) return false;
    ids.add(op.id);
  }
  return true;
}

async function writeSegment(tx: Queryable, ops: readonly Op[], indexes: number[], out: OpResult[]) {
  const byType = new Map<Op["type"], number[]>();
  for (const i of indexes) {
    const type = (ops[i] as Op).type;
    byType.set(type, [...(byType.get(type) ?? []), i]);
  }
  for (const [type, idx] of byType) {
    const group = idx.map((i) => ops[i] as Op);
    const res =
      type === "create" || type === "createRun"
        ? await insertInvocations(tx, type, group as InsertOp[])
        : type === "complete" || type === "fail" || type === "cancelled"
          ? await finishInvocations(tx, type, group as FinishOp[])
          : await updateInvocations(tx, type, group as UpdateOp[]);
    for (const [k, opIndex] of idx.entries()) out[opIndex] = res[k] as OpResult;
  }
}

async function insertInvocations(tx: Queryable, type: InsertOp["type"], ops: InsertOp[]): Promise<CreateResult[]> {
  const invs = ops.map((op) => op.inv);
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", "text", "text", "text", "text", "text", "text", "jsonb", "text", "text"],
    invs.map((v) => [
      v.id,
      v.service,
      v.handler,
      v.kind ?? "function",
      v.objectKey ?? null,
      v.idempotencyKey ?? null,
      v.input,
      storableJson(v.headers ?? {}),
      v.runKey ?? null,
      v.methodName ?? null,
    ]),
  );
  // create: the conflict target is ONLY the idempotency index: a duplicate
  // primary key is a caller bug and must fail loudly rather than be silently
  // skipped. createRun: the id is the idempotency key, so any conflict skips.
  // Only the generated columns come back: the rest is what we sent (input can be large).
  const conflict = type === "create" ? `(service, handler, idempotency_key) WHERE idempotency_key IS NOT NULL` : "";
  const inserted = await tx.query<{ id: string; created_at: Date }>(
    `INSERT INTO invocations (id, service, handler, kind, object_key, idempotency_key, input, headers, run_key, method_name)
     VALUES ${values}
     ON CONFLICT ${conflict} DO NOTHING
     RETURNING id, created_at`,
    params,
  );
  const sent = new Map(invs.map((v) => [v.id, v]));
  const byId = new Map(inserted.map((r) => [r.id, newRow(sent.get(r.id)!, r.created_at)]));
  // createRun: an existing id returns that record.
  const sameId = new Map<string, InvocationRow>();
  if (type === "createRun" && byId.size < invs.length) {
    const rows = await tx.query<InvocationRow>(`SELECT * FROM invocations WHERE id = ANY($1::text[])`, [
      invs.filter((v) => !byId.has(v.id)).map((v) => v.id),
    ]);
    for (const r of rows) sameId.set(r.id, r);
  }
  const missing = invs.filter((v) => !byId.has(v.id) && !sameId.has(v.id));
  // Skipped rows lost to an existing key (from an earlier batch, another
  // coordinator, or an earlier row of this same statement): read the winner.
  // Under READ COMMITTED this new statement sees the winner's committed row.
  const existing = new Map<string, InvocationRow>();
  if (missing.length > 0) {
    const p: unknown[] = [];
    const keys = valuesList(
      p,
      ["text", "text", "text"],
      missing.map((v) => [v.service, v.handler, v.idempotencyKey ?? null]),
    );
    const rows = await tx.query<InvocationRow>(
      `SELECT * FROM invocations WHERE (service, handler, idempotency_key) IN (VALUES ${keys})`,
      p,
    );
    for (const r of rows) existing.set(keyOf(r.service, r.handler, r.idempotency_key), r);
  }
  return invs.map((v) => {
    const own = byId.get(v.id);
    if (own) return { created: true, record: toRecord(own) };
    const same = sameId.get(v.id);
    if (same) return { created: false, record: toRecord(same) };
    const other = existing.get(keyOf(v.service, v.handler, v.idempotencyKey ?? null));
    if (!other) throw new Error(`invocation ${v.id} was neither inserted nor found by idempotency key`);
    return { created: false, record: toRecord(other) };
  });
}

const keyOf = (service: string, handler: string, key: string | null) => JSON.stringify([service, handler, key]);

/** Per update type: the VALUES columns (name, cast) and the SET / WHERE clauses. */
const UPDATES = {
  retry: {
    columns: [
      ["attempt", "int"],
      ["next_attempt_at", "timestamptz"],
      ["error", "jsonb"],
    ],
    values: (op: Extract<Op, { type: "retry" }>) => [
      op.attempt,
      op.nextAttemptAt.toISOString(),
      JSON.stringify(toStoredError(op.error)),
    ],
    set: `status = 'pending', attempt = u.attempt, next_attempt_at = u.next_attempt_at, error = u.error`,
    where: `i.status NOT IN ${TERMINAL}`,
  },
  running: {
    columns: [],
    values: () => [],
    set: `status = 'running', next_attempt_at = NULL`,
    where: `i.status IN ('pending', 'running', 'suspended')`,
  },
  suspend: {
    columns: [["waiting_on", "jsonb"]],
    values: (op: Extract<Op, { type: "suspend" }>) => [JSON.stringify(op.waitingOn)],
    set: `status = 'suspended', next_attempt_at = NULL, waiting_on = u.waiting_on`,
    where: `i.status NOT IN ${TERMINAL}`,
  },
  resume: {
    columns: [],
    values: () => [],
    set: `status = 'pending'`,
    where: `i.status = 'suspended'`,
  },
  requestCancel: {
    columns: [],
    values: () => [],
    set: `cancel_requested = true`,
    where: `i.status NOT IN ${TERMINAL}`,
  },
  pause: {
    columns: [],
    values: () => [],
    set: `paused = true`,
    where: `i.status NOT IN ${TERMINAL}`,
  },
  unpause: {
    columns: [],
    values: () => [],
    set: `paused = false`,
    where: `i.paused`,
  },
  reopen: {
    columns: [],
    values: () => [],
    set: `status = 'pending', attempt = i.attempt + 1, error = NULL, output = NULL, completed_at = NULL, next_attempt_at = NULL, cancel_requested = false`,
    where: `i.status = 'failed'`,
  },
} as const;

async function updateInvocations(tx: Queryable, type: UpdateOp["type"], ops: UpdateOp[]): Promise<boolean[]> {
  const spec = UPDATES[type];
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", ...spec.columns.map(([, cast]) => cast)],
    ops.map((op) => [op.id, ...(spec.values as (op: UpdateOp) => unknown[])(op)]),
  );
  const rows = await tx.query<{ id: string }>(
    `UPDATE invocations AS i
     SET ${spec.set}, updated_at = clock_timestamp()
     FROM (VALUES ${values}) AS u(id${spec.columns.map(([name]) => `, ${name}`).join("")})
     WHERE i.id = u.id AND ${spec.where}
     RETURNING i.id`,
    params,
  );
  const applied = new Set(rows.map((r) => r.id));
  return ops.map((op) => applied.has(op.id));
}

/** Per terminal type: the VALUES columns, the invocation's new state, and the parent entry's outcome. */
const FINISHES = {
  complete: {
    columns: [
      ["output", "text"],
      ["attempt", "int"],
    ],
    values: (op: Extract<FinishOp, { type: "complete" }>) => [op.output, op.attempt],
    set: `status = 'completed', output = u.output, attempt = u.attempt, error = NULL`,
    parentResult: `u.output`,
    parentFailure: `NULL::jsonb`,
  },
  fail: {
    columns: [
      ["error", "jsonb"],
      ["attempt", "int"],
    ],
    values: (op: Extract<FinishOp, { type: "fail" }>) => [JSON.stringify(toStoredError(op.error)), op.attempt],
    set: `status = 'failed', error = u.error, attempt = u.attempt, output = NULL`,
    parentResult: `NULL::text`,
    parentFailure: `u.error`,
  },
  cancelled: {
    columns: [
      ["output", "text"],
      ["failure", "jsonb"],
    ],
    values: (op: Extract<FinishOp, { type: "cancelled" }>) => [
      op.output,
      JSON.stringify({ code: "CANCELLED", message: `child invocation ${op.id} was cancelled` }),
    ],
    set: `status = 'cancelled', output = u.output, error = NULL`,
    parentResult: `NULL::text`,
    parentFailure: `u.failure`,
  },
} as const;

/**
 * First terminal write wins. For a child call, the same statement completes the parent's entry
 * (if still awaiting) and drops that entry's timer, if any: the child's outcome and its parent's
 * entry commit together.
 */
async function finishInvocations(tx: Queryable, type: FinishOp["type"], ops: FinishOp[]): Promise<FinishResult[]> {
  const spec = FINISHES[type];
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", ...spec.columns.map(([, cast]) => cast)],
    ops.map((op) => [op.id, ...(spec.values as (op: FinishOp) => unknown[])(op)]),
  );
  const rows = await tx.query<{ id: string; parent_id: string | null; parent_index: number | null }>(
    `WITH u(id${spec.columns.map(([name]) => `, ${name}`).join("")}) AS (VALUES ${values}),
     done AS (
       UPDATE invocations AS i
       SET ${spec.set}, completed_at = clock_timestamp(), next_attempt_at = NULL, updated_at = clock_timestamp()
       FROM u
       WHERE i.id = u.id AND i.status NOT IN ${TERMINAL}
       RETURNING i.id, i.parent_id, i.parent_entry_index,
                 ${spec.parentResult} AS p_result, ${spec.parentFailure} AS p_failure
     ),
     parent AS (
       UPDATE journal_entries AS e
       SET result = d.p_result, failure = d.p_failure, completed_at = clock_timestamp()
       FROM done AS d
       WHERE e.invocation_id = d.parent_id AND e.idx = d.parent_entry_index AND e.completed_at IS NULL
       RETURNING e.invocation_id, e.idx
     ),
     dropped AS (
       DELETE FROM timers AS t USING parent AS p
       WHERE t.invocation_id = p.invocation_id AND t.entry_index = p.idx
     )
     SELECT d.id, p.invocation_id AS parent_id, p.idx AS parent_index
     FROM done AS d
     LEFT JOIN parent AS p ON p.invocation_id = d.parent_id AND p.idx = d.parent_entry_index`,
    params,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ops.map((op) => {
    const row = byId.get(op.id);
    if (!row) return { applied: false };
    return row.parent_id !== null && row.parent_index !== null
      ? { applied: true, parent: { invocationId: row.parent_id, index: row.parent_index } }
      : { applied: true };
  });
}

// ------------------------------------------------------------------ row mapping

interface InvocationRow {
  id: string;
  service: string;
  handler: string;
  kind: string;
  object_key: string | null;
  idempotency_key: string | null;
  status: InvocationStatus;
  input: string;
  output: string | null;
  error: StoredError | null;
  attempt: number;
  headers: Record<string, string>;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  next_attempt_at: Date | null;
  parent_id: string | null;
  parent_entry_index: number | null;
  cancel_requested: boolean;
  run_key: string | null;
  method_name: string | null;
  paused: boolean;
}

/** The row a fresh insert produced, from what was inserted and the database's timestamp. */
function newRow(v: NewInvocation, createdAt: Date): InvocationRow {
  return {
    id: v.id,
    service: v.service,
    handler: v.handler,
    kind: v.kind ?? "function",
    object_key: v.objectKey ?? null,
    idempotency_key: v.idempotencyKey ?? null,
    status: "pending",
    input: v.input,
    output: null,
    error: null,
    attempt: 1,
    headers: v.headers ?? {},
    created_at: createdAt,
    updated_at: createdAt,
    completed_at: null,
    next_attempt_at: null,
    parent_id: null,
    parent_entry_index: null,
    cancel_requested: false,
    run_key: v.runKey ?? null,
    method_name: v.methodName ?? null,
    paused: false,
  };
}

function toRecord(r: InvocationRow): InvocationRecord {
  return {
    id: r.id,
    service: r.service,
    handler: r.handler,
    kind: r.kind,
    objectKey: r.object_key,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    input: r.input,
    output: r.output,
    error: r.error,
    attempt: r.attempt,
    headers: r.headers,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    nextAttemptAt: r.next_attempt_at,
    parentId: r.parent_id,
    parentEntryIndex: r.parent_entry_index,
    cancelRequested: r.cancel_requested,
    runKey: r.run_key,
    methodName: r.method_name,
    paused: r.paused,
  };
}
