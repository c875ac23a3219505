import { describe, expect, it } from "vitest";
import { FlowDefinition } from "../model/flow-definition.js";
import { StepType, WorkflowStep } from "../model/step.js";
import { taskStep, waitSignalStep, waitTimerStep } from "../model/step-helpers.js";
import { documentApproval, nightlyEtl, parallelProcessing } from "../seed/seed-flows.js";
import { FlowValidationError } from "./flow-validation-error.js";

const problemsOf = (flow: FlowDefinition) => flow.problems().map((p) => [p.step, p.rule]);

describe("flow validation", () => {
  it("accepts the seed's flows", () => {
    for (const flow of [parallelProcessing(), nightlyEtl(), documentApproval()]) expect(flow.problems()).toEqual([]);
  });

  it("refuses the seed's invalid flow: a missing dependency, with the step and rule named", () => {
    const invalid = new FlowDefinition([
      taskStep("step2", { serviceName: "svc", handlerName: "h2", dependencies: ["step1"] }),
      taskStep("step3", { serviceName: "svc", handlerName: "h3", dependencies: ["step2"] }),
    ]);
    expect(() => invalid.validate("invalid")).toThrow(FlowValidationError);
    try {
      invalid.validate("invalid");
    } catch (error) {
      const e = error as FlowValidationError;
      expect(e.code).toBe("INVALID_FLOW");
      expect(e.flow).toBe("invalid");
      expect(e.problems).toEqual([
        { step: "step2", rule: "dependency_exists", message: 'dependency "step1" is not a step of this flow' },
      ]);
      expect(e.message).toContain('step "step2"');
    }
  });

  it("requires at least one step", () => {
    expect(problemsOf(new FlowDefinition([]))).toEqual([[undefined, "at_least_one_step"]]);
  });

  it("reports every problem at once: duplicates, order, self-dependency, missing fields, bad values", () => {
    const flow = new FlowDefinition([
      taskStep("a", { serviceName: "s", handlerName: "h", dependencies: ["b"] }),
      taskStep("b", { serviceName: "s", handlerName: "h" }),
      taskStep("b", { serviceName: "s", handlerName: "h" }),
      taskStep("c", { serviceName: "s", handlerName: "h", dependencies: ["c"] }),
      new WorkflowStep({ name: "d", stepType: StepType.TASK, handlerName: "h" }),
      new WorkflowStep({ name: "e", stepType: StepType.WAIT_SIGNAL, serviceName: "s" }),
      new WorkflowStep({
        name: "f",
        stepType: StepType.WAIT_TIMER,
        timer: { key: "k", delayMs: 1, cronExpr: "* * * * *" },
      }),
      waitTimerStep({ name: "g", timerKey: "k", cronExpr: "61 * * * *" }),
      waitTimerStep({ name: "h", timerKey: "k", delayMs: -5, maxRetries: 1.5 }),
      waitSignalStep({ name: "i", signalName: "go", timeoutMs: 0 }),
      new WorkflowStep({ name: "9bad", stepType: StepType.TASK, serviceName: "s", handlerName: "h" }),
    ]);
    expect(problemsOf(flow)).toEqual([
      ["b", "unique_names"],
      ["9bad", "valid_value"],
      ["a", "causal_order"],
      ["c", "causal_order"],
      ["d", "required_fields"],
      ["e", "required_fields"],
      ["e", "required_fields"],
      ["f", "required_fields"],
      ["g", "valid_value"],
      ["h", "valid_value"],
      ["h", "valid_value"],
      ["i", "valid_value"],
    ]);
  });

  it("checks onTimeout: an existing later step, claimed once, with a timeout", () => {
    const flow = new FlowDefinition([
      taskStep("early", { serviceName: "s", handlerName: "h" }),
      waitSignalStep({ name: "w1", signalName: "x", timeoutMs: 10, onTimeout: "early" }),
      waitSignalStep({ name: "w2", signalName: "y", onTimeout: "late" }),
      waitSignalStep({ name: "w3", signalName: "z", timeoutMs: 10, onTimeout: "nowhere" }),
      waitSignalStep({ name: "w4", signalName: "z", timeoutMs: 10, onTimeout: "late" }),
      taskStep("late", { serviceName: "s", handlerName: "h" }),
    ]);
    expect(problemsOf(flow)).toEqual([
      ["w1", "causal_order"],
      ["w2", "required_fields"],
      ["w3", "dependency_exists"],
      ["w4", "valid_value"],
    ]);
  });
});
