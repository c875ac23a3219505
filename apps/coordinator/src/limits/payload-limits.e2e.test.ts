// Payload limits end to end: a real coordinator on PostgreSQL with small AGNT5_MAX_* limits and an
// in-process SDK worker. Each oversized payload is refused with PAYLOAD_TOO_LARGE naming its limit
// and value; the run (or call) fails once, nothing of the refused write is in the store, and the
// worker and other runs carry on. The worker refuses step results, journal entries, emitted signals
// and entity state itself (the coordinator announced its limits at registration); the coordinator's
// own checks, for workers that do not, are in payload-limits.engine.test.ts.
import { entity, fn, Registry, workflow } from "@agnt5/sdk";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayResponse, postJson, send } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";
import type { PayloadLimits } from "./payload-limits.js";

const SERVICE = "limits-service";
const LIMITS: PayloadLimits = {
  stepResultBytes: 1000,
  journalEntryBytes: 2000,
  entityStateBytes: 500,
  signalBytes: 300,
};

function limitsService() {
  const registry = new Registry();
  const runs = { bigStep: 0 };
  fn({ name: "echo", registry }, (text: string) => text);
  workflow({ name: "big_step", registry }, async (ctx, size: number) => {
    await ctx.step("small", () => "ok");
    await ctx.step("big", () => {
      runs.bigStep += 1;
      return "x".repeat(size);
    });
    return "done";
  });
  workflow({ name: "big_call", registry }, async (ctx, size: number) => ctx.task(SERVICE, "echo", "y".repeat(size)));
  workflow({ name: "wait_signal", registry }, async (ctx) => ctx.signal<string>("go"));
  workflow({ name: "emit_big", registry }, async (ctx, { runId, size }: { runId: string; size: number }) => {
    await ctx.signal.emit("go", "z".repeat(size), { runId });
    return "sent";
  });
  entity(
    "Notes",
    {
      put: entity.write(async (ctx, { field, text }: { field: string; text: string }) => {
        ctx.set(field, text);
        return field;
      }),
    },
    { registry },
  );
  return { registry, runs };
}

describe("payload limits (AGNT5_MAX_*)", () => {
  let coordinator: TestCoordinator;
  let worker: TestWorker;
  let db: pg.Client;
  const service = limitsService();

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres", { payloadLimits: LIMITS });
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: coordinator.endpoint,
      registry: service.registry,
    });
    db = new pg.Client({ connectionString: coordinator.config.databaseUrl });
    await db.connect();
    await db.query(`SET search_path TO "${coordinator.config.databaseSchema}"`);
  });
  afterAll(async () => {
    await db?.end();
    await worker?.stop();
    await coordinator?.close();
  });

  const startRun = async (name: string, input: unknown): Promise<string> => {
    const started = await postJson(`${coordinator.url}/v1/workflows/${name}/runs`, { input });
    expect(started.status).toBe(202);
    return started.body.runId as string;
  };
  const runResult = (runId: string) => send(`${coordinator.url}/v1/runs/${runId}/result?timeoutMs=20000`);
  const journalOf = async (runId: string) =>
    (await db.query("SELECT idx, name FROM journal_entries WHERE invocation_id = $1 ORDER BY idx", [runId])).rows;
  const recordedError = async (id: string) =>
    (await db.query("SELECT status, error FROM invocations WHERE id = $1", [id])).rows[0];

  /** The error of a failed run's result, checked to name the limit and its value. */
  const expectRefused = (response: GatewayResponse, variable: string, maxBytes: number) => {
    const error = response.body.error ?? response.body;
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toContain(variable);
    expect(error.message).toContain(`${maxBytes} bytes`);
    expect(error.details).toMatchObject({ limit: variable, maxBytes });
  };

  const echoStillWorks = async () => {
    const echoed = await postJson(`${coordinator.url}/v1/services/${SERVICE}/echo`, "still here");
    expect(echoed.body).toBe("still here");
  };

  it("fails a run whose step result is over AGNT5_MAX_STEP_RESULT_BYTES once, storing none of it", async () => {
    const runId = await startRun("big_step", 1500);
    const result = await runResult(runId);
    // The run's result answers 200 with the run failed by that error.
    expect(result.body.status).toBe("failed");
    expectRefused(result, "AGNT5_MAX_STEP_RESULT_BYTES", 1000);
    // The worker knew the limit (announced at registration) and did not send the result at all.
    expect(result.body.error.message).toContain('The result of step "big" (entry 1) is 1502 bytes');
    expect(result.body.error.message).toContain("not sent");
    expect(await journalOf(runId)).toEqual([{ idx: 0, name: "small" }]);
    expect(await recordedError(runId)).toMatchObject({ status: "failed", error: { code: "PAYLOAD_TOO_LARGE" } });
    // Not retried: the step ran once.
    expect(service.runs.bigStep).toBe(1);
    await echoStillWorks();
  });

  it("accepts a step result at the limit", async () => {
    // "x".repeat(998) is 1000 bytes of JSON text.
    const result = await runResult(await startRun("big_step", 998));
    expect(result.body).toMatchObject({ status: "completed", output: "done" });
  });

  it("fails a run whose journal entry is over AGNT5_MAX_JOURNAL_ENTRY_BYTES, without starting the child", async () => {
    const runId = await startRun("big_call", 2500);
    const result = await runResult(runId);
    expectRefused(result, "AGNT5_MAX_JOURNAL_ENTRY_BYTES", 2000);
    expect(await journalOf(runId)).toEqual([]);
    const children = await db.query("SELECT id FROM invocations WHERE parent_id = $1", [runId]);
    expect(children.rows).toEqual([]);
    await echoStillWorks();
  });

  it("answers 413 to a signal over AGNT5_MAX_SIGNAL_BYTES, stores none of it, and the run takes a smaller one", async () => {
    const runId = await startRun("wait_signal", null);
    const refused = await postJson(`${coordinator.url}/v1/runs/${runId}/signals/go`, "s".repeat(400));
    expect(refused.status).toBe(413);
    expectRefused(refused, "AGNT5_MAX_SIGNAL_BYTES", 300);
    expect((await db.query("SELECT id FROM signals WHERE run_id = $1", [runId])).rows).toEqual([]);

    const accepted = await postJson(`${coordinator.url}/v1/runs/${runId}/signals/go`, "small");
    expect(accepted.status).toBe(202);
    expect((await runResult(runId)).body).toMatchObject({ status: "completed", output: "small" });
  });

  it("fails a run that emits a signal over AGNT5_MAX_SIGNAL_BYTES; the target gets nothing", async () => {
    const target = await startRun("wait_signal", null);
    const runId = await startRun("emit_big", { runId: target, size: 400 });
    expectRefused(await runResult(runId), "AGNT5_MAX_SIGNAL_BYTES", 300);
    expect((await db.query("SELECT id FROM signals WHERE run_id = $1", [target])).rows).toEqual([]);
    expect(await journalOf(runId)).toEqual([]);
  });

  it("refuses an entity write that would take the key's state over AGNT5_MAX_ENTITY_STATE_BYTES; the state stays", async () => {
    const put = (field: string, size: number) =>
      postJson(`${coordinator.url}/v1/entities/Notes/n1/put?timeoutMs=20000`, { field, text: "t".repeat(size) });
    const fields = async () =>
      (
        await db.query(
          "SELECT field, length(value) AS length FROM entity_field WHERE type = 'Notes' AND key = 'n1' ORDER BY field",
        )
      ).rows;
    expect((await put("a", 200)).status).toBe(200);
    expect((await put("b", 200)).status).toBe(200);

    // a (1 + 202) + b (1 + 202) + c (1 + 202) = 609 bytes > 500.
    const refused = await put("c", 200);
    expect(refused.status).toBe(413);
    expectRefused(refused, "AGNT5_MAX_ENTITY_STATE_BYTES", 500);
    expect(refused.body.error.message).toContain("609 bytes");
    expect(await fields()).toEqual([
      { field: "a", length: 202 },
      { field: "b", length: 202 },
    ]);

    // Replacing a field counts its new size instead of its old: 102 + 203 + 1 + 1 = 307 bytes.
    expect((await put("a", 100)).status).toBe(200);
    expect(await fields()).toEqual([
      { field: "a", length: 102 },
      { field: "b", length: 202 },
    ]);
  });
});
