// Durable-execution persistence (JournalStore + the durable parts of InvocationStore), run against
// real PostgreSQL (fresh schema) and PGlite (temp dir). One store per backend for the whole file.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inSchema, newInv, pgliteBackend, postgresBackend, testSchemaName } from "./__fixtures__/backends.js";
import type { NewInvocation, StoredError } from "./invocation-store.js";
import type { NewJournalEntry } from "./journal-store.js";
import { loadMigrations, migrate } from "./migrate.js";
import type { Store } from "./open-store.js";

const boom: StoredError = { code: "HANDLER_ERROR", message: "boom", type: "Error", details: { n: 1 } };
const SECOND = 1000;
const HOUR = 3600 * SECOND;

describe.each([postgresBackend(), pgliteBackend()])("durable store on $name", (backend) => {
  let store: Store;

  beforeAll(async () => {
    await backend.setup();
    store = await backend.open();
  });

  afterAll(async () => {
    await store?.close();
    await backend.teardown();
  });

  /** A recorded invocation to hang entries on (entries reference their invocation). */
  const run = async (over: Partial<NewInvocation> = {}) =>
    (await store.invocations.create(newInv({ kind: "workflow", ...over }))).record.id;

  const entry = (invocationId: string, index: number, over: Partial<NewJournalEntry> = {}): NewJournalEntry => ({
    invocationId,
    index,
    kind: "step",
    name: `op${index}`,
    request: null,
    ...over,
  });

  const signalWait = (runId: string, index: number, name: string, timeoutAt?: Date): NewJournalEntry =>
    entry(runId, index, {
      kind: "signal_wait",
      name,
      request: timeoutAt ? JSON.stringify({ fireAtMs: timeoutAt.getTime() }) : "{}",
      signalWait: { runId, name },
      ...(timeoutAt ? { timer: { fireAt: timeoutAt, kind: "signal_timeout" as const } } : {}),
    });

  const timersOf = (invocationId: string) =>
    store.db.query<{ entry_index: number; kind: string; fire_at: Date }>(
      "SELECT entry_index, kind, fire_at FROM timers WHERE invocation_id = $1::text ORDER BY entry_index",
      [invocationId],
    );

  const signalsOf = (runId: string) =>
    store.db.query<{ name: string; payload: string; consumed_by: string | null; consumed_index: number | null }>(
      "SELECT name, payload, consumed_by, consumed_index FROM signals WHERE run_id = $1::text ORDER BY id",
      [runId],
    );

  // ------------------------------------------------------------------ schema

  it("every migration applies on a fresh schema and on one that only had 0001", async () => {
    const all = await loadMigrations();
    const versions = all.map((m) => m.version);
    // Numbered 1, 2, 3, ... without a gap; the latest is what a migrated schema reports.
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    const latest = versions.length;
    const fresh = testSchemaName();
    const old = testSchemaName();
    try {
      const freshDb = await inSchema(store.db, fresh);
      expect(await migrate(freshDb, all)).toEqual({ applied: versions, current: latest });

      const oldDb = await inSchema(store.db, old);
      expect(await migrate(oldDb, all.slice(0, 1))).toEqual({ applied: [1], current: 1 });
      // Data written under 0001: an entry with a result and one without.
      await oldDb.transaction(async (tx) => {
        await tx.exec(`INSERT INTO invocations (id, service, handler, input) VALUES ('i1', 's', 'h', '{}');
                       INSERT INTO journal_entries (invocation_id, idx, kind, name, request, result)
                       VALUES ('i1', 0, 'step', 'a', 'null', '7'), ('i1', 1, 'sleep', 'b', '{}', NULL)`);
      });
      expect(await migrate(oldDb, all)).toEqual({ applied: versions.slice(1), current: latest });
      expect(await migrate(oldDb, all)).toEqual({ applied: [], current: latest });
      const rows = await oldDb.transaction((tx) =>
        tx.query<{ idx: number; done: boolean; cancel_requested: boolean; parent_id: string | null }>(
          `SELECT e.idx, e.completed_at IS NOT NULL AS done, i.cancel_requested, i.parent_id
           FROM journal_entries e JOIN invocations i ON i.id = e.invocation_id ORDER BY e.idx`,
        ),
      );
      expect(rows).toEqual([
        { idx: 0, done: true, cancel_requested: false, parent_id: null },
        { idx: 1, done: false, cancel_requested: false, parent_id: null },
      ]);
      // Both schemas end up with the same tables and columns.
      const columns = (schema: string) =>
        store.db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
          `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
           WHERE table_schema = $1::text ORDER BY table_name, column_name`,
          [schema],
        );
      const freshColumns = await columns(fresh);
      expect(freshColumns.length).toBeGreaterThan(30);
      expect(await columns(old)).toEqual(freshColumns);
    } finally {
      await store.db.exec(`DROP SCHEMA IF EXISTS ${fresh} CASCADE; DROP SCHEMA IF EXISTS ${old} CASCADE`);
    }
  });

  // ------------------------------------------------------------------ append

  it("nextTimerAt: undefined without timers, then the earliest", async () => {
    expect(await store.journal.nextTimerAt()).toBeUndefined();
    const id = await run();
    const late = new Date(Date.now() + 2 * HOUR);
    const soon = new Date(Date.now() + HOUR);
    await store.journal.append(entry(id, 0, { kind: "timer", name: "sleep", timer: { fireAt: late, kind: "timer" } }));
    await store.journal.append(entry(id, 1, { kind: "timer", name: "sleep", timer: { fireAt: soon, kind: "timer" } }));
    expect(await store.journal.nextTimerAt()).toEqual(soon);
    await store.journal.completeEntry(id, 0, { ok: true, value: "null" });
    await store.journal.completeEntry(id, 1, { ok: true, value: "null" });
    expect(await store.journal.nextTimerAt()).toBeUndefined();
  });

  it("appends entries completed at proposal (step, deterministic, signal_emit) with their result", async () => {
    const id = await run();
    expect(await store.journal.append(entry(id, 0, { result: { ok: true, value: '{"a":1}' } }))).toEqual({
      duplicate: false,
      completed: { ok: true, value: '{"a":1}' },
    });
    const withStack = { ...boom, stack: "Error: boom\n    at x" } as StoredError;
    expect(await store.journal.append(entry(id, 1, { result: { ok: false, failure: withStack } }))).toEqual({
      duplicate: false,
      completed: { ok: false, failure: withStack },
    });
    await store.journal.append(
      entry(id, 2, { kind: "deterministic", name: "random", result: { ok: true, value: "0.25" } }),
    );
    await store.journal.append(
      entry(id, 3, {
        kind: "signal_emit",
        name: "go",
        request: '{"runId":"r","payload":null}',
        result: { ok: true, value: "null" },
      }),
    );
    expect(await store.journal.load(id)).toEqual([
      { index: 0, kind: "step", name: "op0", request: null, result: { ok: true, value: '{"a":1}' } },
      { index: 1, kind: "step", name: "op1", request: null, result: { ok: false, failure: boom } }, // stack dropped
      { index: 2, kind: "deterministic", name: "random", request: null, result: { ok: true, value: "0.25" } },
      {
        index: 3,
        kind: "signal_emit",
        name: "go",
        request: '{"runId":"r","payload":null}',
        result: { ok: true, value: "null" },
      },
    ]);
    expect(await store.journal.entry(id, 2)).toMatchObject({ kind: "deterministic", result: { value: "0.25" } });
    expect(await store.journal.entry(id, 9)).toBeUndefined();
    expect(await store.journal.load("inv_missing")).toEqual([]);
  });

  it("appends awaiting entries: a timer with its timer row, a call with its child invocation", async () => {
    const id = await run();
    const fireAt = new Date(Date.now() + HOUR);
    const request = JSON.stringify({ fireAtMs: fireAt.getTime() });
    expect(
      await store.journal.append(
        entry(id, 0, { kind: "timer", name: "sleep", request, timer: { fireAt, kind: "timer" } }),
      ),
    ).toEqual({ duplicate: false });
    expect(await timersOf(id)).toEqual([{ entry_index: 0, kind: "timer", fire_at: fireAt }]);

    const childId = `${id}:1`;
    const child = { ...newInv({ id: childId, service: "other", handler: "work" }), parentId: id, parentEntryIndex: 1 };
    expect(
      await store.journal.append(entry(id, 1, { kind: "call", name: "other/work", request: child.input, child })),
    ).toEqual({ duplicate: false });
    expect(await store.invocations.get(childId)).toMatchObject({
      id: childId,
      service: "other",
      handler: "work",
      status: "pending",
      input: child.input,
      parentId: id,
      parentEntryIndex: 1,
      cancelRequested: false,
    });
    expect(await store.journal.load(id)).toEqual([
      { index: 0, kind: "timer", name: "sleep", request, result: undefined },
      { index: 1, kind: "call", name: "other/work", request: child.input, result: undefined },
    ]);
    // The child is ordinary pending work.
    expect((await store.invocations.listUnfinished()).map((r) => r.id)).toContain(childId);
  });

  it("a re-proposed entry is a duplicate: nothing is written twice, the existing result comes back", async () => {
    const id = await run();
    const step = entry(id, 0, { result: { ok: true, value: "1" } });
    await store.journal.append(step);
    expect(await store.journal.append({ ...step, result: { ok: true, value: "2" } })).toEqual({
      duplicate: true,
      completed: { ok: true, value: "1" },
    });

    const fireAt = new Date(Date.now() + HOUR);
    const timer = entry(id, 1, { kind: "timer", name: "sleep", timer: { fireAt, kind: "timer" } });
    await store.journal.append(timer);
    expect(await store.journal.append(timer)).toEqual({ duplicate: true });
    expect(await timersOf(id)).toHaveLength(1);
    // Completed (timer row gone): a re-proposal neither re-arms the timer nor loses the result.
    expect(await store.journal.completeEntry(id, 1, { ok: true, value: "null" })).toBe(true);
    expect(await store.journal.append(timer)).toEqual({ duplicate: true, completed: { ok: true, value: "null" } });
    expect(await timersOf(id)).toEqual([]);

    const child = { ...newInv({ id: `${id}:2` }), parentId: id, parentEntryIndex: 2 };
    const call = entry(id, 2, { kind: "call", name: "svc/greet", child });
    await store.journal.append(call);
    expect(await store.journal.append({ ...call, child: { ...child, input: '"changed"' } })).toEqual({
      duplicate: true,
    });
    expect((await store.invocations.get(child.id))?.input).toBe(child.input);

    // Concurrent duplicates in one batch: exactly one inserts.
    const twice = await Promise.all([
      store.journal.append(entry(id, 3, { result: { ok: true, value: "3" } })),
      store.journal.append(entry(id, 3, { result: { ok: true, value: "3" } })),
    ]);
    expect(twice).toEqual([
      { duplicate: false, completed: { ok: true, value: "3" } },
      { duplicate: true, completed: { ok: true, value: "3" } },
    ]);
    expect(await store.journal.load(id)).toHaveLength(4);
  });

  it("rejects malformed appends without writing; a failing op does not fail its batch neighbours", async () => {
    const id = await run();
    await expect(
      store.journal.append(
        entry(id, 0, { result: { ok: true, value: "1" }, timer: { fireAt: new Date(), kind: "timer" } }),
      ),
    ).rejects.toThrow(/cannot also await/);
    const child = { ...newInv(), parentId: "someone-else", parentEntryIndex: 0 };
    await expect(store.journal.append(entry(id, 0, { kind: "call", child }))).rejects.toThrow(/must name this entry/);
    expect(await store.journal.load(id)).toEqual([]);

    const fallbacks = store.journal.stats.fallbacks;
    const settled = await Promise.allSettled([
      store.journal.append(entry(id, 0, { result: { ok: true, value: "0" } })),
      store.journal.append(entry("inv_missing", 0, { result: { ok: true, value: "0" } })), // no such invocation
      store.journal.append(entry(id, 1, { result: { ok: true, value: "1" } })),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(store.journal.stats.fallbacks).toBe(fallbacks + 1);
    expect((await store.journal.load(id)).map((e) => e.index)).toEqual([0, 1]);
  });

  // ------------------------------------------------------------------ completion and timers

  it("completeEntry: first completion wins and drops the entry's timer", async () => {
    const id = await run();
    await store.journal.append(
      entry(id, 0, { kind: "timer", timer: { fireAt: new Date(Date.now() - SECOND), kind: "timer" } }),
    );
    expect(await store.journal.completeEntry(id, 0, { ok: false, failure: boom })).toBe(true);
    expect(await store.journal.completeEntry(id, 0, { ok: true, value: "2" })).toBe(false);
    expect(await store.journal.completeEntry(id, 7, { ok: true, value: "2" })).toBe(false);
    expect(await timersOf(id)).toEqual([]);
    expect((await store.journal.fireDueTimers(new Date())).filter((f) => f.invocationId === id)).toEqual([]);
    expect((await store.journal.entry(id, 0))?.result).toEqual({ ok: false, failure: boom });

    // Racing completions in one batch: enqueue order decides.
    await store.journal.append(entry(id, 1, { kind: "call" }));
    const raced = await Promise.all([
      store.journal.completeEntry(id, 1, { ok: true, value: '"first"' }),
      store.journal.completeEntry(id, 1, { ok: true, value: '"second"' }),
    ]);
    expect(raced).toEqual([true, false]);
    expect((await store.journal.entry(id, 1))?.result).toEqual({ ok: true, value: '"first"' });
  });

  it("fireDueTimers fires due timers only, once, with null or {timedOut:true}", async () => {
    const id = await run();
    const now = new Date();
    await store.journal.append(
      entry(id, 0, { kind: "timer", timer: { fireAt: new Date(now.getTime() - 2 * SECOND), kind: "timer" } }),
    );
    await store.journal.append(
      entry(id, 1, { kind: "timer", timer: { fireAt: new Date(now.getTime() + HOUR), kind: "timer" } }),
    );
    await store.journal.append(signalWait(id, 2, "approve", new Date(now.getTime() - SECOND)));

    const fired = (await store.journal.fireDueTimers(now)).filter((f) => f.invocationId === id);
    expect(fired).toEqual([
      { invocationId: id, index: 0, result: { ok: true, value: "null" } },
      { invocationId: id, index: 2, result: { ok: true, value: '{"timedOut":true}' } },
    ]);
    expect((await store.journal.fireDueTimers(now)).filter((f) => f.invocationId === id)).toEqual([]);
    expect((await store.journal.load(id)).map((e) => e.result)).toEqual([
      { ok: true, value: "null" },
      undefined,
      { ok: true, value: '{"timedOut":true}' },
    ]);
    expect((await timersOf(id)).map((t) => t.entry_index)).toEqual([1]);

    // The timed-out wait is complete: a later signal goes to the mailbox.
    expect(await store.journal.emitSignal({ runId: id, name: "approve", payload: "1" })).toEqual({});
    expect(await signalsOf(id)).toEqual([{ name: "approve", payload: "1", consumed_by: null, consumed_index: null }]);

    // Later, the other one is due; limit caps one call.
    const later = new Date(now.getTime() + 2 * HOUR);
    const first = await store.journal.fireDueTimers(later, 1);
    expect(first).toHaveLength(1);
    const rest = await store.journal.fireDueTimers(later);
    expect([...first, ...rest].filter((f) => f.invocationId === id)).toEqual([
      { invocationId: id, index: 1, result: { ok: true, value: "null" } },
    ]);
  });

  it("concurrent fireDueTimers calls fire each timer exactly once", async () => {
    const id = await run();
    const past = new Date(Date.now() - SECOND);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.journal.append(entry(id, i, { kind: "timer", timer: { fireAt: past, kind: "timer" } })),
      ),
    );
    // A second coordinator on the same database (PostgreSQL), or the same store (PGlite).
    const other = backend.name === "postgres" ? await backend.open() : store;
    try {
      const now = new Date();
      const calls = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).journal.fireDueTimers(now, 15)),
      );
      // Whatever the calls left (SKIP LOCKED skips rows another call holds), one more pass takes.
      calls.push(await store.journal.fireDueTimers(now));
      const mine = calls.flat().filter((f) => f.invocationId === id);
      expect(mine.map((f) => f.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(await timersOf(id)).toEqual([]);
    } finally {
      if (other !== store) await other.close();
    }
  });

  // ------------------------------------------------------------------ signals

  it("a signal sent before the wait is kept, then consumed by the wait's append in the same transaction", async () => {
    const id = await run();
    expect(await store.journal.emitSignal({ runId: id, name: "approve", payload: '{"ok":true}' })).toEqual({});
    expect(await signalsOf(id)).toEqual([
      { name: "approve", payload: '{"ok":true}', consumed_by: null, consumed_index: null },
    ]);
    // A wait for another name does not take it.
    expect(await store.journal.append(signalWait(id, 0, "other"))).toEqual({ duplicate: false });

    const timeoutAt = new Date(Date.now() + HOUR);
    expect(await store.journal.append(signalWait(id, 1, "approve", timeoutAt))).toEqual({
      duplicate: false,
      completed: { ok: true, value: '{"payload":{"ok":true}}' },
    });
    expect((await store.journal.entry(id, 1))?.result).toEqual({ ok: true, value: '{"payload":{"ok":true}}' });
    expect(await signalsOf(id)).toEqual([
      { name: "approve", payload: '{"ok":true}', consumed_by: id, consumed_index: 1 },
    ]);
    // Its timeout timer was never left behind; the unrelated wait's entry is untouched.
    expect(await timersOf(id)).toEqual([]);
    expect((await store.journal.entry(id, 0))?.result).toBeUndefined();
    // A re-proposal of the consumed wait reports the result and consumes nothing more.
    await store.journal.emitSignal({ runId: id, name: "approve", payload: "2" });
    expect(await store.journal.append(signalWait(id, 1, "approve", timeoutAt))).toEqual({
      duplicate: true,
      completed: { ok: true, value: '{"payload":{"ok":true}}' },
    });
    expect((await signalsOf(id)).map((s) => s.consumed_by)).toEqual([id, null]);
  });

  it("a signal sent after the wait completes it and deletes its timeout timer", async () => {
    const id = await run();
    await store.journal.append(signalWait(id, 0, "approve", new Date(Date.now() + HOUR)));
    expect(await timersOf(id)).toHaveLength(1);
    expect(await store.journal.emitSignal({ runId: id, name: "approve", payload: "null" })).toEqual({
      deliveredTo: { invocationId: id, index: 0 },
    });
    expect((await store.journal.entry(id, 0))?.result).toEqual({ ok: true, value: '{"payload":null}' });
    expect(await timersOf(id)).toEqual([]);
    expect(await signalsOf(id)).toEqual([{ name: "approve", payload: "null", consumed_by: id, consumed_index: 0 }]);
    // Fired later (say the timer service had read it before): nothing happens to the entry.
    expect(
      (await store.journal.fireDueTimers(new Date(Date.now() + 2 * HOUR))).filter((f) => f.invocationId === id),
    ).toEqual([]);
    // Signals to other runs do not reach it.
    const other = await run();
    await store.journal.append(signalWait(other, 0, "approve"));
    expect(await store.journal.emitSignal({ runId: id, name: "approve", payload: "1" })).toEqual({});
    expect((await store.journal.entry(other, 0))?.result).toBeUndefined();
  });

  it("two waits, two signals: delivered in order (one by one and within one batch)", async () => {
    const id = await run();
    await store.journal.append(signalWait(id, 0, "s"));
    await store.journal.append(signalWait(id, 1, "s"));
    expect(await store.journal.emitSignal({ runId: id, name: "s", payload: '"p1"' })).toEqual({
      deliveredTo: { invocationId: id, index: 0 },
    });
    expect(await store.journal.emitSignal({ runId: id, name: "s", payload: '"p2"' })).toEqual({
      deliveredTo: { invocationId: id, index: 1 },
    });
    expect((await store.journal.load(id)).map((e) => e.result)).toEqual([
      { ok: true, value: '{"payload":"p1"}' },
      { ok: true, value: '{"payload":"p2"}' },
    ]);

    const batched = await run();
    await store.journal.append(signalWait(batched, 0, "s"));
    await store.journal.append(signalWait(batched, 1, "s"));
    const deliveries = await Promise.all([
      store.journal.emitSignal({ runId: batched, name: "s", payload: '"p1"' }),
      store.journal.emitSignal({ runId: batched, name: "s", payload: '"p2"' }),
      store.journal.emitSignal({ runId: batched, name: "s", payload: '"p3"' }),
    ]);
    expect(deliveries).toEqual([
      { deliveredTo: { invocationId: batched, index: 0 } },
      { deliveredTo: { invocationId: batched, index: 1 } },
      {},
    ]);
    expect((await store.journal.load(batched)).map((e) => e.result?.ok && e.result.value)).toEqual([
      '{"payload":"p1"}',
      '{"payload":"p2"}',
    ]);
    expect((await signalsOf(batched)).map((s) => [s.payload, s.consumed_index])).toEqual([
      ['"p1"', 0],
      ['"p2"', 1],
      ['"p3"', null],
    ]);
  });

  it("emits with no waiter are all kept, then consumed oldest first", async () => {
    const id = await run();
    expect(await store.journal.emitSignal({ runId: id, name: "s", payload: "1" })).toEqual({});
    expect(await store.journal.emitSignal({ runId: id, name: "s", payload: "2" })).toEqual({});
    expect((await signalsOf(id)).map((s) => [s.payload, s.consumed_by])).toEqual([
      ["1", null],
      ["2", null],
    ]);
    expect((await store.journal.append(signalWait(id, 0, "s"))).completed).toEqual({
      ok: true,
      value: '{"payload":1}',
    });
    expect((await store.journal.append(signalWait(id, 1, "s"))).completed).toEqual({
      ok: true,
      value: '{"payload":2}',
    });
    expect((await store.journal.append(signalWait(id, 2, "s"))).completed).toBeUndefined();
    expect((await signalsOf(id)).map((s) => s.consumed_index)).toEqual([0, 1]);
  });

  it("within one batch, a wait and an emit take effect in enqueue order", async () => {
    const a = await run();
    const [waitA, emitA] = await Promise.all([
      store.journal.append(signalWait(a, 0, "s")),
      store.journal.emitSignal({ runId: a, name: "s", payload: "1" }),
    ]);
    expect(waitA).toEqual({ duplicate: false });
    expect(emitA).toEqual({ deliveredTo: { invocationId: a, index: 0 } });

    const b = await run();
    const [emitB, waitB] = await Promise.all([
      store.journal.emitSignal({ runId: b, name: "s", payload: "1" }),
      store.journal.append(signalWait(b, 0, "s")),
    ]);
    expect(emitB).toEqual({});
    expect(waitB).toEqual({ duplicate: false, completed: { ok: true, value: '{"payload":1}' } });

    // A completion and an emit to the same wait: the first enqueued wins, the signal is kept.
    const c = await run();
    await store.journal.append(signalWait(c, 0, "s"));
    const [completed, emitC] = await Promise.all([
      store.journal.completeEntry(c, 0, { ok: true, value: '{"timedOut":true}' }),
      store.journal.emitSignal({ runId: c, name: "s", payload: "1" }),
    ]);
    expect([completed, emitC]).toEqual([true, {}]);
    expect((await signalsOf(c)).map((s) => s.consumed_by)).toEqual([null]);
  });

  if (backend.name === "postgres") {
    it("two coordinators: a wait and an emit racing never lose nor double-deliver the signal", async () => {
      const other = await backend.open();
      try {
        for (let round = 0; round < 20; round++) {
          const id = await run();
          const [appended, emitted] = await Promise.all([
            (round % 2 ? store : other).journal.append(signalWait(id, 0, "s")),
            (round % 2 ? other : store).journal.emitSignal({ runId: id, name: "s", payload: String(round) }),
          ]);
          const byAppend = appended.completed !== undefined;
          const byEmit = emitted.deliveredTo !== undefined;
          expect(byAppend !== byEmit, `round ${round}: append ${byAppend}, emit ${byEmit}`).toBe(true);
          expect((await store.journal.entry(id, 0))?.result).toEqual({ ok: true, value: `{"payload":${round}}` });
          expect(await signalsOf(id)).toEqual([
            { name: "s", payload: String(round), consumed_by: id, consumed_index: 0 },
          ]);
        }
      } finally {
        await other.close();
      }
    });

    it("two coordinators: two emits racing for one wait deliver one and keep the other", async () => {
      const other = await backend.open();
      try {
        for (let round = 0; round < 10; round++) {
          const id = await run();
          await store.journal.append(signalWait(id, 0, "s"));
          const results = await Promise.all([
            store.journal.emitSignal({ runId: id, name: "s", payload: "1" }),
            other.journal.emitSignal({ runId: id, name: "s", payload: "2" }),
          ]);
          expect(results.filter((r) => r.deliveredTo)).toHaveLength(1);
          const signals = await signalsOf(id);
          expect(signals).toHaveLength(2);
          expect(signals.filter((s) => s.consumed_by === id)).toHaveLength(1);
        }
      } finally {
        await other.close();
      }
    });

    it("two coordinators: a timeout firing while a signal arrives completes the wait once", async () => {
      const other = await backend.open();
      try {
        for (let round = 0; round < 10; round++) {
          const id = await run();
          await store.journal.append(signalWait(id, 0, "s", new Date(Date.now() - SECOND)));
          await store.journal.append(signalWait(id, 1, "s"));
          const [fired, emitted] = await Promise.all([
            other.journal.fireDueTimers(new Date()),
            store.journal.emitSignal({ runId: id, name: "s", payload: "1" }),
          ]);
          const timedOut = fired.some((f) => f.invocationId === id);
          const results = (await store.journal.load(id)).map((e) => e.result?.ok && e.result.value);
          if (timedOut) {
            // The signal went to the next wait, not to the mailbox.
            expect(results).toEqual(['{"timedOut":true}', '{"payload":1}']);
            expect(emitted).toEqual({ deliveredTo: { invocationId: id, index: 1 } });
          } else {
            expect(results).toEqual(['{"payload":1}', undefined]);
            expect(emitted).toEqual({ deliveredTo: { invocationId: id, index: 0 } });
          }
          await store.journal.fireDueTimers(new Date()); // clean up for the next round
        }
      } finally {
        await other.close();
      }
    });
  }

  // ------------------------------------------------------------------ child calls

  it("a child's completion completes its parent's entry in the same write", async () => {
    const parent = await run();
    const child = { ...newInv({ id: `${parent}:0` }), parentId: parent, parentEntryIndex: 0 };
    await store.journal.append(entry(parent, 0, { kind: "call", name: "svc/greet", child }));
    expect(await store.invocations.complete(child.id, '"out"', 1)).toEqual({
      applied: true,
      parent: { invocationId: parent, index: 0 },
    });
    expect((await store.journal.entry(parent, 0))?.result).toEqual({ ok: true, value: '"out"' });
    expect(await store.invocations.get(child.id)).toMatchObject({ status: "completed", output: '"out"' });
    // First terminal write wins; the parent entry is not touched again.
    expect(await store.invocations.fail(child.id, boom, 2)).toEqual({ applied: false });
    expect((await store.journal.entry(parent, 0))?.result).toEqual({ ok: true, value: '"out"' });
    expect(await store.journal.pendingCallsWithFinishedChildren()).toEqual([]);
  });

  it("a child's failure fails its parent's entry; a parent entry completed already is left alone", async () => {
    const parent = await run();
    const child = { ...newInv({ id: `${parent}:0` }), parentId: parent, parentEntryIndex: 0 };
    await store.journal.append(entry(parent, 0, { kind: "call", child }));
    const withStack = { ...boom, stack: "at x" } as StoredError;
    expect(await store.invocations.fail(child.id, withStack, 3)).toEqual({
      applied: true,
      parent: { invocationId: parent, index: 0 },
    });
    expect((await store.journal.entry(parent, 0))?.result).toEqual({ ok: false, failure: boom });

    const child2 = { ...newInv({ id: `${parent}:1` }), parentId: parent, parentEntryIndex: 1 };
    await store.journal.append(entry(parent, 1, { kind: "call", child: child2 }));
    await store.journal.completeEntry(parent, 1, { ok: true, value: '"early"' });
    expect(await store.invocations.complete(child2.id, '"late"', 1)).toEqual({ applied: true });
    expect((await store.journal.entry(parent, 1))?.result).toEqual({ ok: true, value: '"early"' });

    // Invocations without a parent report no parent; many in one batch, mixed.
    const plain = await run();
    const child3 = { ...newInv({ id: `${parent}:2` }), parentId: parent, parentEntryIndex: 2 };
    await store.journal.append(entry(parent, 2, { kind: "call", child: child3 }));
    const both = await Promise.all([
      store.invocations.complete(plain, "1", 1),
      store.invocations.complete(child3.id, "2", 1),
    ]);
    expect(both).toEqual([{ applied: true }, { applied: true, parent: { invocationId: parent, index: 2 } }]);
  });

  it("cancelled: terminal, first terminal write wins, fails the parent entry with CANCELLED", async () => {
    const parent = await run();
    const child = { ...newInv({ id: `${parent}:0` }), parentId: parent, parentEntryIndex: 0 };
    await store.journal.append(entry(parent, 0, { kind: "call", child }));
    expect(await store.invocations.requestCancel(child.id)).toBe(true);
    expect((await store.invocations.get(child.id))?.cancelRequested).toBe(true);
    expect(await store.invocations.cancelled(child.id, '"cleaned up"')).toEqual({
      applied: true,
      parent: { invocationId: parent, index: 0 },
    });
    expect(await store.invocations.get(child.id)).toMatchObject({
      status: "cancelled",
      output: '"cleaned up"',
      cancelRequested: true,
    });
    expect((await store.invocations.get(child.id))?.completedAt).toBeInstanceOf(Date);
    expect((await store.journal.entry(parent, 0))?.result).toEqual({
      ok: false,
      failure: { code: "CANCELLED", message: `child invocation ${child.id} was cancelled` },
    });
    expect(await store.invocations.cancelled(child.id)).toEqual({ applied: false });
    expect(await store.invocations.complete(child.id, "1", 1)).toEqual({ applied: false });
    expect(await store.invocations.requestCancel(child.id)).toBe(false);
    expect(await store.invocations.requestCancel("inv_missing")).toBe(false);

    const done = await run();
    await store.invocations.complete(done, "1", 1);
    expect(await store.invocations.cancelled(done)).toEqual({ applied: false });
    expect((await store.invocations.get(done))?.status).toBe("completed");

    const plain = await run();
    expect(await store.invocations.cancelled(plain)).toEqual({ applied: true });
    expect(await store.invocations.get(plain)).toMatchObject({ status: "cancelled", output: null, error: null });
  });

  it("pendingCallsWithFinishedChildren finds calls whose child finished without completing them", async () => {
    const parent = await run();
    const kids = [0, 1, 2, 3].map((i) => ({
      ...newInv({ id: `${parent}:${i}` }),
      parentId: parent,
      parentEntryIndex: i,
    }));
    for (const [i, child] of kids.entries()) await store.journal.append(entry(parent, i, { kind: "call", child }));
    // Simulate a crash between a child's outcome and its parent's entry (older coordinator, bug).
    await store.db.query(`UPDATE invocations SET status = 'completed', output = '"a"' WHERE id = $1::text`, [
      kids[0]?.id,
    ]);
    await store.db.query(`UPDATE invocations SET status = 'failed', error = $2::jsonb WHERE id = $1::text`, [
      kids[1]?.id,
      JSON.stringify(boom),
    ]);
    await store.db.query(`UPDATE invocations SET status = 'cancelled' WHERE id = $1::text`, [kids[2]?.id]);
    const found = (await store.journal.pendingCallsWithFinishedChildren()).filter((p) => p.parentId === parent);
    expect(found).toEqual([
      { parentId: parent, index: 0, childId: kids[0]?.id, result: { ok: true, value: '"a"' } },
      { parentId: parent, index: 1, childId: kids[1]?.id, result: { ok: false, failure: boom } },
      {
        parentId: parent,
        index: 2,
        childId: kids[2]?.id,
        result: { ok: false, failure: { code: "CANCELLED", message: `child invocation ${kids[2]?.id} was cancelled` } },
      },
    ]);
    for (const p of found) await store.journal.completeEntry(p.parentId, p.index, p.result);
    expect((await store.journal.pendingCallsWithFinishedChildren()).filter((p) => p.parentId === parent)).toEqual([]);
  });

  // ------------------------------------------------------------------ invocation lifecycle

  it("suspend / resume / listSuspended; listUnfinished stays pending + running", async () => {
    const service = `svc_${randomUUID()}`;
    const a = await run({ service });
    const b = await run({ service });
    await store.invocations.markRunning([a]);
    expect(await store.invocations.suspend(a)).toBe(true);
    expect(await store.invocations.suspend(b)).toBe(true);
    const mine = async (list: Promise<{ id: string; service: string; status: string }[]>) =>
      (await list).filter((r) => r.service === service).map((r) => [r.id, r.status]);
    expect(await mine(store.invocations.listSuspended())).toEqual([
      [a, "suspended"],
      [b, "suspended"],
    ]);
    expect(await mine(store.invocations.listUnfinished())).toEqual([]);
    expect(await store.invocations.resume(a)).toBe(true);
    expect(await store.invocations.resume(a)).toBe(false);
    expect(await mine(store.invocations.listUnfinished())).toEqual([[a, "pending"]]);
    await store.invocations.markRunning([b]); // re-dispatch of a suspended one
    expect(await mine(store.invocations.listUnfinished())).toEqual([
      [a, "pending"],
      [b, "running"],
    ]);
    await store.invocations.complete(b, "1", 0);
    expect(await store.invocations.suspend(b)).toBe(false);
    expect(await store.invocations.resume(b)).toBe(false);
    expect((await store.invocations.get(b))?.status).toBe("completed");
  });

  it("createRun is idempotent on the run id", async () => {
    const id = `run_${randomUUID()}`;
    const first = await store.invocations.createRun(newInv({ id, kind: "workflow", runKey: id }));
    expect(first.created).toBe(true);
    expect(first.record).toMatchObject({ id, kind: "workflow", status: "pending", runKey: id, parentId: null });
    expect(await store.invocations.get(id)).toEqual(first.record);
    const again = await store.invocations.createRun(newInv({ id, kind: "workflow", input: '"other"' }));
    expect(again).toEqual({ created: false, record: first.record });

    const raced = `run_${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.invocations.createRun(newInv({ id: raced, input: String(i) }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.record.input)).size).toBe(1);

    // Even after it finished, a start with the same id returns the finished run.
    await store.invocations.complete(id, '"done"', 1);
    expect(await store.invocations.createRun(newInv({ id }))).toMatchObject({
      created: false,
      record: { status: "completed", output: '"done"' },
    });
  });

  // ------------------------------------------------------------------ group commit

  it("group commit: many concurrent journal writes of mixed kinds commit in few flushes", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => run()));
    const before = store.journal.stats.flushes;
    const appended = await Promise.all(
      ids.flatMap((id) =>
        Array.from({ length: 20 }, (_, i) =>
          store.journal.append(entry(id, i, i % 2 ? { result: { ok: true, value: String(i) } } : { kind: "call" })),
        ),
      ),
    );
    expect(appended.every((r) => !r.duplicate)).toBe(true);
    expect(store.journal.stats.flushes - before).toBeLessThanOrEqual(10);

    // Completions, emits (to the mailbox) and waits in the same batches: one transaction each.
    const f2 = store.journal.stats.flushes;
    const mixed = await Promise.all(
      ids.flatMap((id) => [
        ...Array.from({ length: 10 }, (_, k) => store.journal.completeEntry(id, 2 * k, { ok: true, value: "0" })),
        store.journal.emitSignal({ runId: id, name: "s", payload: "1" }),
        store.journal.append(signalWait(id, 20, "s")),
      ]),
    );
    expect(store.journal.stats.flushes - f2).toBeLessThanOrEqual(10);
    expect(store.journal.stats.maxBatchSize).toBeGreaterThan(20);
    expect(mixed.filter((r) => r === true)).toHaveLength(200);
    const journals = await store.journal.loadMany([...ids, "inv_missing"]);
    expect(journals.get("inv_missing")).toEqual([]);
    for (const id of ids) {
      const j = journals.get(id) ?? [];
      expect(j).toHaveLength(21);
      expect(j.every((e) => e.result?.ok)).toBe(true);
      expect(j[20]?.result).toEqual({ ok: true, value: '{"payload":1}' });
    }
  });
});
