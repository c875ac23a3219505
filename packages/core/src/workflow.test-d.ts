import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { ExecutionContext, ExecutionContextInit } from "./context.js";
import type { DurableContext, WorkflowContext } from "./durable-context.js";
import { type WorkflowDefinition, workflow } from "./workflow.js";

const registry = false as const;

describe("workflow(name, handler)", () => {
  it("takes the context first and infers input and output from the handler", () => {
    const flow = workflow("checkout", async (ctx, orderId: string) => {
      expectTypeOf(ctx).toEqualTypeOf<WorkflowContext>();
      return { orderId, total: 3 };
    });
    expectTypeOf(flow).toEqualTypeOf<WorkflowDefinition<string, { orderId: string; total: number }>>();
    expectTypeOf(flow.kind).toEqualTypeOf<"workflow">();
    expectTypeOf(flow.streaming).toEqualTypeOf<false>();
    expectTypeOf(flow).toBeCallableWith("o-1");
    expectTypeOf(flow).returns.toEqualTypeOf<Promise<{ orderId: string; total: number }>>();
    // @ts-expect-error the input is a string
    flow(42);
  });

  it("gives a handler without input an optional, undefined input", () => {
    const nightly = workflow("nightly", async (ctx) => ctx.runId);
    expectTypeOf(nightly).toEqualTypeOf<WorkflowDefinition<undefined, string>>();
    expectTypeOf(nightly).toBeCallableWith();
  });

  it("accepts a context or a partial init as the second argument", () => {
    const flow = workflow("f", async (_ctx, n: number) => n);
    expectTypeOf(flow).parameter(1).toEqualTypeOf<ExecutionContext | ExecutionContextInit | undefined>();
  });

  it("WorkflowContext is the DurableContext", () => {
    expectTypeOf<WorkflowContext>().toEqualTypeOf<DurableContext>();
  });
});

describe("workflow(handler)", () => {
  it("infers from a named handler", () => {
    async function pipeline(_ctx: WorkflowContext, items: string[]) {
      return items.length;
    }
    expectTypeOf(workflow(pipeline)).toEqualTypeOf<WorkflowDefinition<string[], number>>();
  });
});

describe("workflow(options, handler)", () => {
  const input = z.object({ id: z.string(), retries: z.number().default(3) });

  it("infers the handler's input from the schema output without annotation", () => {
    workflow({ name: "w", input, registry }, async (ctx, args) => {
      expectTypeOf(ctx).toEqualTypeOf<WorkflowContext>();
      expectTypeOf(args).toEqualTypeOf<{ id: string; retries: number }>();
      return args.retries;
    });
  });

  it("takes the caller's input from the schema input and the output from an output schema", () => {
    const flow = workflow({ name: "w", input, output: z.object({ ok: z.boolean() }), registry }, async () => ({
      ok: true,
    }));
    expectTypeOf(flow).toEqualTypeOf<WorkflowDefinition<{ id: string; retries?: number }, { ok: boolean }>>();
    expectTypeOf(flow).toBeCallableWith({ id: "x" });
  });

  it("infers the input from the handler when there is no input schema", () => {
    const flow = workflow({ name: "w", description: "d", registry }, async (_ctx, n: number) => n > 0);
    expectTypeOf(flow).toEqualTypeOf<WorkflowDefinition<number, boolean>>();
  });
});
