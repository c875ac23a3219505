import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowCluster } from "./support/flow-cluster.js";

describe("flows on the durable engine (PostgreSQL)", () => {
  let flows: FlowCluster;

  beforeEach(async () => {
    flows = await FlowCluster.create("postgres");
    await flows.cluster.startCoordinator();
  });
  afterEach(async () => {
    await flows.dispose();
  });

  it("resumes a flow after its worker and the coordinator are SIGKILLed mid-run, re-running no completed task", async () => {
    const doomed = await flows.startWorker("crash-service", { hostFlows: true });
    const runId = await flows.startRun("crash_pipeline", { tag: "crash", stallAt: "crash_transform_b" });
    await doomed.waitForLine("effect: stalled crash crash_transform_b");
    // transform_a runs in parallel with the stalled transform_b: wait until its result is recorded.
    await flows.waitForRun(
      runId,
      (run) => FlowCluster.stepState(run, "transform_a") === "completed",
      "transform_a to complete",
    );

    await doomed.kill("SIGKILL");
    await flows.cluster.coordinator!.kill("SIGKILL");
    await flows.cluster.startCoordinator();
    await flows.startWorker("crash-service", { hostFlows: true });

    const done = await flows.result(runId);
    expect(done).toMatchObject({ status: "completed", output: { outputs: { load: 5 } } });
    const effects = flows.effects("crash");
    const count = (event: string, step: string) => effects.filter((e) => e.event === event && e.step === step).length;
    for (const step of ["crash_extract", "crash_transform_a", "crash_load"]) {
      expect(count("start", step), `${step} starts`).toBe(1);
      expect(count("end", step), `${step} ends`).toBe(1);
    }
    // The stalled task never finished on the killed worker: it ran again, once, to completion.
    expect(count("start", "crash_transform_b")).toBe(2);
    expect(count("end", "crash_transform_b")).toBe(1);
    expect(effects.find((e) => e.event === "end" && e.step === "crash_transform_b")!.pid).not.toBe(doomed.pid);
  });

  it("completes 200 concurrent flow runs", async () => {
    await flows.startWorker("etl-service", { hostFlows: true });
    const started = Date.now();
    const runIds = await Promise.all(
      Array.from({ length: 200 }, (_, n) => flows.startRun("data_pipeline", { tag: `many-${n}` }, `many-${n}`)),
    );
    const results = await Promise.all(runIds.map((runId) => flows.result(runId)));
    const elapsedMs = Date.now() - started;
    expect(results.map((r) => r.status)).toEqual(runIds.map(() => "completed"));
    expect(results.map((r) => r.output.outputs.load)).toEqual(runIds.map(() => ({ loaded: 3 })));
    console.log(JSON.stringify({ bench: "flows.data_pipeline.concurrent", runs: 200, elapsedMs }));
  });

  it("runs tasks that share objectKeys one at a time, across runs", async () => {
    await flows.startWorker("crash-service", { hostFlows: true });
    const runIds = await Promise.all(
      Array.from({ length: 3 }, (_, n) => flows.startRun("locked_writes", { tag: `lock-${n}` })),
    );
    const results = await Promise.all(runIds.map((runId) => flows.result(runId)));
    expect(results.map((r) => r.output?.outputs.write)).toEqual(["written", "written", "written"]);
    const spans = [0, 1, 2]
      .map((n) => {
        const effects = flows.effects(`lock-${n}`);
        return {
          start: effects.find((e) => e.event === "start")!.t,
          end: effects.find((e) => e.event === "end")!.t,
        };
      })
      .sort((a, b) => a.start - b.start);
    // No two writers of user:123 / cart:456 overlap.
    expect(spans[0]!.end).toBeLessThanOrEqual(spans[1]!.start);
    expect(spans[1]!.end).toBeLessThanOrEqual(spans[2]!.start);
  });
});
