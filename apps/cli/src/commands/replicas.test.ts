import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, runCli, startCluster } from "../test-support/cli-harness.js";

const REDIS_URL = process.env.AGNT5_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

// The built CLI against a coordinator started as a cluster replica (AGNT5_CLUSTER=1, one replica)
// with the fixture worker, as processes; and against a single coordinator.
describe("agnt5 replicas", () => {
  let cluster: CliCluster;
  beforeAll(async () => {
    cluster = await startCluster({
      coordinator: { AGNT5_CLUSTER: "1", AGNT5_REDIS_URL: REDIS_URL, AGNT5_REPLICA_NAME: "cli-replica" },
    });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("lists the replica that answered, its lease and the services its workers serve", async () => {
    const deadline = Date.now() + 15_000;
    let result = await runCli(["replicas"], cluster.url);
    // The replica announces its worker's service with its lease: poll until it has.
    while (!result.stdout.includes("cli-test") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      result = await runCli(["replicas"], cluster.url);
    }
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+TOKEN\s+LEASE\s+RENEWED\s+RUNS\s+KEYS\s+SERVICES\n/);
    expect(result.stdout).toMatch(/cli-replica \(this one\)\s+\d+\s+live\s+.+ago\s+0\s+0\s+cli-test/);

    const json = await runCli(["--json", "replicas"], cluster.url);
    expect(JSON.parse(json.stdout)).toMatchObject({
      cluster: true,
      replicas: [{ name: "cli-replica", expired: false, services: ["cli-test"] }],
    });
  });
});

describe("agnt5 replicas on a single coordinator", () => {
  let single: CliCluster;
  beforeAll(async () => {
    single = await startCluster();
  });
  afterAll(async () => {
    await single?.close();
  });

  it("says there are no replicas", async () => {
    const result = await runCli(["replicas"], single.url);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("A single coordinator (AGNT5_CLUSTER is not set): no replicas.");
  });
});
