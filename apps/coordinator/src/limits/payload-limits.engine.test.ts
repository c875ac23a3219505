// The coordinator's own enforcement of the payload limits, for workers that do not check them
// (another SDK, an older one, a bug): frames over a limit, sent straight to the real engine on a
// real PostgreSQL store. Each fails its invocation once with PAYLOAD_TOO_LARGE naming the limit,
// and the store holds nothing of the refused write.
import { createSqlEntityStore } from "@agnt5/entity-store";
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
import type { PayloadLimits } from "./payload-limits.js";

const encoder = new TextEncoder();
const LIMITS: PayloadLimits = { stepResultBytes: 100, journalEntryBytes: 200, entityStateBytes: 50, signalBytes: 30 };

describe("payload limits enforced by the coordinator", () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine({ payloadLimits: LIMITS });
  });
  afterEach(async () => {
    await engine?.close();
  });

  const startFlow = async () => {
    const worker = engine.connectWorker("svc", { flow: "workflow", greet: "function" });
    const handle = await engine.manager.submit({
      service: "svc",
      handler: "flow",
      kind: "workflow",
      input: "null",
      headers: {},
    });
    await handle.recorded;
    const start = await worker.started(handle.id);
    const propose = (entry: Parameters<typeof create<typeof JournalEntrySchema>>[1]) =>
      engine.manager.proposeEntry(
        worker.connection,
        create(ProposeEntrySchema, {
          invocationId: handle.id,
          attempt: start.attempt,
          entry: create(JournalEntrySchema, entry),
        }),
      );
    return { worker, handle, propose };
  };

  const value = (text: string) =>
    create(EntryResultSchema, { outcome: { case: "value", value: encoder.encode(text) } });

  /** The run failed with PAYLOAD_TOO_LARGE naming `variable` and `maxBytes`, recorded so. */
  const expectRefused = async (
    handle: Awaited<ReturnType<typeof startFlow>>["handle"],
    variable: string,
    maxBytes: number,
  ) => {
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({
      status: "failed",
      error: { code: "PAYLOAD_TOO_LARGE", details: { limit: variable, maxBytes } },
    });
    expect(outcome.status === "failed" && outcome.error.message).toContain(`${maxBytes} bytes (${variable})`);
    expect(await engine.store.invocations.get(handle.id)).toMatchObject({
      status: "failed",
      error: { code: "PAYLOAD_TOO_LARGE" },
    });
  };

  it("refuses a step result over the limit: the run fails, the worker is told to stop, no entry is stored", async () => {
    const { worker, handle, propose } = await startFlow();
    propose({ index: 0, kind: entryKindValue("step"), name: "fits", result: value(JSON.stringify("a".repeat(98))) });
    await worker.nth("entryAck", handle.id);
    propose({ index: 1, kind: entryKindValue("step"), name: "big", result: value(JSON.stringify("b".repeat(99))) });

    await expectRefused(handle, "AGNT5_MAX_STEP_RESULT_BYTES", 100);
    expect(worker.of("cancel", handle.id)[0]?.reason).toContain("AGNT5_MAX_STEP_RESULT_BYTES");
    expect((await engine.store.journal.load(handle.id)).map((entry) => entry.name)).toEqual(["fits"]);
  });

  it("refuses a journal entry over the limit and starts no child", async () => {
    const { handle, propose } = await startFlow();
    const request = JSON.stringify({ service: "svc", handler: "greet", input: "c".repeat(200) });
    propose({ index: 0, kind: entryKindValue("call"), name: "greet", request: encoder.encode(request) });

    await expectRefused(handle, "AGNT5_MAX_JOURNAL_ENTRY_BYTES", 200);
    expect(await engine.store.journal.load(handle.id)).toEqual([]);
    expect(await engine.store.invocations.get(`${handle.id}.0`)).toBeUndefined();
  });

  it("refuses a signal emitted over the limit and delivers nothing", async () => {
    const { handle, propose } = await startFlow();
    const request = JSON.stringify({ runId: "other-run", payload: "d".repeat(40) });
    propose({ index: 0, kind: entryKindValue("signal_emit"), name: "go", request: encoder.encode(request) });

    await expectRefused(handle, "AGNT5_MAX_SIGNAL_BYTES", 30);
    const signals = await engine.store.db.query("SELECT id FROM signals WHERE run_id = $1", ["other-run"]);
    expect(signals).toEqual([]);
  });

  it("refuses a signal over the limit at the signal route, before looking the run up", async () => {
    await expect(engine.manager.signal("any-run", "go", JSON.stringify("e".repeat(40)))).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { limit: "AGNT5_MAX_SIGNAL_BYTES", maxBytes: 30, bytes: 42 },
    });
  });

  it("refuses an entity write that takes the key's state over the limit; the committed state stays", async () => {
    const worker = engine.connectWorker("svc", { Notes: "entity" });
    const write = async (sets: Record<string, string>) => {
      const handle = await engine.manager.submit({
        service: "svc",
        handler: "Notes",
        kind: "entity",
        objectKey: "n1",
        methodName: "put",
        input: "null",
        headers: {},
      });
      await handle.recorded;
      const start = await worker.started(handle.id);
      engine.manager.completed(
        worker.connection,
        create(InvocationCompletedSchema, {
          invocationId: handle.id,
          attempt: start.attempt,
          output: encoder.encode('"ok"'),
          stateChanges: Object.entries(sets).map(([key, text]) => ({ key, value: encoder.encode(text) })),
        }),
      );
      return handle.outcome;
    };
    // "a" + 22 bytes = 23 bytes.
    expect(await write({ a: JSON.stringify("x".repeat(20)) })).toMatchObject({ status: "completed" });
    // 23 + "b" + 32 = 56 > 50.
    const refused = await write({ b: JSON.stringify("y".repeat(30)) });
    expect(refused).toMatchObject({
      status: "failed",
      error: { code: "PAYLOAD_TOO_LARGE", details: { limit: "AGNT5_MAX_ENTITY_STATE_BYTES", maxBytes: 50, bytes: 56 } },
    });

    const stored = await createSqlEntityStore(engine.store.db, { backend: engine.store.db.kind }).load("Notes", "n1");
    expect(stored).toMatchObject({ state: { a: JSON.stringify("x".repeat(20)) }, version: 1 });
    // The key is free again: a write that fits (replacing "a") commits.
    expect(await write({ a: JSON.stringify("z") })).toMatchObject({ status: "completed" });
  });
});
