// Durable invocation records. Every write goes through the group-commit
// WriteBatcher and resolves only after its transaction committed; reads go
// straight to the database.
import type { Database, Queryable } from "./database.js";
import type { WriteBatcherOptions, WriteBatcherStats } from "./write-batcher.js";
import { WriteBatcher } from "./write-batcher.js";

export type InvocationStatus = "pending" | "running" | "suspended" | "completed" | "failed" | "cancelled";

/** A serializable error. Never carries a stack trace. */
export interface StoredError {
  code: string;
  message: string;
  type?: string;
  details?: unknown;
}

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
}

export interface ServiceRecord {
  name: string;
  version: string;
  components: unknown[];
  updatedAt: Date;
}

export interface CreateResult {
  /** false when the idempotency key already existed: `record` is the existing invocation. */
  created: boolean;
  record: InvocationRecord;
}

type Op =
  | { type: "create"; id: string; inv: NewInvocation }
  | { type: "complete"; id: string; output: string; attempt: number }
  | { type: "fail"; id: string; error: StoredError; attempt: number }
  | { type: "retry"; id: string; attempt: number; nextAttemptAt: Date; error: StoredError }
  | { type: "running"; id: string };
type OpResult = CreateResult | boolean;

const TERMINAL = `('completed', 'failed', 'cancelled')`;

export class InvocationStore {
  readonly #db: Database;
  readonly #batcher: WriteBatcher<Op, OpResult>;

  constructor(db: Database, options: WriteBatcherOptions = {}) {
    this.#db = db;
    this.#batcher = new WriteBatcher<Op, OpResult>(db, writeBatch, { ...options, singleStatement: isSingleStatement });
  }

  /** Group-commit counters (flushes, ops, largest batch, fallbacks). */
  get stats(): Readonly<WriteBatcherStats> {
    return this.#batcher.stats;
  }

  /** Records a new pending invocation; idempotent on (service, handler, idempotencyKey). */
  create(inv: NewInvocation): Promise<CreateResult> {
    return this.#batcher.enqueue({ type: "create", id: inv.id, inv }) as Promise<CreateResult>;
  }

  /** Marks completed. Returns false (and changes nothing) if already terminal. */
  complete(id: string, output: string, attempt: number): Promise<boolean> {
    return this.#batcher.enqueue({ type: "complete", id, output, attempt }) as Promise<boolean>;
  }

  /** Marks failed for good. Returns false (and changes nothing) if already terminal. */
  fail(id: string, error: StoredError, attempt: number): Promise<boolean> {
    return this.#batcher.enqueue({ type: "fail", id, error, attempt }) as Promise<boolean>;
  }

  /** Back to pending with the next attempt's time. Returns false if already terminal. */
  scheduleRetry(id: string, attempt: number, nextAttemptAt: Date, lastError: StoredError): Promise<boolean> {
    return this.#batcher.enqueue({ type: "retry", id, attempt, nextAttemptAt, error: lastError }) as Promise<boolean>;
  }

  /** pending/suspended -> running (no-op for terminal rows). */
  async markRunning(ids: readonly string[]): Promise<void> {
    await Promise.all([...new Set(ids)].map((id) => this.#batcher.enqueue({ type: "running", id })));
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

  async upsertService(record: Omit<ServiceRecord, "updatedAt"> & { updatedAt?: Date }): Promise<ServiceRecord> {
    const rows = await this.#db.query<ServiceRow>(
      `INSERT INTO services (name, version, components, updated_at)
       VALUES ($1::text, $2::text, $3::jsonb, coalesce($4::timestamptz, clock_timestamp()))
       ON CONFLICT (name) DO UPDATE
         SET version = EXCLUDED.version, components = EXCLUDED.components, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [record.name, record.version, JSON.stringify(record.components), record.updatedAt?.toISOString() ?? null],
    );
    return toService(rows[0] as ServiceRow);
  }

  async listServices(): Promise<ServiceRecord[]> {
    const rows = await this.#db.query<ServiceRow>(`SELECT * FROM services ORDER BY name`);
    return rows.map(toService);
  }

  /** Waits for queued writes to commit. */
  flushed(): Promise<void> {
    return this.#batcher.flushed();
  }

  /** Rejects new writes and waits for queued ones. Does not close the database. */
  close(): Promise<void> {
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
    const res = type === "create" ? await insertInvocations(tx, group) : await updateInvocations(tx, type, group);
    for (const [k, opIndex] of idx.entries()) out[opIndex] = res[k] as OpResult;
  }
}

async function insertInvocations(tx: Queryable, ops: Op[]): Promise<CreateResult[]> {
  const invs = ops.map((op) => (op as Extract<Op, { type: "create" }>).inv);
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", "text", "text", "text", "text", "text", "text", "jsonb"],
    invs.map((v) => [
      v.id,
      v.service,
      v.handler,
      v.kind ?? "function",
      v.objectKey ?? null,
      v.idempotencyKey ?? null,
      v.input,
      JSON.stringify(v.headers ?? {}),
    ]),
  );
  // Conflict target is ONLY the idempotency index: a duplicate primary key
  // is a caller bug and must fail loudly rather than be silently skipped.
  // Only the generated columns come back: the rest is what we sent (input can be large).
  const inserted = await tx.query<{ id: string; created_at: Date }>(
    `INSERT INTO invocations (id, service, handler, kind, object_key, idempotency_key, input, headers)
     VALUES ${values}
     ON CONFLICT (service, handler, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING id, created_at`,
    params,
  );
  const sent = new Map(invs.map((v) => [v.id, v]));
  const byId = new Map(inserted.map((r) => [r.id, newRow(sent.get(r.id)!, r.created_at)]));
  const missing = invs.filter((v) => !byId.has(v.id));
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
    const other = existing.get(keyOf(v.service, v.handler, v.idempotencyKey ?? null));
    if (!other) throw new Error(`invocation ${v.id} was neither inserted nor found by idempotency key`);
    return { created: false, record: toRecord(other) };
  });
}

const keyOf = (service: string, handler: string, key: string | null) => JSON.stringify([service, handler, key]);

/** Per update type: the VALUES columns (name, cast) and the SET / WHERE clauses. */
const UPDATES = {
  complete: {
    columns: [
      ["output", "text"],
      ["attempt", "int"],
    ],
    values: (op: Extract<Op, { type: "complete" }>) => [op.output, op.attempt],
    set: `status = 'completed', output = u.output, attempt = u.attempt, error = NULL,
          completed_at = clock_timestamp(), next_attempt_at = NULL`,
    where: `i.status NOT IN ${TERMINAL}`,
  },
  fail: {
    columns: [
      ["error", "jsonb"],
      ["attempt", "int"],
    ],
    values: (op: Extract<Op, { type: "fail" }>) => [JSON.stringify(toStoredError(op.error)), op.attempt],
    set: `status = 'failed', error = u.error, attempt = u.attempt, output = NULL,
          completed_at = clock_timestamp(), next_attempt_at = NULL`,
    where: `i.status NOT IN ${TERMINAL}`,
  },
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
} as const;

async function updateInvocations(tx: Queryable, type: Exclude<Op["type"], "create">, ops: Op[]): Promise<boolean[]> {
  const spec = UPDATES[type];
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", ...spec.columns.map(([, cast]) => cast)],
    ops.map((op) => [op.id, ...(spec.values as (op: Op) => unknown[])(op)]),
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

/**
 * Builds `($1::t1, $2::t2), ($3::t1, $4::t2)` and appends the values to
 * `params`. Every parameter is cast explicitly: VALUES lists are otherwise
 * typed `text`/`unknown`, which breaks `UPDATE ... FROM (VALUES ...)` joins.
 */
function valuesList(params: unknown[], casts: readonly string[], rows: unknown[][]): string {
  return rows.map((row) => `(${row.map((v, c) => `$${params.push(v)}::${casts[c]}`).join(", ")})`).join(", ");
}

/** Keeps only the documented fields (drops e.g. a stack that slipped in). */
function toStoredError(e: StoredError): StoredError {
  const out: StoredError = { code: String(e.code), message: String(e.message) };
  if (e.type !== undefined) out.type = e.type;
  if (e.details !== undefined) out.details = e.details;
  return out;
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
}

interface ServiceRow {
  name: string;
  version: string;
  components: unknown[];
  updated_at: Date;
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
    attempt: 0,
    headers: v.headers ?? {},
    created_at: createdAt,
    updated_at: createdAt,
    completed_at: null,
    next_attempt_at: null,
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
  };
}

function toService(r: ServiceRow): ServiceRecord {
  return { name: r.name, version: r.version, components: r.components, updatedAt: r.updated_at };
}
