import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createExecutionContext, type FunctionContext } from "./context.js";
import { ComponentNotFoundError, RetryableError, TerminalError } from "./errors.js";
import { executeComponent } from "./execute.js";
import { fn } from "./function.js";
import { createLocalDurableContext } from "./local-durable-context.js";
import { clearRegistry, Registry } from "./registry.js";
import { workflow } from "./workflow.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (output: Uint8Array) => new TextDecoder().decode(output);

describe("executeComponent on the default registry", () => {
  beforeEach(() => clearRegistry());

  it("runs a registered function on JSON input bytes and returns JSON output bytes", async () => {
    fn({ name: "greet_user", input: z.object({ name: z.string() }) }, ({ name }) => `Hello, ${name}!`);
    const result = await executeComponent("greet_user", bytes('{"name": "Alice"}'));
    expect(result).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(text(result))).toBe("Hello, Alice!");
  });

  it("accepts the input as a JSON string", async () => {
    fn("double", (n: number) => n * 2);
    expect(text(await executeComponent("double", "21"))).toBe("42");
  });

  it("passes the decoded value to a handler without an input schema", async () => {
    const received: unknown[] = [];
    fn("echo", (input: unknown) => {
      received.push(input);
      return input;
    });
    expect(text(await executeComponent("echo", bytes('{"a":[1,{"b":null}]}')))).toBe('{"a":[1,{"b":null}]}');
    expect(received).toEqual([{ a: [1, { b: null }] }]);
  });

  it("calls the handler with undefined for empty input and encodes a missing result as null", async () => {
    const received: unknown[] = [];
    fn("ping", (input: unknown) => {
      received.push(input);
    });
    expect(text(await executeComponent("ping", new Uint8Array()))).toBe("null");
    expect(received).toEqual([undefined]);
  });

  it("rejects input that is not JSON with a terminal INVALID_INPUT error", async () => {
    fn("echo", (input: unknown) => input);
    const rejection = executeComponent("echo", "{not json");
    await expect(rejection).rejects.toBeInstanceOf(TerminalError);
    await expect(rejection).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/^Input for echo is not valid JSON: /),
    });
  });

  it("rejects input that fails the schema with the offending field path", async () => {
    fn({ name: "add", input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
    await expect(executeComponent("add", '{"a": 1, "b": "2"}')).rejects.toMatchObject({
      code: "INVALID_INPUT",
      issues: [{ path: "b" }],
    });
  });

  it("rejects an unknown component with ComponentNotFoundError naming the registered ones", async () => {
    fn("greet", (name: string) => name);
    const rejection = executeComponent("nope", "{}");
    await expect(rejection).rejects.toBeInstanceOf(ComponentNotFoundError);
    await expect(rejection).rejects.toThrow('No component named "nope" (registered: greet)');
  });

  it("collects a streaming function's chunks into a JSON array", async () => {
    fn("count", async function* (n: number) {
      for (let i = 1; i <= n; i++) yield { i };
    });
    expect(text(await executeComponent("count", "3"))).toBe('[{"i":1},{"i":2},{"i":3}]');
  });

  it("propagates the handler's error", async () => {
    const error = new RetryableError("rate limited", { retryAfterMs: 250 });
    fn("limited", () => {
      throw error;
    });
    await expect(executeComponent("limited", "null")).rejects.toBe(error);
  });

  it("propagates an error thrown midway through a stream", async () => {
    fn("broken_stream", async function* () {
      yield 1;
      throw new TerminalError("stream broke");
    });
    await expect(executeComponent("broken_stream", "")).rejects.toThrow("stream broke");
  });

  it("builds a context from a partial init, named after the component", async () => {
    fn("ctx_info", (_: unknown, ctx: FunctionContext) => ({
      invocationId: ctx.invocationId,
      runId: ctx.runId,
      attempt: ctx.attempt,
      componentName: ctx.componentName,
      componentType: ctx.componentType,
      service: ctx.metadata.service_name,
    }));
    const result = await executeComponent("ctx_info", "", {
      invocationId: "test-123",
      attempt: 2,
      metadata: { service_name: "svc" },
    });
    expect(JSON.parse(text(result))).toEqual({
      invocationId: "test-123",
      runId: "test-123",
      attempt: 2,
      componentName: "ctx_info",
      componentType: "function",
      service: "svc",
    });
  });

  it("builds a fresh local context when given none", async () => {
    fn("whoami", (_: unknown, ctx: FunctionContext) => [ctx.invocationId, ctx.componentName]);
    const [invocationId, componentName] = JSON.parse(text(await executeComponent("whoami", "")));
    expect(invocationId).toMatch(/^local-/);
    expect(componentName).toBe("whoami");
  });

  it("passes a complete execution context's facts through unchanged", async () => {
    const ctx = createExecutionContext({ invocationId: "inv-1", componentName: "set-by-runtime" });
    let seen: FunctionContext | undefined;
    fn("capture", (_: unknown, c: FunctionContext) => {
      seen = c;
    });
    await executeComponent("capture", "", ctx);
    expect(seen).toMatchObject({ invocationId: "inv-1", componentName: "set-by-runtime", abortSignal: ctx.signal });
  });

  it("passes a durable context through as is", async () => {
    const ctx = createLocalDurableContext({ invocationId: "inv-2" });
    let seen: FunctionContext | undefined;
    fn("capture", (_: unknown, c: FunctionContext) => {
      seen = c;
    });
    await executeComponent("capture", "", ctx);
    expect(seen).toBe(ctx);
  });

  it("runs a registered workflow with the context first", async () => {
    workflow("wf", async (ctx, n: number) => {
      const doubled = await ctx.step("double", () => n * 2);
      return { doubled, type: ctx.componentType };
    });
    expect(JSON.parse(text(await executeComponent("wf", "21")))).toEqual({ doubled: 42, type: "workflow" });
  });
});

describe("executeComponent on a given registry", () => {
  it("looks the component up only in that registry", async () => {
    clearRegistry();
    const registry = new Registry();
    fn({ name: "local_only", registry }, () => "here");
    expect(text(await executeComponent("local_only", "", undefined, registry))).toBe('"here"');
    await expect(executeComponent("local_only", "")).rejects.toBeInstanceOf(ComponentNotFoundError);
  });
});
