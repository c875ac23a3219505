// A worker and a Client given several coordinator endpoints, against real coordinator processes.
// The two coordinators here are independent (each on its own PGlite data dir, not replicas of one
// database): what is tested is the SDK's behaviour, moving to the next endpoint when one is gone.
import { Client } from "@agnt5/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestCluster } from "./support/cluster.js";
import { freePort } from "./support/ports.js";
import { createTestStore, type TestStore } from "./support/stores.js";

describe("endpoint lists (worker and Client) against real coordinators", () => {
  const stores: TestStore[] = [];
  const clusters: TestCluster[] = [];

  beforeEach(async () => {
    for (let i = 0; i < 2; i++) {
      const store = await createTestStore("pglite");
      stores.push(store);
      clusters.push(await TestCluster.create(store));
    }
  });

  afterEach(async () => {
    for (const cluster of clusters.splice(0)) await cluster.dispose();
    for (const store of stores.splice(0)) await store.dispose();
  });

  it("a worker given [dead, first, second] registers with the first, and with the second once the first is killed", async () => {
    const [first, second] = clusters as [TestCluster, TestCluster];
    await Promise.all([first.startCoordinator(), second.startCoordinator()]);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const firstEndpoint = `http://127.0.0.1:${first.grpcPort}`;
    const secondEndpoint = `http://127.0.0.1:${second.grpcPort}`;

    // startWorker resolves once the worker says it is registered.
    const worker = await first.startWorker({
      AGNT5_COORDINATOR_ENDPOINT: [dead, firstEndpoint, secondEndpoint].join(","),
    });
    await worker.waitForLine(`Cannot reach coordinator at ${dead}`);
    expect(await worker.waitForLine(`Connected to coordinator at ${firstEndpoint}`)).toContain('"level":30');
    const deadGateway = `http://127.0.0.1:${await freePort()}`;
    const client = new Client([deadGateway, first.url, second.url]);
    expect(await client.invoke("crash-service", "greet", "Ada")).toBe("Hello, Ada!");

    await first.coordinator?.kill("SIGKILL");
    await worker.waitForLine(`Connection to coordinator at ${firstEndpoint} lost`);
    await worker.waitForLine(`Reconnected to coordinator at ${secondEndpoint}`);
    // The same Client: its last endpoint is gone, the next one answers, through the moved worker.
    expect(await client.invoke("crash-service", "greet", "Grace")).toBe("Hello, Grace!");
  });
});
