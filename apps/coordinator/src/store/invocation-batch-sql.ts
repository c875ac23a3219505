// Group-commit writes of invocations: each batch becomes one multi-row statement per op type.
import type { Queryable } from "./database.js";
import { type InvocationRow, newRow, toRecord } from "./invocation-rows.js";
import type { CreateResult, FinishResult, NewInvocation } from "./invocation-types.js";
import { queryBatch } from "./prepared-writes.js";
import type { StoredError } from "./sql.js";
import { toStoredError, valuesList } from "./sql.js";
import { storableJson } from "./storable-text.js";

export type Op =
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
export type OpResult = CreateResult | FinishResult | boolean;
type InsertOp = Extract<Op, { type: "create" | "createRun" }>;
type FinishOp = Extract<Op, { type: "complete" | "fail" | "cancelled" }>;
type UpdateOp = Exclude<Op, InsertOp | FinishOp>;

const TERMINAL = `('completed', 'failed', 'cancelled')`;

/**
 * Writes a batch with one multi-row statement per op type. Ops on distinct
 * invocations commute, so the batch is cut into segments in which each id
 * appears once; a second op on the same id (create then complete, say) starts
 * a new segment and therefore sees the first one's effect. Also keeps
 * `UPDATE ... FROM (VALUES ...)` from matching one row twice.
 */
export async function writeBatch(tx: Queryable, ops: readonly Op[]): Promise<OpResult[]> {
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
export function isSingleStatement(ops: readonly Op[]): boolean {
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
  const inserted = await queryBatch<{ id: string; created_at: Date }>(
    tx,
    ops.length,
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
    // In a cluster the replica reopening the run drives it, so it owns it (cluster/lease-sql.ts).
    set: `status = 'pending', attempt = i.attempt + 1, error = NULL, output = NULL, completed_at = NULL, next_attempt_at = NULL, cancel_requested = false,
          owner_token = coalesce(nullif(current_setting('agnt5.replica_token', true), '')::bigint, i.owner_token)`,
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
  const rows = await queryBatch<{ id: string }>(
    tx,
    ops.length,
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
  const rows = await queryBatch<{ id: string; parent_id: string | null; parent_index: number | null }>(
    tx,
    ops.length,
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
