import { clearRegistry, defaultRegistry, Registry } from "@agnt5/core";
import { afterEach, describe, expect, it } from "vitest";
import { FLOW_OBJECT_ENTITY } from "../execution/object-lock.js";
import { FlowDefinition } from "../model/flow-definition.js";
import { taskStep } from "../model/step-helpers.js";
import { FlowValidationError } from "../validation/flow-validation-error.js";
import { clearRegisteredWorkflows, getRegisteredWorkflows, registerWorkflow, workflow } from "./flow-registry.js";

afterEach(() => {
  clearRegisteredWorkflows();
  clearRegistry();
});

describe("flow registration", () => {
  it("registers a factory under its function name (the seed's test_workflow_registration)", () => {
    workflow(function test_workflow() {
      return new FlowDefinition([taskStep("test_step", { serviceName: "test", handlerName: "test" })]);
    });
    const workflows = getRegisteredWorkflows();
    expect(Object.keys(workflows)).toEqual(["test_workflow"]);
    expect(workflows.test_workflow!.definition.steps[0]!.name).toBe("test_step");
  });

  it("takes a custom name, and registers an ordinary workflow a Worker hosts, its graph in the metadata", () => {
    const definition = workflow("custom_name", function workflow_with_custom_name() {
      return new FlowDefinition([taskStep("s", { serviceName: "svc", handlerName: "h" })]);
    });
    expect(definition.kind).toBe("workflow");
    expect(definition.name).toBe("custom_name");
    expect(defaultRegistry.get("custom_name")).toBe(definition);
    expect(definition.metadata).toMatchObject({
      name: "custom_name",
      type: "workflow",
      flow: { steps: [{ name: "s", stepType: "task", serviceName: "svc", handlerName: "h", dependencies: [] }] },
    });
    expect(getRegisteredWorkflows().custom_name!.workflow).toBe(definition);
  });

  it("registers a definition by hand (the seed's register_workflow)", () => {
    const create = () =>
      new FlowDefinition([
        taskStep("step1", { serviceName: "service", handlerName: "handler1" }),
        taskStep("step2", { serviceName: "service", handlerName: "handler2", dependencies: ["step1"] }),
      ]);
    registerWorkflow("manual_workflow", create());
    expect(Object.keys(getRegisteredWorkflows())).toContain("manual_workflow");
    expect(defaultRegistry.workflows().manual_workflow).toBeDefined();
  });

  it("refuses an invalid flow at registration, registering nothing", () => {
    const invalid = new FlowDefinition([
      taskStep("step2", { serviceName: "svc", handlerName: "h2", dependencies: ["step1"] }),
      taskStep("step3", { serviceName: "svc", handlerName: "h3", dependencies: ["step2"] }),
    ]);
    expect(() => registerWorkflow("invalid", invalid)).toThrow(FlowValidationError);
    expect(() => workflow("invalid", () => invalid)).toThrow(/Invalid flow "invalid": 1 problem/);
    expect(getRegisteredWorkflows()).toEqual({});
    expect(defaultRegistry.get("invalid")).toBeUndefined();
  });

  it("refuses a nameless factory", () => {
    expect(() => workflow(() => new FlowDefinition([]))).toThrow(/needs a name/);
  });

  it("adds the object-lock entity to the registry when a task step has objectKeys", () => {
    const registry = new Registry();
    registerWorkflow(
      "locked",
      new FlowDefinition([taskStep("w", { serviceName: "s", handlerName: "h", objectKeys: ["user:1"] })]),
      { registry },
    );
    expect(registry.get(FLOW_OBJECT_ENTITY)?.kind).toBe("entity");
    expect(defaultRegistry.get("locked")).toBeUndefined();
  });
});
