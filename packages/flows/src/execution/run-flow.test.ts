import type { DurableContext } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { FlowDefinition } from "../model/flow-definition.js";
import { taskStep, waitTimerStep } from "../model/step-helpers.js";
import { dataPipeline, documentApproval, nightlyEtl, parallelProcessing } from "../seed/seed-flows.js";
import { FakeEngine, NOW, until } from "../test-support/fake-engine.js";
import { runFlow } from "./run-flow.js";

const run = (engine: FakeEngine, flow: FlowDefinition, input: unknown = { source: "test_data" }) =>
  engine.run((ctx: DurableContext) => runFlow(ctx, flow, input));

/** A handler that resolves when the test says so. */
function gate() {
  let open!: (value: unknown) => void;
  const promise = new Promise((resolve) => {
    open = resolve;
  });
  return { handler: () => promise, open };
}

describe("runFlow", () => {
  it("runs data_pipeline in order, each task given the run input, its data and its dependencies' outputs", async () => {
    const inputs: Record<string, unknown> = {};
    const engine = new FakeEngine({
      "etl-service/extract_data": (input) => {
        inputs.extract = input;
        return { rows: 3 };
      },
      "etl-service/transform_data": (input) => {
        inputs.transform = input;
        return { rows: 3, clean: true };
      },
      "etl-service/load_data": () => "loaded",
    });
    const outcome = await run(engine, dataPipeline());
    expect(outcome).toEqual({
      type: "completed",
      value: {
        states: { extract: "completed", transform: "completed", load: "completed" },
        outputs: { extract: { rows: 3 }, transform: { rows: 3, clean: true }, load: "loaded" },
      },
    });
    expect(engine.calls).toEqual(["etl-service/extract_data", "etl-service/transform_data", "etl-service/load_data"]);
    expect(inputs.extract).toEqual({ runInput: { source: "test_data" }, inputData: null, deps: {}, upstream: {} });
    expect(inputs.transform).toEqual({
      runInput: { source: "test_data" },
      inputData: null,
      deps: { extract: { rows: 3 } },
      upstream: { extract: { rows: 3 } },
    });
    expect(engine.journal.map((e) => `${e.kind}:${e.name}`)).toEqual([
      "call:etl-service/extract_data",
      "step:flow:step",
      "call:etl-service/transform_data",
      "step:flow:step",
      "call:etl-service/load_data",
      "step:flow:step",
    ]);
  });

  it("starts parallel_processing's three tasks before any finishes, and merges after all three", async () => {
    const a = gate();
    const b = gate();
    const c = gate();
    const engine = new FakeEngine({
      "service/process_type_a": a.handler,
      "service/process_type_b": b.handler,
      "service/process_type_c": c.handler,
      "service/merge_results": ({ deps }) => Object.keys(deps).sort(),
    });
    const outcome = run(engine, parallelProcessing());
    await until(() => engine.calls.length === 3);
    expect(engine.calls).toEqual(["service/process_type_a", "service/process_type_b", "service/process_type_c"]);
    c.open("C");
    await until(() => engine.records().length === 1);
    a.open("A");
    await until(() => engine.records().length === 2);
    expect(engine.calls).toHaveLength(3);
    b.open("B");
    expect(await outcome).toMatchObject({
      value: { outputs: { merge_results: ["process_a", "process_b", "process_c"] } },
    });
    // Settlements are recorded in the order they happened.
    expect(engine.records().map((r) => r.step)).toEqual(["process_c", "process_a", "process_b", "merge_results"]);
  });

  it("replays a run whose parallel steps settled out of start order without re-running or diverging", async () => {
    const first = gate();
    const engine = new FakeEngine({
      "s/slow": first.handler,
      "s/fast": () => "fast",
      "s/after_fast": () => "after",
      "s/join": ({ deps }) => deps,
    });
    const flow = new FlowDefinition([
      taskStep("slow", { serviceName: "s", handlerName: "slow" }),
      taskStep("fast", { serviceName: "s", handlerName: "fast" }),
      taskStep("after_fast", { serviceName: "s", handlerName: "after_fast", dependencies: ["fast"] }),
      taskStep("join", { serviceName: "s", handlerName: "join", dependencies: ["slow", "after_fast"] }),
    ]);
    const live = run(engine, flow);
    await until(() => engine.calls.includes("s/after_fast") && engine.records().length === 2);
    first.open("slow");
    const liveOutcome = await live;
    expect(liveOutcome.type).toBe("completed");
    const callsBefore = engine.calls.length;

    // A new attempt over the full journal (a worker that crashed after the run ended): same result, no calls.
    const replayed = await run(engine, flow);
    expect(replayed).toEqual(liveOutcome);
    expect(engine.calls).toHaveLength(callsBefore);
  });

  it("resumes after a crash mid-run from a journal whose settlements are out of start order", async () => {
    const a = gate();
    const c = gate();
    const engine = new FakeEngine({
      "s/a": a.handler,
      "s/b": () => "b",
      "s/c": c.handler,
      "s/d": ({ deps }) => deps,
    });
    const flow = new FlowDefinition([
      taskStep("a", { serviceName: "s", handlerName: "a" }),
      taskStep("b", { serviceName: "s", handlerName: "b" }),
      taskStep("c", { serviceName: "s", handlerName: "c", dependencies: ["b"] }),
      taskStep("d", { serviceName: "s", handlerName: "d", dependencies: ["a", "c"] }),
    ]);
    void run(engine, flow);
    await until(() => engine.calls.includes("s/c"));
    a.open("a");
    await until(() => engine.records().length === 2);
    engine.crash();
    // c completes while no worker has the run (the coordinator records its result).
    c.open("c");
    await until(() => engine.journal[3]?.result !== undefined);
    // Journal: call a, call b, record b, call c, record a. A replay sees a, b and c all settled; it
    // must follow the records (b first) to start c at the index it was recorded at.
    expect(engine.journal.map((e) => `${e.kind}:${e.name}`)).toEqual([
      "call:s/a",
      "call:s/b",
      "step:flow:step",
      "call:s/c",
      "step:flow:step",
    ]);

    const resumed = run(engine, flow);
    expect(await resumed).toMatchObject({ type: "completed", value: { outputs: { d: { a: "a", c: "c" } } } });
    expect(engine.calls).toEqual(["s/a", "s/b", "s/c", "s/d"]);
    expect(engine.records().map((r) => r.step)).toEqual(["b", "a", "c", "d"]);
  });

  it("waits nightly_etl's cron step until the next 3 AM of the engine's clock, then loads", async () => {
    const seen: Record<string, any> = {};
    const handlers = Object.fromEntries(
      [
        "etl-service/validate_data_sources",
        "etl-service/extract_from_database",
        "etl-service/extract_from_api",
        "etl-service/extract_from_files",
        "etl-service/merge_data",
        "etl-service/clean_and_normalize",
        "etl-service/enrich_with_metadata",
        "etl-service/load_data_warehouse",
        "reporting-service/generate_daily_reports",
      ].map((name) => [
        name,
        (input: unknown) => {
          seen[name] = input;
          return name.split("/")[1];
        },
      ]),
    );
    const engine = new FakeEngine(handlers);
    const outcome = run(engine, nightlyEtl({ timezone: "UTC" }));
    await until(() => engine.waiting("timer").length === 1);
    expect(engine.calls).not.toContain("etl-service/load_data_warehouse");
    // NOW is 2026-01-15 12:00 UTC: the next 3 AM is the following day's.
    expect(engine.waiting("timer")[0]!.request).toEqual({
      fireAtMs: Date.UTC(2026, 0, 16, 3),
      cron: "0 3 * * *",
      timezone: "UTC",
    });
    expect(engine.fireTimers()).toEqual([Date.UTC(2026, 0, 16, 3)]);
    const done = await outcome;
    expect(done.type).toBe("completed");
    expect(Object.values((done as any).value.states).every((s) => s === "completed")).toBe(true);
    expect(engine.calls.slice(1, 4).sort()).toEqual([
      "etl-service/extract_from_api",
      "etl-service/extract_from_database",
      "etl-service/extract_from_files",
    ]);
    expect(engine.calls.at(-1)).toBe("reporting-service/generate_daily_reports");
    // Across the timer step: deps has the timer's null output, upstream every completed step's output.
    const load = seen["etl-service/load_data_warehouse"];
    expect(load.deps).toEqual({ wait_for_maintenance_window: null });
    expect(load.upstream).toMatchObject({
      enrich_data: "enrich_with_metadata",
      validate_sources: "validate_data_sources",
    });
    expect(Object.keys(load.upstream)).toHaveLength(8);
  });

  const approvalHandlers = () => ({
    "doc-service/submit_for_review": ({ inputData }: any) => ({ docId: "doc-1", priority: inputData.priority }),
    "notification-service/send_review_notifications": () => "notified",
    "doc-service/escalate_to_manager": () => "escalated",
    "doc-service/publish_approved_document": ({ deps }: any) => ({ published: true, approvals: deps }),
  });

  it("takes document_approval's approved path: the escalation branch is skipped, publish runs", async () => {
    const engine = new FakeEngine(approvalHandlers());
    const outcome = run(engine, documentApproval());
    await until(() => engine.waiting("signal_wait").length === 1);
    expect(engine.waiting("signal_wait")[0]).toMatchObject({
      name: "document_approved",
      request: { timeoutMs: 172_800_000, fireAtMs: NOW + 172_800_000 },
    });
    engine.signal("document_approved", { by: "alice" });
    const done = (await outcome) as any;
    expect(done.value.states).toEqual({
      submit_document: "completed",
      notify_reviewers: "completed",
      wait_for_approval: "completed",
      escalate_approval: "skipped",
      wait_escalated_approval: "skipped",
      publish_document: "completed",
    });
    expect(done.value.outputs.publish_document).toEqual({
      published: true,
      approvals: { wait_for_approval: { by: "alice" } },
    });
    expect(engine.calls).not.toContain("doc-service/escalate_to_manager");
  });

  it("takes document_approval's escalation path when the first wait times out", async () => {
    const engine = new FakeEngine(approvalHandlers());
    const outcome = run(engine, documentApproval());
    await until(() => engine.waiting("signal_wait").length === 1);
    engine.timeOut("document_approved");
    await until(() => engine.waiting("signal_wait").length === 1);
    expect(engine.calls).toContain("doc-service/escalate_to_manager");
    engine.signal("escalated_approval", { by: "manager" });
    const done = (await outcome) as any;
    expect(done.value.states).toMatchObject({
      wait_for_approval: "timed_out",
      escalate_approval: "completed",
      wait_escalated_approval: "completed",
      publish_document: "completed",
    });
    expect(done.value.outputs.publish_document.approvals).toEqual({ wait_escalated_approval: { by: "manager" } });
  });

  it("fails the run with SIGNAL_TIMEOUT when a wait without onTimeout times out", async () => {
    const engine = new FakeEngine(approvalHandlers());
    const outcome = run(engine, documentApproval());
    await until(() => engine.waiting("signal_wait").length === 1);
    engine.timeOut("document_approved");
    await until(() => engine.waiting("signal_wait").length === 1);
    engine.timeOut("escalated_approval");
    expect(await outcome).toMatchObject({ type: "failed", failure: { code: "SIGNAL_TIMEOUT" } });
    expect(engine.records().at(-1)).toEqual({ step: "wait_escalated_approval", state: "timed_out" });
    expect(engine.calls).not.toContain("doc-service/publish_approved_document");
  });

  it("fails the run with FLOW_STEP_FAILED naming the step when a task fails", async () => {
    const engine = new FakeEngine({
      "etl-service/extract_data": () => {
        throw Object.assign(new Error("source offline"), { code: "SOURCE_DOWN" });
      },
    });
    const outcome = await run(engine, dataPipeline());
    expect(outcome).toMatchObject({
      type: "failed",
      failure: { code: "FLOW_STEP_FAILED", message: 'Flow step "extract" failed: source offline' },
    });
    expect(engine.records()).toEqual([
      { step: "extract", state: "failed", error: { code: "SOURCE_DOWN", message: "source offline" } },
    ]);
  });

  it("retries a failed task through its timer dependency's maxRetries, waiting the timer before each retry", async () => {
    let attempts = 0;
    const engine = new FakeEngine({
      "s/flaky": () => {
        attempts++;
        if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
        return "ok";
      },
    });
    const flow = new FlowDefinition([
      waitTimerStep({ name: "backoff", timerKey: "exponential_backoff", delayMs: 5000, maxRetries: 3 }),
      taskStep("flaky", { serviceName: "s", handlerName: "flaky", dependencies: ["backoff"] }),
    ]);
    const outcome = run(engine, flow);
    for (let fired = 0; fired < 3; fired++) {
      await until(() => engine.waiting("timer").length === 1);
      expect(engine.fireTimers()).toEqual([NOW + 5000]);
    }
    expect(await outcome).toMatchObject({ type: "completed", value: { outputs: { flaky: "ok" } } });
    expect(engine.records().map((r) => `${r.step}:${r.state}${r.attempt ? `#${r.attempt}` : ""}`)).toEqual([
      "backoff:completed",
      "flaky:retrying#1",
      "flaky:running#1",
      "flaky:retrying#2",
      "flaky:running#2",
      "flaky:completed",
    ]);
  });

  it("fails after maxRetries retries", async () => {
    const engine = new FakeEngine({
      "s/broken": () => {
        throw new Error("still broken");
      },
    });
    const flow = new FlowDefinition([
      waitTimerStep({ name: "backoff", timerKey: "k", delayMs: 10, maxRetries: 1 }),
      taskStep("broken", { serviceName: "s", handlerName: "broken", dependencies: ["backoff"] }),
    ]);
    const outcome = run(engine, flow);
    await until(() => engine.waiting("timer").length === 1);
    engine.fireTimers();
    await until(() => engine.waiting("timer").length === 1);
    engine.fireTimers();
    expect(await outcome).toMatchObject({ type: "failed", failure: { code: "FLOW_STEP_FAILED" } });
    expect(engine.calls).toEqual(["s/broken", "s/broken"]);
  });

  it("runs a task with objectKeys as a write on the object-lock entity, keys in sorted order", async () => {
    const seen: unknown[] = [];
    const engine = new FakeEngine({
      "agnt5_flow_object.run": (input, request) => {
        seen.push({ key: request.key, ...input });
        return "written";
      },
    });
    const flow = new FlowDefinition([
      taskStep({
        name: "object_step",
        serviceName: "object-service",
        handlerName: "update_state",
        objectKeys: ["user:123", "cart:456"],
      }),
    ]);
    expect(await run(engine, flow)).toMatchObject({
      type: "completed",
      value: { outputs: { object_step: "written" } },
    });
    expect(seen).toEqual([
      {
        key: "cart:456",
        keys: ["user:123"],
        service: "object-service",
        handler: "update_state",
        input: { runInput: { source: "test_data" }, inputData: null, deps: {}, upstream: {} },
      },
    ]);
  });
});
