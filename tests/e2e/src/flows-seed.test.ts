import { Client } from "@agnt5/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getJson, postJson } from "./support/cluster.js";
import { FlowCluster, flowWorkerScript } from "./support/flow-cluster.js";
import { ProcessHandle } from "./support/process-handle.js";
import type { StoreKind } from "./support/stores.js";

const stepState = FlowCluster.stepState;

describe("a worker with an invalid flow", () => {
  it("refuses to start and says which step breaks which rule", async () => {
    const worker = ProcessHandle.start("invalid-flow-worker", flowWorkerScript, {
      E2E_INVALID_FLOW: "1",
      AGNT5_COORDINATOR_ENDPOINT: "http://127.0.0.1:1",
    });
    const exited = await worker.exited;
    expect(exited.code).not.toBe(0);
    const output = worker.lines.join("\n");
    expect(output).toContain('Invalid flow "invalid": 1 problem');
    expect(output).toContain('step "step2": dependency "step1" is not a step of this flow [dependency_exists]');
    expect(output).not.toContain("Worker running");
  });
});

describe.each<StoreKind>(["postgres", "pglite"])("the seed's flows through a coordinator on %s", (kind) => {
  let flows: FlowCluster;

  beforeEach(async () => {
    flows = await FlowCluster.create(kind);
    await flows.cluster.startCoordinator();
  });
  afterEach(async () => {
    await flows.dispose();
  });

  it("runs data_pipeline, polled through the Client (the seed's integration test), and lists its graph", async () => {
    await flows.startWorker("etl-service", { hostFlows: true });
    const client = new Client(flows.url);
    const result = await client.startWorkflow("data_pipeline", { source: "test_data", tag: `dp-${kind}` });
    const workflowId = result.runId;

    let status = await client.getWorkflowStatus(workflowId);
    while (status.status !== "completed" && status.status !== "failed") {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await client.getWorkflowStatus(workflowId);
    }
    expect(status.status).toBe("completed");
    expect(status.output).toEqual({
      states: { extract: "completed", transform: "completed", load: "completed" },
      outputs: { extract: { rows: [1, 2, 3] }, transform: { rows: [10, 20, 30] }, load: { loaded: 3 } },
    });
    expect(status.steps).toEqual([
      { name: "extract", stepType: "task", state: "completed", output: { rows: [1, 2, 3] } },
      { name: "transform", stepType: "task", state: "completed", output: { rows: [10, 20, 30] } },
      { name: "load", stepType: "task", state: "completed", output: { loaded: 3 } },
    ]);

    const services = await getJson(`${flows.url}/v1/services`);
    const component = services.json.services
      .find((s: { name: string }) => s.name === "etl-service")
      .components.find((c: { name: string }) => c.name === "data_pipeline");
    expect(component.metadata.flow.steps.map((s: { name: string }) => s.name)).toEqual([
      "extract",
      "transform",
      "load",
    ]);
  });

  if (kind === "pglite") return;

  it("runs parallel_processing's three tasks at the same time, then merges", async () => {
    await flows.startWorker("service", { hostFlows: true });
    const runId = await flows.startRun("parallel_processing", { tag: "par" });
    const done = await flows.result(runId);
    expect(done).toMatchObject({
      status: "completed",
      output: { outputs: { merge_results: ["process_a", "process_b", "process_c"] } },
    });
    const effects = flows.effects("par");
    const interval = (step: string) => ({
      start: effects.find((e) => e.event === "start" && e.step === step)!.t,
      end: effects.find((e) => e.event === "end" && e.step === step)!.t,
    });
    const spans = ["process_type_a", "process_type_b", "process_type_c"].map(interval);
    // Every task started before any of them ended: the three intervals overlap.
    expect(Math.max(...spans.map((s) => s.start))).toBeLessThan(Math.min(...spans.map((s) => s.end)));
    expect(interval("merge_results").start).toBeGreaterThanOrEqual(Math.max(...spans.map((s) => s.end)));
  });

  it("waits nightly_etl for the next 3 AM of the worker's clock, then loads and reports", async () => {
    // The worker's clock starts 30 s before 3 AM UTC on 2026-01-15: the cron wait's fire time is
    // that 3 AM, which the coordinator (on the real clock) finds due at once.
    const env = { E2E_FAKE_NOW: "2026-01-15T02:59:30Z", TZ: "UTC" };
    await flows.startWorker("etl-service", { hostFlows: true, env });
    await flows.startWorker("reporting-service");
    const runId = await flows.startRun("nightly_etl", { tag: "etl" });
    const done = await flows.result(runId);
    expect(done.status).toBe("completed");
    expect(Object.values(done.output.states)).toEqual(Array(10).fill("completed"));
    expect(done.output.outputs.generate_reports).toEqual({ reports: 3 });
    const journal = await getJson(`${flows.url}/v1/runs/${runId}/journal`);
    const cron = journal.json.entries.find((e: { kind: string }) => e.kind === "timer");
    expect(cron.request).toMatchObject({ cron: "0 3 * * *", fireAtMs: Date.UTC(2026, 0, 15, 3, 0, 0) });
    const order = flows
      .effects("etl")
      .filter((e) => e.event === "start")
      .map((e) => e.step);
    expect(order.indexOf("enrich_with_metadata")).toBeLessThan(order.indexOf("load_data_warehouse"));
  });

  it("publishes document_approval on the approved path, skipping the escalation branch", async () => {
    await flows.startWorker("doc-service", { hostFlows: true });
    await flows.startWorker("notification-service");
    const runId = await flows.startRun("document_approval", { tag: "approve" });
    const waiting = await flows.waitForRun(
      runId,
      (run) => stepState(run, "wait_for_approval") === "waiting",
      "the approval wait",
    );
    expect(waiting.steps.map((s: { state: string }) => s.state)).toEqual([
      "completed",
      "completed",
      "waiting",
      "pending",
      "pending",
      "pending",
    ]);
    const sent = await postJson(`${flows.url}/v1/runs/${runId}/signals/document_approved`, { by: "alice" });
    expect(sent.status).toBe(202);
    const done = await flows.result(runId);
    expect(done.status).toBe("completed");
    expect(done.output.states).toEqual({
      submit_document: "completed",
      notify_reviewers: "completed",
      wait_for_approval: "completed",
      escalate_approval: "skipped",
      wait_escalated_approval: "skipped",
      publish_document: "completed",
    });
    expect(done.output.outputs.publish_document).toEqual({
      published: true,
      approvedBy: { wait_for_approval: { by: "alice" } },
    });
    expect(flows.effects("approve").some((e) => e.step === "escalate_to_manager")).toBe(false);
    const run = await flows.run(runId);
    expect(run.steps.map((s: { state: string }) => s.state)).toEqual([
      "completed",
      "completed",
      "completed",
      "skipped",
      "skipped",
      "completed",
    ]);
  });

  it("cancels a flow run waiting for a signal like any workflow run", async () => {
    await flows.startWorker("doc-service", { hostFlows: true });
    await flows.startWorker("notification-service");
    const runId = await flows.startRun("document_approval", { tag: "cancel" });
    await flows.waitForRun(runId, (run) => stepState(run, "wait_for_approval") === "waiting", "the approval wait");
    const cancelled = await postJson(`${flows.url}/v1/runs/${runId}/cancel`, null);
    expect(cancelled.status).toBe(202);
    expect(await flows.result(runId)).toMatchObject({ status: "cancelled" });
    const run = await flows.run(runId);
    expect(run.status).toBe("cancelled");
    expect(run.steps.map((s: { state: string }) => s.state)).toEqual([
      "completed",
      "completed",
      "pending",
      "pending",
      "pending",
      "pending",
    ]);
  });

  it("escalates document_approval when the first wait times out, and publishes on the escalated approval", async () => {
    await flows.startWorker("doc-service", { hostFlows: true });
    await flows.startWorker("notification-service");
    const runId = await flows.startRun("document_approval_quick_timeout", { tag: "escalate" });
    const waiting = await flows.waitForRun(
      runId,
      (run) => stepState(run, "wait_escalated_approval") === "waiting",
      "the escalated approval wait",
    );
    expect(stepState(waiting, "wait_for_approval")).toBe("timed_out");
    expect(stepState(waiting, "escalate_approval")).toBe("completed");
    await postJson(`${flows.url}/v1/runs/${runId}/signals/escalated_approval`, { by: "manager" });
    const done = await flows.result(runId);
    expect(done.status).toBe("completed");
    expect(done.output.states).toMatchObject({
      wait_for_approval: "timed_out",
      escalate_approval: "completed",
      wait_escalated_approval: "completed",
      publish_document: "completed",
    });
    expect(done.output.outputs.publish_document.approvedBy).toEqual({ wait_escalated_approval: { by: "manager" } });
  });
});
