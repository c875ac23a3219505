import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster, workflowWorkerScript } from "./support/cluster.js";
import { createTestStore, type StoreKind, type TestStore } from "./support/stores.js";

describe.each<StoreKind>(["pglite", "postgres"])("durable workflows across crashes on %s", (kind) => {
  let store: TestStore;
  let cluster: TestCluster;
  let scratch: string;
  let workerEnv: Record<string, string>;

  beforeEach(async () => {
    store = await createTestStore(kind);
    cluster = await TestCluster.create(store);
    scratch = mkdtempSync(join(tmpdir(), "agnt5-wf-"));
    workerEnv = { E2E_EFFECTS_FILE: join(scratch, "effects.log"), E2E_MARKER_DIR: scratch };
  });

  afterEach(async () => {
    await cluster.dispose();
    await store.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const startWorker = (env: Record<string, string> = {}) =>
    cluster.startWorker({ ...workerEnv, ...env }, workflowWorkerScript);
  const effects = (runId: string) => {
    const file = workerEnv.E2E_EFFECTS_FILE!;
    return existsSync(file)
      ? readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .filter((line) => line.includes(` ${runId} `))
      : [];
  };
  const startRun = async (workflow: string, input: unknown, runId?: string) => {
    const started = await postJson(`${cluster.url}/v1/workflows/${workflow}/runs`, {
      input,
      ...(runId ? { runId } : {}),
    });
    expect(started.status).toBe(202);
    return started.json.runId as string;
  };
  const result = async (runId: string) => {
    const response = await getJson(`${cluster.url}/v1/runs/${runId}/result?timeoutMs=90000`);
    expect(response.status).toBe(200);
    return response.json;
  };
  /** Each step recorded once ran to completion exactly once; `stalled` started twice. */
  const expectStepsRanOnce = (runId: string, stalled: number) => {
    const lines = effects(runId);
    for (let i = 0; i < 10; i++) {
      expect(
        lines.filter((l) => l.startsWith(`done ${runId} ${i} `)),
        `step ${i} completions`,
      ).toHaveLength(1);
      expect(
        lines.filter((l) => l.startsWith(`start ${runId} ${i} `)),
        `step ${i} starts`,
      ).toHaveLength(i === stalled ? 2 : 1);
    }
  };

  it("finishes a 10-step workflow on another worker after its worker is SIGKILLed, re-running no recorded step", async () => {
    await cluster.startCoordinator();
    const doomed = await startWorker();
    const runId = await startRun("ten_steps", { stallAt: 5 }, `ten-${kind}-worker-kill`);
    await doomed.waitForLine(`stalled ${runId} 5`);

    const survivor = await startWorker();
    await doomed.kill("SIGKILL");

    const done = await result(runId);
    expect(done).toMatchObject({ status: "completed", output: { total: 45, runId } });
    expectStepsRanOnce(runId, 5);
    expect(effects(runId).filter((l) => l.startsWith(`done ${runId} 5 `))[0]).toContain(`pid=${survivor.pid}`);
    const journal = await getJson(`${cluster.url}/v1/runs/${runId}/journal`);
    expect(journal.json.entries.map((e: { name: string }) => e.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `step-${i}`),
    );
  });

  it("finishes a 10-step workflow after the coordinator is SIGKILLed and restarted mid-run", async () => {
    await cluster.startCoordinator();
    const worker = await startWorker();
    const runId = await startRun("ten_steps", { stallAt: 6 }, `ten-${kind}-coordinator-kill`);
    await worker.waitForLine(`stalled ${runId} 6`);

    await cluster.coordinator!.kill("SIGKILL");
    const restarted = await cluster.startCoordinator();
    await restarted.waitForLine("Worker registered for service workflow-service");

    expect(await result(runId)).toMatchObject({ status: "completed", output: { total: 45 } });
    expectStepsRanOnce(runId, 6);
  });

  it("wakes a run sleeping 2 s across a coordinator restart and completes it", async () => {
    await cluster.startCoordinator();
    await startWorker();
    const runId = await startRun("sleeper", { seconds: 2 });
    // The sleep is recorded (its timer is in the store) before the coordinator dies.
    await waitForEntry(cluster.url, runId, (entry) => entry.kind === "timer");
    await cluster.coordinator!.kill("SIGKILL");
    await cluster.startCoordinator();

    const done = await result(runId);
    expect(done.status).toBe("completed");
    expect(done.output.wokeAt - done.output.startedAt).toBeGreaterThanOrEqual(2000);
  });

  it("delivers a signal sent while no worker is connected", async () => {
    await cluster.startCoordinator();
    const first = await startWorker();
    const runId = await startRun("wait_for_go", {});
    await waitForEntry(cluster.url, runId, (entry) => entry.kind === "signal_wait");
    await first.kill("SIGKILL");

    const sent = await postJson(`${cluster.url}/v1/runs/${runId}/signals/go`, { ok: 1 });
    expect(sent.status).toBe(202);
    await startWorker();
    expect(await result(runId)).toMatchObject({ status: "completed", output: { payload: { ok: 1 } } });
  });

  it("keeps no worker slot for a run waiting on a signal", async () => {
    await cluster.startCoordinator();
    await startWorker({ AGNT5_MAX_CONCURRENCY: "1", AGNT5_SUSPEND_AFTER_MS: "0" });
    const runId = await startRun("wait_for_go", {});
    await waitForRun(cluster.url, runId, (run) => run.status === "waiting");
    // The run suspends (leaves the worker) and its slot is released while it still waits.
    await poll(async () => {
      const services = await getJson(`${cluster.url}/v1/services`);
      return services.json.services[0].workers[0].inFlight === 0 ? true : undefined;
    }, "the worker's slot to be released");
    expect((await getJson(`${cluster.url}/v1/runs/${runId}`)).json.status).toBe("waiting");

    // The worker's only slot is free: a function call goes through while the run waits.
    const ping = await postJson(`${cluster.url}/v1/services/workflow-service/ping?timeoutMs=10000`, null);
    expect(ping.status).toBe(200);
    expect(ping.json).toBe("pong");

    await postJson(`${cluster.url}/v1/runs/${runId}/signals/go`, "now");
    expect(await result(runId)).toMatchObject({ status: "completed", output: { payload: "now" } });
  });

  it("completes 100 concurrent workflows with correct outputs through a worker kill and a coordinator kill", async () => {
    await cluster.startCoordinator();
    const doomed = await startWorker();
    await startWorker();
    const runIds = await Promise.all(
      Array.from({ length: 100 }, (_, n) => startRun("add_five", { n }, `add-${kind}-${n}`)),
    );

    await waitForRun(cluster.url, runIds[50]!, (run) => (run.currentStep?.index ?? -1) >= 1);
    await doomed.kill("SIGKILL");
    await waitForRun(
      cluster.url,
      runIds[99]!,
      (run) => (run.currentStep?.index ?? -1) >= 2 || run.status === "completed",
    );
    await cluster.coordinator!.kill("SIGKILL");
    await cluster.startCoordinator();
    await startWorker();

    const results = await Promise.all(runIds.map((runId) => result(runId)));
    expect(results.map((r) => r.status)).toEqual(runIds.map(() => "completed"));
    expect(results.map((r) => r.output)).toEqual(runIds.map((_, n) => n + 5));
  });
});

async function waitForRun(baseUrl: string, runId: string, predicate: (run: any) => boolean) {
  return poll(async () => {
    const { json } = await getJson(`${baseUrl}/v1/runs/${runId}`);
    return predicate(json) ? json : undefined;
  }, `run ${runId}`);
}

async function waitForEntry(baseUrl: string, runId: string, predicate: (entry: any) => boolean) {
  return poll(async () => {
    const { status, json } = await getJson(`${baseUrl}/v1/runs/${runId}/journal`);
    return status === 200 ? json.entries.find(predicate) : undefined;
  }, `a journal entry of ${runId}`);
}

/** Polls the coordinator's state with backoff: the state change is the event the test waits for. */
async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`timed out waiting for ${what}`);
}
