import { describe, expectTypeOf, it } from "vitest";
import type { ExecutionContext } from "./context.js";
import type {
  ApprovalDecision,
  ChildHandle,
  DurableContext,
  DurableSignal,
  FunctionContext,
  WorkflowContext,
} from "./durable-context.js";
import { fn } from "./function.js";
import { workflow } from "./workflow.js";

declare const ctx: DurableContext;
const registry = false as const;

describe("DurableContext", () => {
  it("is what functions and workflows receive", () => {
    expectTypeOf<FunctionContext>().toEqualTypeOf<DurableContext>();
    expectTypeOf<WorkflowContext>().toEqualTypeOf<DurableContext>();
  });

  it("carries the execution context's facts, the AbortSignal as abortSignal, and run properties", () => {
    expectTypeOf(ctx.invocationId).toEqualTypeOf<string>();
    expectTypeOf(ctx.runId).toEqualTypeOf<string>();
    expectTypeOf(ctx.attempt).toEqualTypeOf<number>();
    expectTypeOf(ctx.logger).toEqualTypeOf<ExecutionContext["logger"]>();
    expectTypeOf(ctx.abortSignal).toEqualTypeOf<AbortSignal>();
    expectTypeOf(ctx.stepId).toEqualTypeOf<string | undefined>();
    expectTypeOf(ctx.objectId).toEqualTypeOf<string | undefined>();
    expectTypeOf(ctx.methodName).toEqualTypeOf<string | undefined>();
    expectTypeOf(ctx.componentType).toEqualTypeOf<ExecutionContext["componentType"]>();
  });

  it("types ctx.step by its function's result, sync or async", () => {
    expectTypeOf(ctx.step("a", () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ctx.step("b", async () => ({ id: "x" }))).toEqualTypeOf<Promise<{ id: string }>>();
    expectTypeOf(ctx.step).toBeCallableWith("c", () => null, { retry: { maxAttempts: 5 } });
    // @ts-expect-error a step needs a function
    ctx.step("d", 42);
  });

  it("types timers", () => {
    expectTypeOf(ctx.sleep(5)).toEqualTypeOf<Promise<void>>();
    expectTypeOf(ctx.timer({ delayMs: 5000 })).toEqualTypeOf<Promise<void>>();
    expectTypeOf(ctx.timer({ cron: "0 0 * * *", timezone: "Europe/Paris" })).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error a timer needs a delay or a cron expression
    ctx.timer({});
  });

  it("makes ctx.signal callable, with emit", () => {
    expectTypeOf(ctx.signal).toEqualTypeOf<DurableSignal>();
    expectTypeOf(ctx.signal<{ approved: boolean }>("approval")).toEqualTypeOf<Promise<{ approved: boolean }>>();
    expectTypeOf(ctx.signal("s", { timeoutMs: 1000, default: "none" })).toEqualTypeOf<Promise<string>>();
    expectTypeOf(ctx.signal.emit("s", { a: 1 }, { runId: "run-1" })).toEqualTypeOf<Promise<void>>();
  });

  it("resolves ctx.human.approval to a decision", () => {
    const decision = ctx.human.approval("deploy", {
      payload: { version: "1.2" },
      timeout: 30 * 60_000,
      requiredRoles: ["admin"],
      default: "rejected",
    });
    expectTypeOf(decision).toEqualTypeOf<Promise<ApprovalDecision>>();
    expectTypeOf<ApprovalDecision["decision"]>().toEqualTypeOf<"approved" | "rejected">();
  });

  it("types ctx.task by name (explicit result type) or by definition (inferred)", () => {
    expectTypeOf(ctx.task("analytics", "process_data", { dataset: "users" })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(ctx.task<{ passed: boolean }>("ci", "run_tests")).toEqualTypeOf<Promise<{ passed: boolean }>>();
    const double = fn({ name: "double", registry }, (n: number) => n * 2);
    const flow = workflow({ name: "flow", registry }, async (_c, s: string) => s.length);
    const ping = fn({ name: "ping", registry }, () => "pong");
    expectTypeOf(ctx.task(double, 2)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ctx.task(flow, "abc")).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ctx.task(ping)).toEqualTypeOf<Promise<string>>();
    // @ts-expect-error double takes a number
    ctx.task(double, "2");
    // @ts-expect-error double needs its input
    ctx.task(double);
  });

  it("returns a typed child handle from ctx.spawn", () => {
    const double = fn({ name: "double", registry }, (n: number) => n * 2);
    const handle = ctx.spawn(double, 3, { key: "item-3" });
    expectTypeOf(handle).toEqualTypeOf<ChildHandle<number>>();
    expectTypeOf(handle.result()).toEqualTypeOf<Promise<number>>();
    expectTypeOf(handle.invocationId).toEqualTypeOf<string>();
    expectTypeOf(ctx.spawn<string>({ service: "svc", handler: "h" }, {})).toEqualTypeOf<ChildHandle<string>>();
  });

  it("types ctx.parallel as a tuple of results, from functions or promises", () => {
    const results = ctx.parallel(
      () => ctx.step("a", () => 1),
      () => ctx.task<string>("svc", "h"),
      ctx.now(),
    );
    expectTypeOf(results).toEqualTypeOf<Promise<[number, string, Date]>>();
  });

  it("types ctx.gather as a record of results", () => {
    const results = ctx.gather({ task1: ctx.task<number>("svc", "task1"), task2: () => ctx.uuid() });
    expectTypeOf(results).toEqualTypeOf<Promise<{ task1: number; task2: string }>>();
  });

  it("types deterministic values", () => {
    expectTypeOf(ctx.now()).toEqualTypeOf<Promise<Date>>();
    expectTypeOf(ctx.random()).toEqualTypeOf<Promise<number>>();
    expectTypeOf(ctx.uuid()).toEqualTypeOf<Promise<string>>();
  });
});
