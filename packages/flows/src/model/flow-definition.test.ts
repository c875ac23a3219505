import { describe, expect, it } from "vitest";
import { dataPipeline, documentApproval, nightlyEtl } from "../seed/seed-flows.js";
import { FlowValidationError } from "../validation/flow-validation-error.js";
import { FlowDefinition } from "./flow-definition.js";
import { SignalConfig, StepType, TimerConfig, WorkflowStep } from "./step.js";
import { taskStep, waitSignalStep, waitTimerStep } from "./step-helpers.js";

describe("FlowDefinition", () => {
  it("serializes to the dictionary form (the seed's test_workflow_definition)", () => {
    const flow = new FlowDefinition([
      taskStep("extract", { serviceName: "etl", handlerName: "extract" }),
      taskStep("transform", { serviceName: "etl", handlerName: "transform", dependencies: ["extract"] }),
    ]);
    const dict = flow.toDict();
    expect(dict.steps).toHaveLength(2);
    expect(dict.steps[1]!.dependencies).toEqual(["extract"]);
    expect(dict.steps[0]).toEqual({
      name: "extract",
      stepType: "task",
      serviceName: "etl",
      handlerName: "extract",
      dependencies: [],
    });
  });

  it("writes every step type's fields, and JSON.stringify uses the dictionary form", () => {
    const flow = documentApproval();
    expect(flow.toDict().steps[2]).toEqual({
      name: "wait_for_approval",
      stepType: "wait_signal",
      dependencies: ["notify_reviewers"],
      signal: { name: "document_approved", timeoutMs: 172_800_000, onTimeout: "escalate_approval" },
    });
    expect(flow.toDict().steps[0]!.inputData).toEqual({ priority: "normal" });
    expect(nightlyEtl({ timezone: "UTC" }).toDict().steps[7]).toEqual({
      name: "wait_for_maintenance_window",
      stepType: "wait_timer",
      dependencies: ["enrich_data"],
      timer: { key: "maintenance", cronExpr: "0 3 * * *", timezone: "UTC", maxRetries: 0 },
    });
    expect(JSON.parse(JSON.stringify(flow))).toEqual(flow.toDict());
    expect(JSON.parse(flow.toJsonString())).toEqual(flow.toDict());
  });

  it.each([
    ["data_pipeline", dataPipeline],
    ["nightly_etl", () => nightlyEtl({ timezone: "UTC" })],
    ["document_approval", documentApproval],
  ])("reads %s back from its dictionary and JSON forms unchanged", (_, make) => {
    const flow = make();
    expect(FlowDefinition.fromDict(flow.toDict()).toDict()).toEqual(flow.toDict());
    expect(FlowDefinition.fromJSON(flow.toJsonString(2)).toDict()).toEqual(flow.toDict());
  });

  it("validates a definition read back exactly as one built in code", () => {
    const broken = new FlowDefinition([
      taskStep("step2", { serviceName: "svc", handlerName: "h2", dependencies: ["step1"] }),
      new WorkflowStep({ name: "step3", stepType: StepType.TASK, serviceName: "svc" }),
    ]);
    const inCode = (() => {
      try {
        broken.validate("broken");
      } catch (error) {
        return (error as FlowValidationError).problems;
      }
    })();
    expect(inCode).toHaveLength(2);
    expect(() => FlowDefinition.fromJSON(broken.toJsonString(), "broken")).toThrow(FlowValidationError);
    try {
      FlowDefinition.fromJSON(broken.toJsonString(), "broken");
    } catch (error) {
      expect((error as FlowValidationError).problems).toEqual(inCode);
    }
  });

  it("reports shape problems of a dictionary with the step they are in", () => {
    try {
      FlowDefinition.fromDict({
        steps: [
          { name: "a", stepType: "task", dependancies: [] },
          { name: "b", stepType: "nap" },
        ],
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FlowValidationError);
      const problems = (error as FlowValidationError).problems;
      expect(problems.map((p) => [p.step, p.rule])).toEqual([
        ["a", "schema"],
        ["b", "schema"],
      ]);
      expect(problems[0]!.message).toContain("dependancies");
    }
    expect(() => FlowDefinition.fromJSON("{not json")).toThrow(/not JSON/);
  });

  it("builds steps by hand with WorkflowStep, SignalConfig and TimerConfig (the seed's data classes)", () => {
    const step = new WorkflowStep({
      name: "custom_step",
      stepType: StepType.TASK,
      serviceName: "my-service",
      handlerName: "my_handler",
      dependencies: ["previous_step"],
      inputData: { key: "value" },
    });
    expect(step.toDict()).toMatchObject({ inputData: { key: "value" }, dependencies: ["previous_step"] });
    const signal = new SignalConfig({ name: "approval_signal", timeoutMs: 3_600_000, onTimeout: "timeout_step" });
    expect(signal.toDict()).toEqual({ name: "approval_signal", timeoutMs: 3_600_000, onTimeout: "timeout_step" });
    expect(new TimerConfig({ key: "batch_timer", delayMs: 60_000, maxRetries: 5 }).toDict()).toEqual({
      key: "batch_timer",
      delayMs: 60_000,
      maxRetries: 5,
    });
    expect(new TimerConfig({ key: "daily_job", cronExpr: "0 0 * * *", maxRetries: 3 }).maxRetries).toBe(3);
    const waiting = new WorkflowStep({ name: "w", stepType: StepType.WAIT_SIGNAL, signal });
    expect(waiting.signal).toBe(signal);
  });

  it("has the seed's step helpers for every step type", () => {
    const flow = new FlowDefinition([
      taskStep({ name: "init_step", serviceName: "s", handlerName: "h" }),
      taskStep({
        name: "object_step",
        serviceName: "object-service",
        handlerName: "update_state",
        dependencies: ["init_step"],
        objectKeys: ["user:123", "cart:456"],
      }),
      waitSignalStep({
        name: "wait_with_timeout",
        signalName: "user_action",
        timeoutMs: 300_000,
        onTimeout: "timeout_handler_step",
      }),
      taskStep({ name: "timeout_handler_step", serviceName: "s", handlerName: "h" }),
      waitTimerStep({
        name: "delay_before_retry",
        timerKey: "retry_delay",
        delayMs: 30_000,
        dependencies: ["init_step"],
      }),
      waitTimerStep({ name: "nightly_batch", timerKey: "nightly", cronExpr: "0 2 * * *", dependencies: ["init_step"] }),
      waitTimerStep({
        name: "retry_with_backoff",
        timerKey: "exponential_backoff",
        delayMs: 5000,
        maxRetries: 3,
        dependencies: ["init_step"],
      }),
    ]);
    expect(flow.problems()).toEqual([]);
    expect(flow.step("object_step")!.objectKeys).toEqual(["user:123", "cart:456"]);
    expect(flow.step("retry_with_backoff")!.timer!.maxRetries).toBe(3);
  });
});
