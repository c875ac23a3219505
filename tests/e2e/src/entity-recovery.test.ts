import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster, waitForInvocation } from "./support/cluster.js";
import { createTestStore, type StoreKind, type TestStore } from "./support/stores.js";

const entityWorker = fileURLToPath(new URL("./fixtures/entity-worker.mjs", import.meta.url));

describe.each<StoreKind>(["pglite", "postgres"])("entities across crashes on %s", (kind) => {
  let store: TestStore;
  let cluster: TestCluster;
  let scratch: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    store = await createTestStore(kind);
    cluster = await TestCluster.create(store);
    scratch = mkdtempSync(join(tmpdir(), "agnt5-entity-"));
    env = { E2E_EFFECTS_FILE: join(scratch, "effects.log"), E2E_MARKER_DIR: scratch };
  });

  afterEach(async () => {
    await cluster.dispose();
    await store.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const lines = (tag: string) => {
    const file = env.E2E_EFFECTS_FILE!;
    return existsSync(file)
      ? readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .filter((line) => line.includes(` ${tag} `))
      : [];
  };
  const account = async (key: string) => (await getJson(`${cluster.url}/v1/entities/Account/${key}`)).json;

  it("leaves the state unchanged when a worker is SIGKILLed mid-write, then completes the write once", async () => {
    await cluster.startCoordinator();
    const doomed = await cluster.startWorker(env, entityWorker);
    await postJson(`${cluster.url}/v1/entities/Account/alice/deposit`, { amount: 100, tag: "first" });

    const pending = postJson(`${cluster.url}/v1/entities/Account/alice/deposit?timeoutMs=60000`, {
      amount: 50,
      stall: true,
      tag: "second",
    });
    await doomed.waitForLine("stalled second");
    // The write is in flight on the doomed worker: the committed state has not moved.
    expect(await account("alice")).toMatchObject({ version: 1, state: { balance: 100 } });

    const survivor = await cluster.startWorker(env, entityWorker);
    await doomed.kill("SIGKILL");
    const answered = await pending;
    expect(answered.status).toBe(200);
    expect(answered.json).toEqual({ balance: 150 });
    expect(await account("alice")).toMatchObject({ version: 2, state: { balance: 150 } });
    // Run twice (once killed), completed once, and the re-run started from the original state.
    expect(lines("second")).toEqual([
      `start second pid=${doomed.pid} balance=100`,
      `stalled second pid=${doomed.pid}`,
      `start second pid=${survivor.pid} balance=100`,
      `done second pid=${survivor.pid}`,
    ]);
  });

  it("keeps a write that is suspended across a coordinator restart ahead of later writes on its key", async () => {
    await cluster.startCoordinator();
    await cluster.startWorker({ ...env, AGNT5_SUSPEND_AFTER_MS: "0" }, entityWorker);
    const accepted = await postJson(`${cluster.url}/v1/entities/Account/carol/slow_deposit?mode=async`, {
      amount: 100,
      seconds: 2,
    });
    const id = accepted.json.invocationId as string;
    await waitForInvocation(cluster.url, id, (body) => body.status === "suspended");

    await cluster.coordinator!.kill("SIGKILL");
    const restarted = await cluster.startCoordinator();
    await restarted.waitForLine("Worker registered for service entity-service");

    // Arrived later: it runs after the suspended write, on the state that write committed.
    const later = await postJson(`${cluster.url}/v1/entities/Account/carol/deposit?timeoutMs=60000`, {
      amount: 1,
      tag: "later",
    });
    expect(later.json).toEqual({ balance: 101 });
    const first = await waitForInvocation(cluster.url, id, (body) => body.status === "completed");
    expect(first.output).toEqual({ balance: 100 });
  });

  it("keeps entity state across a coordinator SIGKILL and restart", async () => {
    await cluster.startCoordinator();
    await cluster.startWorker(env, entityWorker);
    for (const [i, amount] of [10, 20, 30].entries()) {
      const response = await postJson(`${cluster.url}/v1/entities/Account/bob/deposit`, { amount, tag: `d${i}` });
      expect(response.status).toBe(200);
    }
    await cluster.coordinator!.kill("SIGKILL");
    const restarted = await cluster.startCoordinator();
    await restarted.waitForLine("Worker registered for service entity-service");

    expect(await account("bob")).toMatchObject({ version: 3, state: { balance: 60 } });
    const next = await postJson(`${cluster.url}/v1/entities/Account/bob/deposit`, { amount: 1, tag: "after" });
    expect(next.json).toEqual({ balance: 61 });
    expect((await postJson(`${cluster.url}/v1/entities/Account/bob/balance`, null)).json).toBe(61);
  });
});
