// Run control end to end on PostgreSQL: an in-process coordinator and SDK worker over real gRPC
// and HTTP, the actions through the admin API. Pause then resume a run mid-sleep (its timer does
// not fire while paused), restart a 5-step run from its third step (steps 3-5 run again, 1-2
// replay), retry a failed run after the worker is fixed, and a pause that survives a coordinator
// restart. Timers "not firing" are checked by asking the store itself to fire everything due an
// hour from now: a paused run's timer is not among them.
import { Registry, TerminalError, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningCoordinator } from "../coordinator.js";
import { openStore, type Store } from "../store/index.js";
import { pollUntil, postJson, send } from "../test-support/http.js";
import {
  dropTestSchema,
  startOnTestSchema,
  TEST_DATABASE_URL,
  testSchemaName,
} from "../test-support/test-coordinator.js";
import { startTestWorker, type TestWorker } from "../test-support/test-worker.js";

const SERVICE = "run-control";
const schema = testSchemaName("agnt5_run_control");
/** Long enough that the run is surely paused before it would fire, even on a loaded machine. */
const NAP_SECONDS = 8;

const executions = new Map<string, number>();
const count = (key: string) => executions.set(key, (executions.get(key) ?? 0) + 1);
const ran = (key: string) => executions.get(key) ?? 0;
/** The "bug" the retry test fixes between the failure and the retry. */
const flags = { broken: true };

function registry(): Registry {
  const r = new Registry();
  workflow({ name: "napper", registry: r }, async (ctx, tag: string) => {
    await ctx.step("before", () => count(`${tag}:before`));
    await ctx.sleep(NAP_SECONDS);
    await ctx.step("after", () => count(`${tag}:after`));
    return `${tag} rested`;
  });
  workflow({ name: "five_steps", registry: r }, async (ctx, tag: string) => {
    let total = 0;
    for (const n of [1, 2, 3, 4, 5]) {
      total += await ctx.step(`step${n}`, () => {
        count(`${tag}:step${n}`);
        return n;
      });
    }
    return total;
  });
  workflow({ name: "flaky", registry: r }, async (ctx, tag: string) => {
    const prepared = await ctx.step("prepare", () => {
      count(`${tag}:prepare`);
      return "ready";
    });
    const delivered = await ctx.step("deliver", () => {
      count(`${tag}:deliver`);
      if (flags.broken) throw new TerminalError("the mail server is misconfigured", { code: "MISCONFIGURED" });
      return "sent";
    });
    return { prepared, delivered };
  });
  return r;
}

const start = () => startOnTestSchema(schema);

describe("run control end to end (PostgreSQL)", () => {
  let coordinator: RunningCoordinator;
  let worker: TestWorker;
  /** The coordinator's store, opened a second time: what another process reads and fires. */
  let store: Store;

  const connectWorker = async () => {
    worker = await startTestWorker({
      serviceName: SERVICE,
      endpoint: `127.0.0.1:${coordinator.grpcPort}`,
      registry: registry(),
      suspendAfterMs: 0,
    });
  };
  const startRun = async (name: string, tag: string): Promise<string> => {
    const started = await postJson(`${coordinator.url}/v1/workflows/${name}/runs`, { input: tag });
    expect(started.status).toBe(202);
    return started.body.runId as string;
  };
  const action = (runId: string, name: string, body: unknown = {}) =>
    postJson(`${coordinator.url}/admin/v1/runs/${runId}/${name}`, body);
  const result = async (runId: string) =>
    (await send(`${coordinator.url}/v1/runs/${runId}/result?timeoutMs=60000`)).body;
  const suspended = (runId: string) =>
    pollUntil(
      () => store.invocations.get(runId),
      (record) => record?.status === "suspended",
      { what: `run ${runId} to suspend in its sleep`, timeoutMs: 30_000 },
    );
  /** The run's timers that any timer service would fire an hour from now. */
  const timersFiredFor = async (runId: string) =>
    (await store.journal.fireDueTimers(new Date(Date.now() + 3_600_000))).filter((t) => t.invocationId === runId);

  beforeAll(async () => {
    coordinator = await start();
    store = await openStore({ databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, dataDir: "/nonexistent" });
    await connectWorker();
  }, 60_000);

  afterAll(async () => {
    await worker?.stop().catch(() => {});
    await coordinator?.close().catch(() => {});
    await store?.close().catch(() => {});
    await dropTestSchema(schema);
  });

  it("pauses a run mid-sleep: its timer does not fire until it is resumed, then it completes", async () => {
    const runId = await startRun("napper", "pause");
    await suspended(runId);
    const paused = await action(runId, "pause");
    expect(paused.status).toBe(200);
    expect((await store.invocations.get(runId))?.paused).toBe(true);

    expect(await timersFiredFor(runId)).toEqual([]);
    expect((await store.invocations.get(runId))?.status).toBe("suspended");

    expect((await action(runId, "resume")).status).toBe(200);
    expect(await result(runId)).toMatchObject({ status: "completed", output: "pause rested" });
    expect([ran("pause:before"), ran("pause:after")]).toEqual([1, 1]);
    expect((await action(runId, "pause")).body.error.code).toBe("RUN_NOT_PAUSABLE");
  }, 120_000);

  it("restarts a 5-step run from its third step: a new run replays steps 1-2 and runs 3-5", async () => {
    const runId = await startRun("five_steps", "restart");
    expect(await result(runId)).toMatchObject({ status: "completed", output: 15 });

    const restarted = await action(runId, "restart", { fromEntry: 2 });
    expect(restarted.status).toBe(200);
    const newRunId = restarted.body.id as string;
    expect(newRunId).toBe(`${runId}.r1`);
    expect(await result(newRunId)).toMatchObject({ status: "completed", output: 15 });
    expect([1, 2, 3, 4, 5].map((n) => ran(`restart:step${n}`))).toEqual([1, 1, 2, 2, 2]);

    const outOfRange = await action(runId, "restart", { fromEntry: 6 });
    expect([outOfRange.status, outOfRange.body.error.code]).toEqual([400, "INVALID_REQUEST"]);
    expect(outOfRange.body.error.message).toContain("fromEntry");
  }, 120_000);

  it("retries a failed run after the worker is fixed: same id, the failed step runs again", async () => {
    flags.broken = true;
    const runId = await startRun("flaky", "retry");
    expect(await result(runId)).toMatchObject({ status: "failed", error: { code: "MISCONFIGURED" } });
    flags.broken = false;

    const retried = await action(runId, "retry");
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(runId);
    expect(await result(runId)).toMatchObject({
      status: "completed",
      output: { prepared: "ready", delivered: "sent" },
    });
    expect([ran("retry:prepare"), ran("retry:deliver")]).toEqual([1, 2]);
    expect((await store.invocations.get(runId))?.attempt).toBeGreaterThan(1);
    const again = await action(runId, "retry");
    expect([again.status, again.body.error.code]).toEqual([409, "RUN_NOT_RETRYABLE"]);
  }, 120_000);

  it("keeps a run paused across a coordinator restart, and completes it once resumed", async () => {
    const runId = await startRun("napper", "restart-paused");
    await suspended(runId);
    expect((await action(runId, "pause")).status).toBe(200);
    await worker.stop();
    await coordinator.close();

    coordinator = await start();
    await connectWorker();
    expect(await store.invocations.get(runId)).toMatchObject({ status: "suspended", paused: true });
    expect(await timersFiredFor(runId)).toEqual([]);

    expect((await action(runId, "resume")).status).toBe(200);
    expect(await result(runId)).toMatchObject({ status: "completed", output: "restart-paused rested" });
    expect([ran("restart-paused:before"), ran("restart-paused:after")]).toEqual([1, 1]);
  }, 120_000);
});
