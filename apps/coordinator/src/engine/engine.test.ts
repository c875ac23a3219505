// The engine's parts through its facade, over fakes of the store interfaces (no database): the
// paths that are hard to reach with a real store, where the engine's decision is what matters.
import {
  create,
  EntryKind,
  FailureSchema,
  InvocationCompletedSchema,
  InvocationFailedSchema,
  JournalEntrySchema,
  ProposeEntrySchema,
  SuspendInvocationSchema,
} from "@agnt5/proto";
import { describe, expect, it } from "vitest";
import { MAX_WORKER_LOSSES } from "../domain/retry-decision.js";
import { httpStatusFor } from "../errors.js";
import { fakeEngine } from "../test-support/fake-engine.js";

const encoder = new TextEncoder();
const completed = (invocationId: string, attempt: number, output = "42") =>
  create(InvocationCompletedSchema, { invocationId, attempt, output: encoder.encode(output) });
const step = (invocationId: string, attempt: number, index: number, value: string) =>
  create(ProposeEntrySchema, {
    invocationId,
    attempt,
    entry: create(JournalEntrySchema, {
      index,
      kind: EntryKind.STEP,
      name: `step${index}`,
      result: { outcome: { case: "value", value: encoder.encode(value) } },
    }),
  });
const sleep = (invocationId: string, attempt: number, index: number) =>
  create(ProposeEntrySchema, {
    invocationId,
    attempt,
    entry: create(JournalEntrySchema, {
      index,
      kind: EntryKind.SLEEP,
      name: "nap",
      request: encoder.encode(JSON.stringify({ fireAtMs: Date.now() + 3_600_000 })),
    }),
  });

describe("engine over fake stores", () => {
  it("records status running on dispatch, then the end", async () => {
    const { records, connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    expect(records.statuses.get(handle.id)).toEqual(["running"]);
    manager.completed(worker.connection, completed(handle.id, start.attempt));
    await handle.outcome;
    expect(records.statuses.get(handle.id)).toEqual(["running", "completed"]);
  });

  it("a worker lost again and again: re-dispatched at the next attempt each time, failed WORKER_LOST at the limit", async () => {
    const { records, connect, submit, manager } = fakeEngine();
    const handle = await submit();
    for (let loss = 1; loss <= MAX_WORKER_LOSSES; loss++) {
      const worker = connect();
      const start = await worker.nth("start", handle.id);
      expect(start.attempt).toBe(loss);
      manager.workerLost(worker.connection);
    }
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: "failed", error: { code: "WORKER_LOST" } });
    expect(records.rows.get(handle.id)).toMatchObject({ status: "failed", attempt: MAX_WORKER_LOSSES });
  });

  it("a journal write that fails: the attempt is cancelled and re-run (same attempt: it was never acknowledged), and the entry then commits", async () => {
    const { journal, connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const first = await worker.nth("start", handle.id);
    journal.failNext("append");
    manager.proposeEntry(worker.connection, step(handle.id, first.attempt, 0, "1"));
    expect(await worker.nth("cancel", handle.id)).toMatchObject({ reason: "journal write failed" });
    // Nothing was acknowledged; after the backoff the invocation runs again, from the same journal.
    const second = await worker.nth("start", handle.id, 2);
    expect(second.attempt).toBe(first.attempt);
    expect(second.journal).toEqual([]);
    manager.proposeEntry(worker.connection, step(handle.id, second.attempt, 0, "1"));
    expect(await worker.nth("entryAck", handle.id)).toMatchObject({ index: 0 });
    manager.completed(worker.connection, completed(handle.id, second.attempt));
    expect(await handle.outcome).toEqual({ status: "completed", output: "42" });
    expect(await journal.load(handle.id)).toHaveLength(1);
  });

  it("an invocation whose record cannot be written: the caller gets UNAVAILABLE (503), the worker is told to stop", async () => {
    const { records, connect, submit } = fakeEngine();
    const worker = connect();
    records.failNext("create", new Error("connection refused"));
    const handle = await submit();
    await expect(handle.recorded).rejects.toThrow("connection refused");
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: "failed", error: { code: "UNAVAILABLE" } });
    expect(httpStatusFor(outcome.status === "failed" ? outcome.error.code : "")).toBe(503);
    expect(records.rows.has(handle.id)).toBe(false);
    // Dispatched while its record was being written: the worker is told to drop it.
    expect(worker.of("cancel", handle.id)).toHaveLength(worker.of("start", handle.id).length);
  });

  it("a result that cannot be recorded: the caller gets UNAVAILABLE (503), the record stays unfinished for recovery", async () => {
    const { records, connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    records.failNext("complete");
    manager.completed(worker.connection, completed(handle.id, start.attempt));
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: "failed", error: { code: "UNAVAILABLE" } });
    expect(httpStatusFor("UNAVAILABLE")).toBe(503);
    expect(records.rows.get(handle.id)?.status).toBe("running");
    expect(manager.activeCount).toBe(0);
  });

  it("a retryable failure is retried per policy; the record says pending until it runs again", async () => {
    const { records, connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    manager.failed(
      worker.connection,
      create(InvocationFailedSchema, {
        invocationId: handle.id,
        attempt: start.attempt,
        failure: create(FailureSchema, { code: "STEP_RETRY", message: "again", retryable: true, retryAfterMs: 5n }),
      }),
    );
    const again = await worker.nth("start", handle.id, 2);
    expect(again.attempt).toBe(2);
    expect(records.statuses.get(handle.id)).toEqual(["running", "pending", "running"]);
  });
});

describe("run control over fake stores", () => {
  it("a paused run is held, not dispatched, until resumed", async () => {
    const { records, connect, submit, manager } = fakeEngine();
    const handle = await submit(); // queued: no worker yet
    await manager.pause(handle.id);
    expect(records.rows.get(handle.id)?.paused).toBe(true);
    const worker = connect();
    expect(worker.of("start", handle.id)).toEqual([]);
    expect(manager.liveStatus(handle.id)?.status).toBe("pending");
    await manager.resume(handle.id);
    await worker.nth("start", handle.id);
    expect(records.rows.get(handle.id)?.paused).toBe(false);
  });

  it("a run paused while running goes on until it suspends, and is not re-dispatched after a worker loss", async () => {
    const { connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    await manager.pause(handle.id);
    manager.workerLost(worker.connection);
    const other = connect();
    expect(other.of("start", handle.id)).toEqual([]);
    await manager.resume(handle.id);
    expect((await other.nth("start", handle.id)).attempt).toBe(start.attempt + 1);
  });

  it("refuses to pause a finished run (RUN_NOT_PAUSABLE) and to retry one that did not fail (RUN_NOT_RETRYABLE)", async () => {
    const { connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    manager.completed(worker.connection, completed(handle.id, start.attempt));
    await handle.outcome;
    await expect(manager.pause(handle.id)).rejects.toMatchObject({ code: "RUN_NOT_PAUSABLE" });
    await expect(manager.retry(handle.id)).rejects.toMatchObject({ code: "RUN_NOT_RETRYABLE" });
    await expect(manager.pause("nope")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });

  it("retries a failed run under its id at the next attempt, dropping the failed entry from its journal", async () => {
    const { journal, records, connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    manager.proposeEntry(worker.connection, step(handle.id, start.attempt, 0, "1"));
    await worker.nth("entryAck", handle.id);
    await journal.append({
      invocationId: handle.id,
      index: 1,
      kind: "step",
      name: "step1",
      request: null,
      result: { ok: false, failure: { code: "BROKEN", message: "broken" } },
    });
    manager.failed(
      worker.connection,
      create(InvocationFailedSchema, {
        invocationId: handle.id,
        attempt: start.attempt,
        failure: create(FailureSchema, { code: "BROKEN", message: "broken", retryable: false }),
      }),
    );
    await handle.outcome;
    const retried = await manager.retry(handle.id);
    expect(retried).toMatchObject({ id: handle.id, status: "pending", attempt: 2 });
    const again = await worker.nth("start", handle.id, 2);
    expect(again.attempt).toBe(2);
    expect(again.journal.map((entry) => entry.index)).toEqual([0]);
    expect(records.rows.get(handle.id)?.status).toBe("running");
  });

  it("restartFrom: a new run whose journal is the entries before k; k out of range is INVALID_REQUEST naming fromEntry", async () => {
    const { journal, connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    for (const index of [0, 1, 2])
      manager.proposeEntry(worker.connection, step(handle.id, start.attempt, index, `${index}`));
    await worker.nth("entryAck", handle.id, 3);
    manager.completed(worker.connection, completed(handle.id, start.attempt));
    await handle.outcome;
    await expect(manager.restartFrom(handle.id, 4)).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("fromEntry"),
    });
    await expect(manager.restartFrom(handle.id, -1)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    const restarted = await manager.restartFrom(handle.id, 2, { newRunId: "again" });
    expect(restarted).toMatchObject({ id: "again", status: "pending" });
    await worker.nth("start", "again");
    await expect(manager.restartFrom(handle.id, 2, { newRunId: "again" })).rejects.toMatchObject({
      code: "RUN_ID_CONFLICT",
    });
    expect((await manager.restartFrom(handle.id, 0)).id).toBe(`${handle.id}.r1`);
    expect(await journal.load(handle.id)).toHaveLength(3);
  });

  it("a suspended run paused: a result delivered to it brings it back held, not dispatched", async () => {
    const { records, connect, submit, manager } = fakeEngine();
    const worker = connect();
    const handle = await submit();
    const start = await worker.nth("start", handle.id);
    manager.proposeEntry(worker.connection, sleep(handle.id, start.attempt, 0));
    await worker.nth("entryAck", handle.id);
    manager.suspend(
      worker.connection,
      create(SuspendInvocationSchema, { invocationId: handle.id, attempt: start.attempt, waitingOn: [0] }),
    );
    // The suspension is recorded (the fake's write settles in a microtask), and the run leaves memory.
    await records.get(handle.id);
    expect(records.rows.get(handle.id)?.status).toBe("suspended");
    expect(manager.activeCount).toBe(0);
    await manager.pause(handle.id);
    await manager.deliver(handle.id, 0, { ok: true, value: "null" });
    expect(worker.of("start", handle.id)).toHaveLength(1);
    await manager.resume(handle.id);
    expect((await worker.nth("start", handle.id, 2)).journal).toHaveLength(1);
  });

  it("recovery holds a paused run instead of dispatching it", async () => {
    const { records, connect, manager } = fakeEngine();
    const { record } = await records.create({
      id: "held-run",
      service: "svc",
      handler: "flow",
      kind: "workflow",
      input: "{}",
      headers: {},
    });
    await records.setPaused(record.id, true);
    expect(await manager.recover()).toBe(1);
    const worker = connect();
    expect(worker.of("start", record.id)).toEqual([]);
    await manager.resume(record.id);
    expect((await worker.nth("start", record.id)).attempt).toBe(2);
  });
});
