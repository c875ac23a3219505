import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster, waitForInvocation } from "./support/cluster.js";
import { createTestStore, type StoreKind, type TestStore } from "./support/stores.js";

describe.each<StoreKind>(["pglite", "postgres"])("crash recovery on %s", (kind) => {
  let store: TestStore;
  let cluster: TestCluster;
  let effectsDir: string;
  let effectsFile: string;

  beforeEach(async () => {
    store = await createTestStore(kind);
    cluster = await TestCluster.create(store);
    effectsDir = mkdtempSync(join(tmpdir(), "agnt5-effects-"));
    effectsFile = join(effectsDir, "effects.log");
  });

  afterEach(async () => {
    await cluster.dispose();
    await store.dispose();
    rmSync(effectsDir, { recursive: true, force: true });
  });

  const effects = () => (existsSync(effectsFile) ? readFileSync(effectsFile, "utf8").trim().split("\n") : []);

  it("finishes an invocation on another worker when its worker is SIGKILLed mid-invocation", async () => {
    await cluster.startCoordinator();
    const doomed = await cluster.startWorker({ E2E_EFFECTS_FILE: effectsFile });

    const accepted = await postJson(`${cluster.url}/v1/services/crash-service/stall_first_attempt?mode=async`, {
      order: 42,
    });
    expect(accepted.status).toBe(202);
    const id = accepted.json.invocationId as string;
    await waitForInvocation(cluster.url, id, (body) => body.status === "running");

    const survivor = await cluster.startWorker({ E2E_EFFECTS_FILE: effectsFile });
    await doomed.kill("SIGKILL");

    const done = await waitForInvocation(cluster.url, id, (body) => body.status === "completed");
    expect(done.output).toEqual({ pid: survivor.pid, attempt: 2, input: { order: 42 } });
    // One start on the killed worker, one on the survivor: nothing ran a third time.
    expect(effects().filter((line) => line.includes(id))).toEqual([
      `start ${id} attempt=1 pid=${doomed.pid}`,
      `start ${id} attempt=2 pid=${survivor.pid}`,
    ]);
  });

  it("keeps serving after the coordinator is SIGKILLed and restarted, and completes work accepted before the kill", async () => {
    await cluster.startCoordinator();
    const worker = await cluster.startWorker({ E2E_EFFECTS_FILE: effectsFile });
    expect((await postJson(`${cluster.url}/v1/services/crash-service/greet`, "before")).json).toBe("Hello, before!");

    const accepted = await postJson(`${cluster.url}/v1/services/crash-service/slow_echo?mode=async`, {
      ms: 1500,
      value: "survives",
    });
    expect(accepted.status).toBe(202);
    const id = accepted.json.invocationId as string;
    await waitForInvocation(cluster.url, id, (body) => body.status === "running");

    await cluster.coordinator!.kill("SIGKILL");
    const registrationsBefore = worker.countLines("Worker running, waiting for tasks");
    const restarted = await cluster.startCoordinator();
    // The same worker process reconnects by itself.
    await restarted.waitForLine("Worker registered for service crash-service");
    expect(worker.child.exitCode).toBeNull();

    const after = await postJson(`${cluster.url}/v1/services/crash-service/greet`, "after");
    expect(after.status).toBe(200);
    expect(after.json).toBe("Hello, after!");

    const done = await waitForInvocation(cluster.url, id, (body) => body.status === "completed");
    expect(done.output).toEqual({ value: "survives", pid: worker.pid });
    expect(registrationsBefore).toBeGreaterThanOrEqual(1);
  });

  it("makes a call to a known service wait for a worker instead of failing, bounded by the caller's timeout", async () => {
    await cluster.startCoordinator();
    const worker = await cluster.startWorker();
    // SIGTERM is a graceful stop: the worker drains and exits 0.
    await worker.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);

    // No worker: the caller's timeout bounds the wait, and the answer says why.
    const timedOut = await postJson(`${cluster.url}/v1/services/crash-service/greet?timeoutMs=300`, "nobody");
    expect(timedOut.status).toBe(504);
    expect(timedOut.json.error.code).toBe("TIMEOUT");
    expect(timedOut.json.error.message).toContain('No worker of service "crash-service"');

    // A call that waits long enough is answered once a worker connects.
    const pending = postJson(`${cluster.url}/v1/services/crash-service/greet?timeoutMs=60000`, "patient");
    await cluster.startWorker();
    const answered = await pending;
    expect(answered.status).toBe(200);
    expect(answered.json).toBe("Hello, patient!");

    // The timed-out invocation was not lost either: it ran when the worker arrived.
    const id = timedOut.json.error.invocationId as string;
    const done = await waitForInvocation(cluster.url, id, (body) => body.status === "completed");
    expect(done.output).toBe("Hello, nobody!");
    const services = await getJson(`${cluster.url}/v1/services`);
    expect(services.json.services[0].workers).toHaveLength(1);
  });
});
