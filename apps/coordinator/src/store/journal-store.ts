// Durable-execution persistence: journal entries and their side effects
// (timers, child invocations, the signal mailbox). See docs/durable-execution.md.
//
// Every write goes through the group-commit WriteBatcher and resolves only
// after its transaction committed. An entry and its side effects commit in one
// transaction. Reads go straight to the database.
//
// Concurrency (PostgreSQL, several coordinators; PGlite is single-connection):
// - Signal delivery: an emit and a signal-wait append for one run both take a
//   transaction-scoped advisory lock on the run id before reading anything, so
//   one of them always sees the other's committed row: a signal is never lost
//   (emitted while the wait commits) nor delivered twice. The lock works even
//   when the run's invocation does not exist yet.
// - Entry completion: every completer updates the entry `WHERE completed_at IS
//   NULL` (first completion wins) and then deletes its timer, locking entry
//   then timer. The timer service locks timer then entry, both with SKIP
//   LOCKED, so it never waits and cannot deadlock with a completer, and two
//   timer services never fire one timer twice.
import type { Database, Queryable } from "./database.js";
import {
  type AppendResult,
  type EmitOp,
  entryKey,
  type FinishedChildCall,
  type FiredTimer,
  type FireOp,
  type JournalEntryRecord,
  type NewJournalEntry,
  type SignalDelivery,
} from "./journal-types.js";
import { queryBatch } from "./prepared-writes.js";
import { consumeSignals, deliverSignals } from "./signal-sql.js";
import type { EntryResultRow, StoredError } from "./sql.js";
import { ownedHere, resultColumns, toEntryResult, valuesList } from "./sql.js";
import { storableJson } from "./storable-text.js";
import { fireTimers, NEXT_TIMER_SQL } from "./timer-sql.js";
import type { WriteBatcherOptions, WriteBatcherStats } from "./write-batcher.js";
import { WriteBatcher } from "./write-batcher.js";

export type {
  AppendResult,
  FinishedChildCall,
  FiredTimer,
  JournalEntryRecord,
  NewJournalEntry,
  SignalDelivery,
  TimerKind,
} from "./journal-types.js";
export type { EntryResultRow } from "./sql.js";

type AppendOp = { type: "append"; entry: NewJournalEntry };
type CompleteOp = { type: "complete"; invocationId: string; index: number; result: EntryResultRow };
type Op = AppendOp | CompleteOp | EmitOp | FireOp;
type OpResult = AppendResult | boolean | SignalDelivery | FiredTimer[];

// Advisory lock namespace for signal delivery per run ("AG5S"); the second key is hashtext(run id).
const SIGNAL_LOCK_CLASS = 0x41473553;

export class JournalStore {
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

  /**
   * Records an entry with its side effects (timer, child, signal consumption) in one transaction.
   * Idempotent on (invocationId, index): a re-proposal writes nothing and reports `duplicate`.
   */
  append(entry: NewJournalEntry): Promise<AppendResult> {
    const invalid = validate(entry);
    if (invalid) return Promise.reject(new Error(`journal append ${entry.invocationId}#${entry.index}: ${invalid}`));
    return this.#batcher.enqueue({ type: "append", entry }) as Promise<AppendResult>;
  }

  /** Completes an awaiting entry and drops its timer. First completion wins: false if already complete or missing. */
  completeEntry(invocationId: string, index: number, result: EntryResultRow): Promise<boolean> {
    return this.#batcher.enqueue({ type: "complete", invocationId, index, result }) as Promise<boolean>;
  }

  /**
   * Delivers a signal (payload: JSON text) to the lowest-index awaiting `signal_wait` entry named
   * `name` of invocation `runId`, completing it with `{"payload":...}`; or, if none waits, keeps it
   * in the mailbox for the next such wait. Either way it is recorded in `signals`.
   */
  emitSignal(signal: { runId: string; name: string; payload: string }): Promise<SignalDelivery> {
    return this.#batcher.enqueue({ type: "emit", ...signal }) as Promise<SignalDelivery>;
  }

  /**
   * Deletes timers due at `now` (at most `limit`) and completes their entries: a timer with
   * `null`, a signal timeout with `{"timedOut":true}`. Entries already complete are skipped.
   * Returns the entries it completed, in firing order.
   */
  fireDueTimers(now: Date, limit = 500): Promise<FiredTimer[]> {
    return this.#batcher.enqueue({ type: "fire", now, limit: Math.max(1, Math.floor(limit)) }) as Promise<FiredTimer[]>;
  }

  /** The earliest pending timer, if any. */
  async nextTimerAt(): Promise<Date | undefined> {
    const rows = await this.#db.query<{ at: Date | null }>(NEXT_TIMER_SQL);
    return rows[0]?.at ?? undefined;
  }

  /**
   * Drops the journal's tail from its last failed entry on (run control's retry: the step that
   * failed runs again rather than replaying its failure). Returns how many entries were dropped.
   */
  async dropFailedTail(invocationId: string): Promise<number> {
    const rows = await this.#db.query<{ idx: number }>(
      `DELETE FROM journal_entries
       WHERE invocation_id = $1::text AND idx >= (
         SELECT max(idx) FROM journal_entries WHERE invocation_id = $1::text AND failure IS NOT NULL)
       RETURNING idx`,
      [invocationId],
    );
    return rows.length;
  }

  /** An invocation's journal, by index. */
  async load(invocationId: string): Promise<JournalEntryRecord[]> {
    const rows = await this.#db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM journal_entries WHERE invocation_id = $1::text ORDER BY idx`,
      [invocationId],
    );
    return rows.map(toEntryRecord);
  }

  /** Journals of several invocations (recovery): every requested id is a key, possibly with []. */
  async loadMany(invocationIds: readonly string[]): Promise<Map<string, JournalEntryRecord[]>> {
    const out = new Map<string, JournalEntryRecord[]>(invocationIds.map((id) => [id, []]));
    if (invocationIds.length === 0) return out;
    const rows = await this.#db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM journal_entries WHERE invocation_id = ANY($1::text[]) ORDER BY invocation_id, idx`,
      [[...new Set(invocationIds)]],
    );
    for (const r of rows) out.get(r.invocation_id)?.push(toEntryRecord(r));
    return out;
  }

  async entry(invocationId: string, index: number): Promise<JournalEntryRecord | undefined> {
    const rows = await this.#db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM journal_entries WHERE invocation_id = $1::text AND idx = $2::int`,
      [invocationId, index],
    );
    return rows[0] && toEntryRecord(rows[0]);
  }

  /**
   * Awaiting entries whose child invocation is already terminal. Child completion normally
   * completes the parent's entry in its own transaction; this is the safety net for recovery.
   */
  async pendingCallsWithFinishedChildren(): Promise<FinishedChildCall[]> {
    const rows = await this.#db.query<{
      parent_id: string;
      idx: number;
      child_id: string;
      status: "completed" | "failed" | "cancelled";
      output: string | null;
      error: StoredError | null;
    }>(
      `SELECT e.invocation_id AS parent_id, e.idx, c.id AS child_id, c.status, c.output, c.error
       FROM journal_entries AS e
       JOIN invocations AS c ON c.parent_id = e.invocation_id AND c.parent_entry_index = e.idx
       JOIN invocations AS p ON p.id = e.invocation_id
       WHERE e.completed_at IS NULL AND c.status IN ('completed', 'failed', 'cancelled') AND ${ownedHere("p")}
       ORDER BY e.invocation_id, e.idx`,
    );
    return rows.map((r) => ({
      parentId: r.parent_id,
      index: r.idx,
      childId: r.child_id,
      result:
        r.status === "completed"
          ? { ok: true, value: r.output ?? "null" }
          : r.status === "failed"
            ? { ok: false, failure: r.error ?? { code: "UNKNOWN", message: `child invocation ${r.child_id} failed` } }
            : { ok: false, failure: { code: "CANCELLED", message: `child invocation ${r.child_id} was cancelled` } },
    }));
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

function validate(e: NewJournalEntry): string | undefined {
  if (!Number.isInteger(e.index) || e.index < 0) return "index must be a non-negative integer";
  if (e.result && (e.timer || e.child || e.signalWait)) {
    return "an entry carrying a result cannot also await a timer, child or signal";
  }
  if (e.child && (e.child.parentId !== e.invocationId || e.child.parentEntryIndex !== e.index)) {
    return "child.parentId / parentEntryIndex must name this entry";
  }
  return undefined;
}

// ------------------------------------------------------------- batch writing

const SEP = "\u0000";

/** What an op touches; ops with disjoint keys commute and can share statements. */
function keysOf(op: Op): string[] {
  switch (op.type) {
    case "append": {
      const e = op.entry;
      const keys = [`e${SEP}${e.invocationId}${SEP}${e.index}`];
      if (e.child) keys.push(`i${SEP}${e.child.id}`);
      if (e.signalWait) keys.push(`s${SEP}${e.signalWait.runId}${SEP}${e.signalWait.name}`);
      return keys;
    }
    case "complete":
      // Also conflicts with emits to the invocation: completing a wait vs delivering to it.
      return [`e${SEP}${op.invocationId}${SEP}${op.index}`, `r${SEP}${op.invocationId}`];
    case "emit":
      return [`r${SEP}${op.runId}`, `s${SEP}${op.runId}${SEP}${op.name}`];
    case "fire":
      return []; // always a segment of its own
  }
}

/** Run ids whose signal delivery this op takes part in (needs the advisory lock). */
function signalRun(op: Op): string | undefined {
  if (op.type === "emit") return op.runId;
  if (op.type === "append") return op.entry.signalWait?.runId;
  return undefined;
}

/**
 * One statement without BEGIN/COMMIT: completions only, appends only (no signal wait; a follow-up
 * read of duplicates needs no transaction, the rows it reads are committed), or one timer firing.
 */
function isSingleStatement(ops: readonly Op[]): boolean {
  const type = ops[0]?.type;
  if (type === "fire") return ops.length === 1;
  if (type !== "append" && type !== "complete") return false;
  const keys = new Set<string>();
  for (const op of ops) {
    if (op.type !== type || signalRun(op) !== undefined) return false;
    for (const k of keysOf(op)) {
      if (keys.has(k)) return false;
      keys.add(k);
    }
  }
  return true;
}

/**
 * Writes a batch in enqueue order, cut into segments of ops with disjoint keys; each segment is a
 * few multi-row statements (appends, completions, signal consumption, emits), so a later op on the
 * same entry or run sees the earlier one's effect. Runs in the batch's transaction, except for the
 * single-statement batches above.
 */
async function writeBatch(tx: Queryable, ops: readonly Op[]): Promise<OpResult[]> {
  const runs = [...new Set(ops.map(signalRun).filter((r): r is string => r !== undefined))];
  if (runs.length > 0) {
    // Before any read, in one statement, in a fixed order (no lock-order deadlocks between batches).
    await tx.query(
      `SELECT pg_advisory_xact_lock($1::int, k.h)
       FROM (SELECT DISTINCT hashtext(r) AS h FROM unnest($2::text[]) AS r ORDER BY 1) AS k`,
      [SIGNAL_LOCK_CLASS, runs],
    );
  }
  const results: OpResult[] = new Array<OpResult>(ops.length);
  let segment: number[] = [];
  let keys = new Set<string>();
  const flush = async () => {
    if (segment.length > 0) await writeSegment(tx, ops, segment, results);
    segment = [];
    keys = new Set();
  };
  for (const [i, op] of ops.entries()) {
    if (op.type === "fire") {
      await flush();
      results[i] = await fireTimers(tx, op);
      continue;
    }
    const opKeys = keysOf(op);
    if (opKeys.some((k) => keys.has(k))) await flush();
    segment.push(i);
    for (const k of opKeys) keys.add(k);
  }
  await flush();
  return results;
}

async function writeSegment(tx: Queryable, ops: readonly Op[], indexes: number[], out: OpResult[]): Promise<void> {
  const pick = <T extends Op["type"]>(type: T) =>
    indexes.filter((i) => ops[i]?.type === type).map((i) => [i, ops[i] as Extract<Op, { type: T }>] as const);
  const appends = pick("append");
  const completes = pick("complete");
  const emits = pick("emit");

  if (appends.length > 0) {
    const res = await insertEntries(
      tx,
      appends.map(([, op]) => op.entry),
    );
    for (const [k, [i]] of appends.entries()) out[i] = res[k] as AppendResult;
    // New signal waits consume a waiting signal, if any.
    const waits = appends.filter(([i, op]) => op.entry.signalWait && !(out[i] as AppendResult).duplicate);
    if (waits.length > 0) {
      const consumed = await consumeSignals(
        tx,
        waits.map(([, op]) => op.entry),
      );
      for (const [k, [i]] of waits.entries()) {
        const result = consumed[k];
        if (result) out[i] = { duplicate: false, completed: result };
      }
    }
  }
  if (completes.length > 0) {
    const res = await completeEntries(
      tx,
      completes.map(([, op]) => op),
    );
    for (const [k, [i]] of completes.entries()) out[i] = res[k] as boolean;
  }
  if (emits.length > 0) {
    const res = await deliverSignals(
      tx,
      emits.map(([, op]) => op),
    );
    for (const [k, [i]] of emits.entries()) out[i] = res[k] as SignalDelivery;
  }
}

/** Inserts entries (skipping existing ones) and, for the new ones only, their timers and children. */
async function insertEntries(tx: Queryable, entries: NewJournalEntry[]): Promise<AppendResult[]> {
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", "int", "text", "text", "text", "text", "jsonb", "bool"],
    entries.map((e) => [e.invocationId, e.index, e.kind, e.name, e.request, ...columnsOf(e.result), !!e.result]),
  );
  const ctes = [
    `v(inv, idx, kind, name, request, result, failure, done) AS (VALUES ${values})`,
    `ins AS (
       INSERT INTO journal_entries (invocation_id, idx, kind, name, request, result, failure, completed_at)
       SELECT inv, idx, kind, name, request, result, failure, CASE WHEN done THEN clock_timestamp() END FROM v
       ON CONFLICT (invocation_id, idx) DO NOTHING
       RETURNING invocation_id, idx
     )`,
  ];
  const timed = entries.filter((e) => e.timer);
  if (timed.length > 0) {
    const timers = valuesList(
      params,
      ["text", "int", "timestamptz", "text"],
      timed.map((e) => [e.invocationId, e.index, e.timer?.fireAt.toISOString(), e.timer?.kind]),
    );
    ctes.push(`tm AS (
       INSERT INTO timers (invocation_id, entry_index, fire_at, kind)
       SELECT t.inv, t.idx, t.fire_at, t.kind FROM (VALUES ${timers}) AS t(inv, idx, fire_at, kind), ins
       WHERE ins.invocation_id = t.inv AND ins.idx = t.idx
       ON CONFLICT DO NOTHING
     )`);
  }
  const children = entries.flatMap((e) => (e.child ? [e.child] : []));
  if (children.length > 0) {
    const rows = valuesList(
      params,
      ["text", "text", "text", "text", "text", "text", "text", "jsonb", "text", "text", "int", "text"],
      children.map((c) => [
        c.id,
        c.service,
        c.handler,
        c.kind ?? "function",
        c.objectKey ?? null,
        c.idempotencyKey ?? null,
        c.input,
        storableJson(c.headers ?? {}),
        c.runKey ?? null,
        c.parentId,
        c.parentEntryIndex,
        c.methodName ?? null,
      ]),
    );
    ctes.push(`ch AS (
       INSERT INTO invocations (id, service, handler, kind, object_key, idempotency_key, input, headers, run_key,
                                parent_id, parent_entry_index, method_name)
       SELECT c.id, c.service, c.handler, c.kind, c.object_key, c.idempotency_key, c.input, c.headers, c.run_key,
              c.parent_id, c.parent_entry_index, c.method_name
       FROM (VALUES ${rows}) AS c(id, service, handler, kind, object_key, idempotency_key, input, headers, run_key,
                                  parent_id, parent_entry_index, method_name), ins
       WHERE ins.invocation_id = c.parent_id AND ins.idx = c.parent_entry_index
       ON CONFLICT (id) DO NOTHING
     )`);
  }
  const inserted = await queryBatch<{ invocation_id: string; idx: number }>(
    tx,
    entries.length,
    `WITH ${ctes.join(",\n")} SELECT invocation_id, idx FROM ins`,
    params,
  );
  const fresh = new Set(inserted.map((r) => entryKey(r.invocation_id, r.idx)));
  const dups = entries.filter((e) => !fresh.has(entryKey(e.invocationId, e.index)));
  const existing = new Map<string, EntryResultRow | undefined>();
  if (dups.length > 0) {
    // A new statement: it also sees a conflicting row committed while the insert ran.
    const p: unknown[] = [];
    const keys = valuesList(
      p,
      ["text", "int"],
      dups.map((e) => [e.invocationId, e.index]),
    );
    const rows = await tx.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM journal_entries WHERE (invocation_id, idx) IN (VALUES ${keys})`,
      p,
    );
    for (const r of rows) existing.set(entryKey(r.invocation_id, r.idx), toEntryResult(r));
  }
  return entries.map((e) => {
    const key = entryKey(e.invocationId, e.index);
    if (fresh.has(key)) return e.result ? { duplicate: false, completed: e.result } : { duplicate: false };
    if (!existing.has(key)) {
      throw new Error(`journal entry ${e.invocationId}#${e.index} was neither inserted nor found`);
    }
    const completed = existing.get(key);
    return completed ? { duplicate: true, completed } : { duplicate: true };
  });
}

/** First completion wins; a completed entry's timer goes with it. */
async function completeEntries(tx: Queryable, ops: CompleteOp[]): Promise<boolean[]> {
  const params: unknown[] = [];
  const values = valuesList(
    params,
    ["text", "int", "text", "jsonb"],
    ops.map((op) => [op.invocationId, op.index, ...columnsOf(op.result)]),
  );
  const rows = await queryBatch<{ invocation_id: string; idx: number }>(
    tx,
    ops.length,
    `WITH v(inv, idx, result, failure) AS (VALUES ${values}),
     done AS (
       UPDATE journal_entries AS e
       SET result = v.result, failure = v.failure, completed_at = clock_timestamp()
       FROM v
       WHERE e.invocation_id = v.inv AND e.idx = v.idx AND e.completed_at IS NULL
       RETURNING e.invocation_id, e.idx
     ),
     dropped AS (
       DELETE FROM timers AS t USING done AS d
       WHERE t.invocation_id = d.invocation_id AND t.entry_index = d.idx
     )
     SELECT invocation_id, idx FROM done`,
    params,
  );
  const done = new Set(rows.map((r) => entryKey(r.invocation_id, r.idx)));
  return ops.map((op) => done.has(entryKey(op.invocationId, op.index)));
}

// ------------------------------------------------------------------ row mapping

const ENTRY_COLUMNS = `invocation_id, idx, kind, name, request, result, failure, completed_at`;

interface EntryRow {
  invocation_id: string;
  idx: number;
  kind: string;
  name: string;
  request: string | null;
  result: string | null;
  failure: StoredError | null;
  completed_at: Date | null;
}

function columnsOf(result: EntryResultRow | undefined): [string | null, string | null] {
  return result ? resultColumns(result) : [null, null];
}

function toEntryRecord(r: EntryRow): JournalEntryRecord {
  return { index: r.idx, kind: r.kind, name: r.name, request: r.request, result: toEntryResult(r) };
}
