// examples/flows as its README runs it: a coordinator and the example's worker process (four
// services in one process), and the README's calls.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postJson, TestCluster } from "./support/cluster.js";
import { poll } from "./support/flow-cluster.js";
import { createTestStore, type TestStore } from "./support/stores.js";

const exampleWorker = fileURLToPath(new URL("../../../examples/flows/dist/worker.js", import.meta.url));
const SERVICES = ["doc-service", "etl-service", "notification-service", "reporting-service"];

describe("examples/flows through the gateway", () => {
  let store: TestStore;
  let cluster: TestCluster;

  beforeAll(async () => {
    store = await createTestStore("pglite");
    cluster = await TestCluster.create(store);
    await cluster.startCoordinator();
    // A six-field cron (every second) instead of the README's every minute: the same path, sooner.
    await cluster.startWorker({ AGNT5_EXAMPLE_CRON: "* * * * * *" }, exampleWorker);
    await poll(async () => {
      const { json } = await getJson(`${cluster.url}/v1/services`);
      const ready = json.services.filter((s: { workers: unknown[] }) => s.workers.length > 0).map((s: any) => s.name);
      return SERVICES.every((name) => ready.includes(name)) ? true : undefined;
    }, "the example's four services");
  });

  afterAll(async () => {
    await cluster?.dispose();
    await store?.dispose();
  });

  const start = (workflow: string, input: unknown, runId: string) =>
    postJson(`${cluster.url}/v1/workflows/${workflow}/runs`, { input, runId });
  const result = async (runId: string) =>
    (await getJson(`${cluster.url}/v1/runs/${runId}/result?timeoutMs=60000`)).json;
  const steps = async (runId: string) =>
    Object.fromEntries(
      (await getJson(`${cluster.url}/v1/runs/${runId}`)).json.steps.map((s: { name: string; state: string }) => [
        s.name,
        s.state,
      ]),
    );

  it("lists both flows' graphs", async () => {
    const { json } = await getJson(`${cluster.url}/v1/services`);
    const graphs = json.services.flatMap((s: any) =>
      s.components.filter((c: any) => c.metadata?.flow).map((c: any) => [c.name, c.metadata.flow.steps.length]),
    );
    expect(Object.fromEntries(graphs)).toEqual({ document_approval: 6, nightly_etl: 10 });
  });

  it("approves a document with the README's signal", async () => {
    expect((await start("document_approval", { document: "q3-report.pdf" }, "doc-1")).json).toEqual({
      runId: "doc-1",
      created: true,
    });
    await poll(async () => ((await steps("doc-1")).wait_for_approval === "waiting" ? true : undefined), "the wait");
    expect(await steps("doc-1")).toMatchObject({ escalate_approval: "pending", publish_document: "pending" });
    const sent = await postJson(`${cluster.url}/v1/runs/doc-1/signals/document_approved`, {
      by: "alice",
      comment: "looks good",
    });
    expect(sent.status).toBe(202);
    const done = await result("doc-1");
    expect(done.status).toBe("completed");
    expect(done.output.outputs.publish_document).toEqual({
      published: true,
      approval: { by: "alice", comment: "looks good" },
    });
    expect(await steps("doc-1")).toMatchObject({
      escalate_approval: "skipped",
      wait_escalated_approval: "skipped",
      publish_document: "completed",
    });
  });

  it("runs the nightly ETL through its cron wait", async () => {
    await start("nightly_etl", { date: "2026-01-15" }, "etl-1");
    const done = await result("etl-1");
    expect(done.status).toBe("completed");
    expect(done.output.outputs.generate_reports).toEqual({ reports: ["sales", "inventory"], loaded: { loaded: 170 } });
  });

  it("cancels a waiting run", async () => {
    await start("document_approval", { document: "draft.md" }, "doc-3");
    await poll(async () => ((await steps("doc-3")).wait_for_approval === "waiting" ? true : undefined), "the wait");
    expect((await postJson(`${cluster.url}/v1/runs/doc-3/cancel`, null)).status).toBe(202);
    expect(await result("doc-3")).toMatchObject({ status: "cancelled" });
  });
});
