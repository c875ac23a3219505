// A worker that does not encode JSON as the SDK does (another SDK, a bug) can send bytes PostgreSQL
// text cannot keep: a raw U+0000 in an output or a step's value, or a call to an entity key holding
// one. Recording them used to fail on every attempt (503 to the caller, a re-run at every
// recovery); they now fail the invocation once, naming the problem. The SDK's own worker cannot
// produce these frames, hence fake workers on the real engine and a real PostgreSQL store.
import {
  create,
  EntryResultSchema,
  entryKindValue,
  InvocationCompletedSchema,
  JournalEntrySchema,
  ProposeEntrySchema,
} from "@agnt5/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestEngine, type TestEngine } from "../test-support/test-engine.js";

const encoder = new TextEncoder();

describe("frames holding what the store cannot keep", () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => {
    await engine?.close();
  });

  const submit = async (handler: string, kind: "function" | "workflow") => {
    const handle = await engine.manager.submit({ service: "svc", handler, kind, input: "null", headers: {} });
    await handle.recorded;
    return handle;
  };

  it("an output holding a raw U+0000 fails the invocation once as INVALID_OUTPUT, recorded", async () => {
    const worker = engine.connectWorker("svc", { greet: "function" });
    const handle = await submit("greet", "function");
    const start = await worker.started(handle.id);

    engine.manager.completed(
      worker.connection,
      create(InvocationCompletedSchema, {
        invocationId: handle.id,
        attempt: start.attempt,
        output: encoder.encode('"a\u0000b"'),
      }),
    );

    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: "failed", error: { code: "INVALID_OUTPUT" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain("U+0000");
    expect(await engine.store.invocations.get(handle.id)).toMatchObject({
      status: "failed",
      error: { code: "INVALID_OUTPUT" },
    });
    expect(worker.frames.filter((frame) => frame.case === "start")).toHaveLength(1);
  });

  const propose = (
    worker: ReturnType<TestEngine["connectWorker"]>,
    invocationId: string,
    attempt: number,
    entry: Parameters<typeof create<typeof JournalEntrySchema>>[1],
  ) =>
    engine.manager.proposeEntry(
      worker.connection,
      create(ProposeEntrySchema, { invocationId, attempt, entry: create(JournalEntrySchema, entry) }),
    );

  it("a step value holding a raw U+0000 fails the run once as INVALID_JOURNAL_ENTRY", async () => {
    const worker = engine.connectWorker("svc", { flow: "workflow" });
    const handle = await submit("flow", "workflow");
    const start = await worker.started(handle.id);

    propose(worker, handle.id, start.attempt, {
      index: 0,
      kind: entryKindValue("step"),
      name: "make",
      result: create(EntryResultSchema, { outcome: { case: "value", value: encoder.encode('"a\u0000b"') } }),
    });

    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: "failed", error: { code: "INVALID_JOURNAL_ENTRY" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain('step "make"');
    expect(await engine.store.invocations.get(handle.id)).toMatchObject({ status: "failed" });
    expect(await engine.store.journal.load(handle.id)).toEqual([]);
  });

  it("a call to an entity key holding U+0000 fails the run once as INVALID_JOURNAL_ENTRY naming the key", async () => {
    const worker = engine.connectWorker("svc", { flow: "workflow", greet: "function" });
    const handle = await submit("flow", "workflow");
    const start = await worker.started(handle.id);

    propose(worker, handle.id, start.attempt, {
      index: 0,
      kind: entryKindValue("call"),
      name: "greet",
      request: encoder.encode(JSON.stringify({ service: "svc", handler: "greet", key: "k\u0000", input: null })),
    });

    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: "failed", error: { code: "INVALID_JOURNAL_ENTRY" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain(
      'key holding U+0000, which the store cannot keep: "k\\u0000"',
    );
    expect(await engine.store.invocations.get(`${handle.id}.0`)).toBeUndefined();
  });
});
