import { describe, expect, it } from "vitest";
import { flowStepViews } from "./flow-steps.js";

const graph = [
  { name: "submit", stepType: "task", dependencies: [] },
  { name: "wait", stepType: "wait_signal", dependencies: ["submit"], signal: { onTimeout: "escalate" } },
  { name: "escalate", stepType: "task", dependencies: [] },
  { name: "publish", stepType: "task", dependencies: ["wait", "escalate"] },
];
const record = (value: unknown) => ({
  kind: "step",
  name: "flow:step",
  result: { ok: true, value: JSON.stringify(value) },
});
const call = { kind: "call", name: "doc/submit", result: { ok: true, value: '"x"' } };

describe("flowStepViews", () => {
  it("shows pending steps, a running task and a waiting signal step from the journal's flow records", () => {
    expect(flowStepViews(graph, [], false).map((s) => s.state)).toEqual(["running", "pending", "pending", "pending"]);
    const views = flowStepViews(
      graph,
      [call, record({ step: "submit", state: "completed", output: { id: 1 } })],
      false,
    );
    expect(views.map((s) => [s.name, s.state])).toEqual([
      ["submit", "completed"],
      ["wait", "waiting"],
      ["escalate", "pending"],
      ["publish", "pending"],
    ]);
    expect(views[0]!.output).toEqual({ id: 1 });
  });

  it("shows skipped, timed-out, failed and retrying steps, and unstarted steps of an ended run as pending", () => {
    const entries = [
      record({ step: "submit", state: "completed", output: 1 }),
      record({ step: "wait", state: "timed_out" }),
      record({ step: "escalate", state: "retrying", attempt: 1, error: { code: "E", message: "m" } }),
    ];
    expect(flowStepViews(graph, entries, false).map((s) => s.state)).toEqual([
      "completed",
      "timed_out",
      "waiting",
      "pending",
    ]);
    const failed = [...entries, record({ step: "escalate", state: "failed", error: { code: "E", message: "m" } })];
    const views = flowStepViews(graph, failed, true);
    expect(views.map((s) => s.state)).toEqual(["completed", "timed_out", "failed", "pending"]);
    expect(views[2]).toMatchObject({ error: { code: "E", message: "m" } });
    const approved = [
      record({ step: "submit", state: "completed" }),
      record({ step: "wait", state: "completed", output: "ok" }),
      record({ step: "escalate", state: "skipped" }),
    ];
    expect(flowStepViews(graph, approved, false).map((s) => s.state)).toEqual([
      "completed",
      "completed",
      "skipped",
      "running",
    ]);
  });
});
