import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createExecutionContext } from "./context.js";
import { isDurableContext, type WorkflowContext } from "./durable-context.js";
import { DefinitionError, InputValidationError } from "./errors.js";
import { fn } from "./function.js";
import { createLocalDurableContext } from "./local-durable-context.js";
import {
  clearRegistry,
  getFunctionMetadata,
  getRegisteredFunctions,
  getRegisteredWorkflows,
  Registry,
} from "./registry.js";
import { defaultRetryPolicy } from "./retry-policy.js";
import { workflow } from "./workflow.js";

let registry: Registry;
beforeEach(() => {
  registry = new Registry();
});

describe("workflow() definition forms", () => {
  it("registers a handler-only definition in the default registry under the handler's name", async () => {
    clearRegistry();
    async function orderFlow(ctx: WorkflowContext, orderId: string) {
      return `${ctx.componentType}:${orderId}`;
    }
    const flow = workflow(orderFlow);
    expect(flow.name).toBe("orderFlow");
    expect(flow.kind).toBe("workflow");
    expect(flow.streaming).toBe(false);
    expect(getRegisteredWorkflows()).toEqual({ orderFlow: flow });
    expect(getRegisteredFunctions()).toEqual({});
    await expect(flow("o-1")).resolves.toBe("workflow:o-1");
    clearRegistry();
  });

  it("accepts a name and a handler", () => {
    const flow = workflow({ name: "named", registry }, async () => 1);
    expect(flow.name).toBe("named");
    expect(registry.get("named")).toBe(flow);
  });

  it("accepts options with zod schemas, validating input and output", async () => {
    const flow = workflow(
      {
        name: "sum",
        description: "Adds two numbers",
        input: z.object({ a: z.number(), b: z.number().default(1) }),
        output: z.object({ total: z.number() }),
        retry: { maxAttempts: 5 },
        registry,
      },
      async (_ctx, { a, b }) => ({ total: a + b }),
    );
    await expect(flow({ a: 2 })).resolves.toEqual({ total: 3 });
    await expect(flow({ a: "x" } as never)).rejects.toBeInstanceOf(InputValidationError);
    expect(flow.description).toBe("Adds two numbers");
    expect(flow.retryPolicy).toEqual({ ...defaultRetryPolicy, maxAttempts: 5 });
    expect(flow.inputSchema).toMatchObject({ type: "object" });
  });

  it("rejects an output that fails the output schema", async () => {
    const flow = workflow({ name: "bad_out", output: z.string(), registry }, async () => 42 as unknown as string);
    await expect(flow()).rejects.toMatchObject({ code: "INVALID_OUTPUT" });
  });

  it("rejects a missing handler, a missing name, a bad name and an async generator", () => {
    expect(() => (workflow as (name: string) => unknown)("lonely")).toThrow("workflow() needs a handler function");
    expect(() => workflow({ registry }, async () => 1)).toThrow(/A workflow needs a name/);
    expect(() => workflow({ name: "2bad", registry }, async () => 1)).toThrow('Invalid workflow name "2bad"');
    expect(() =>
      workflow({ name: "gen", registry }, async function* () {
        yield 1;
      } as never),
    ).toThrow(DefinitionError);
  });

  it("keeps a definition made with registry: false out of every registry", () => {
    clearRegistry();
    workflow({ name: "hidden", registry: false }, async () => 1);
    expect(getRegisteredWorkflows()).toEqual({});
  });
});

describe("workflow metadata", () => {
  it("describes the workflow with type workflow", () => {
    const flow = workflow(
      { name: "meta", description: "d", input: z.object({ id: z.string() }), output: z.number(), registry },
      async () => 1,
    );
    expect(flow.metadata).toEqual({
      name: "meta",
      type: "workflow",
      description: "d",
      parameters: [{ name: "id", type: "string", required: true }],
      returnType: "number",
      inputSchema: flow.inputSchema,
      outputSchema: flow.outputSchema,
    });
    expect(getFunctionMetadata("meta", registry)).toBe(flow.metadata);
    expect(getFunctionMetadata(flow)).toBe(flow.metadata);
  });
});

describe("workflow invocation", () => {
  it("calls the handler with the context first and the input second", async () => {
    const received: unknown[] = [];
    const flow = workflow({ name: "args", registry }, async (ctx: WorkflowContext, input: { n: number }) => {
      received.push(ctx, input);
      return input.n;
    });
    const ctx = createLocalDurableContext({ invocationId: "run-1", componentType: "workflow" });
    await expect(flow.invoke({ n: 5 }, ctx)).resolves.toBe(5);
    expect(received).toEqual([ctx, { n: 5 }]);
  });

  it("gives a plain execution context local durable operations", async () => {
    const flow = workflow({ name: "local", registry }, async (ctx) => {
      expect(isDurableContext(ctx)).toBe(true);
      const a = await ctx.step("a", () => 1);
      const b = await ctx.step("b", async () => a + 1);
      return { a, b, id: ctx.invocationId };
    });
    await expect(flow.invoke(undefined, createExecutionContext({ invocationId: "inv-9" }))).resolves.toEqual({
      a: 1,
      b: 2,
      id: "inv-9",
    });
  });

  it("names a fresh local context after the workflow when called directly", async () => {
    const flow = workflow({ name: "who", registry }, async (ctx) => [ctx.componentName, ctx.componentType]);
    await expect(flow()).resolves.toEqual(["who", "workflow"]);
  });

  it("can call a function definition in process with ctx.task", async () => {
    const double = fn({ name: "double", registry }, (n: number) => n * 2);
    const flow = workflow({ name: "caller", registry }, async (ctx, n: number) => ctx.task(double, n));
    await expect(flow(21)).resolves.toBe(42);
  });
});

describe("the registry with workflows", () => {
  it("lists functions and workflows apart", () => {
    const f = fn({ name: "f", registry }, () => 1);
    const w = workflow({ name: "w", registry }, async () => 1);
    expect(registry.list()).toEqual([f, w]);
    expect(registry.functions()).toEqual({ f });
    expect(registry.workflows()).toEqual({ w });
    expect(getRegisteredWorkflows(registry)).toEqual({ w });
  });
});
