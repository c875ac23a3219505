import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createExecutionContext, type FunctionContext } from "./context.js";
import { isDurableContext } from "./durable-context.js";
import { DefinitionError, InputValidationError, RetryableError, TerminalError } from "./errors.js";
import { fn, isAsyncIterable } from "./function.js";
import { createLocalDurableContext } from "./local-durable-context.js";
import { clearRegistry, getRegisteredFunctions, Registry } from "./registry.js";
import { defaultRetryPolicy } from "./retry-policy.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const chunks: T[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

// Every definition goes to a fresh registry so tests cannot see each other's functions.
let registry: Registry;
beforeEach(() => {
  registry = new Registry();
});

describe("fn() definition forms", () => {
  it("registers a handler-only definition in the default registry under the handler's name", async () => {
    clearRegistry();
    function greetUser(name: string) {
      return `Hello, ${name}!`;
    }
    const greet = fn(greetUser);
    expect(greet.name).toBe("greetUser");
    expect(greet.kind).toBe("function");
    expect(getRegisteredFunctions()).toEqual({ greetUser: greet });
    await expect(greet("Alice")).resolves.toBe("Hello, Alice!");
    clearRegistry();
  });

  it("takes the name of a const-assigned arrow handler", () => {
    const processData = (data: string) => data;
    expect(fn({ registry }, processData).name).toBe("processData");
    expect(registry.get("processData")).toBeDefined();
  });

  it("overrides the handler's name with the name option", async () => {
    function addNumbers({ a, b }: { a: number; b: number }) {
      return a + b;
    }
    const add = fn({ name: "math.add", registry }, addNumbers);
    expect(add.name).toBe("math.add");
    expect(registry.get("math.add")).toBe(add);
    expect(registry.get("addNumbers")).toBeUndefined();
    await expect(add({ a: 2, b: 3 })).resolves.toBe(5);
  });

  it("accepts a name and handler as two arguments, registering globally", async () => {
    clearRegistry();
    const greet = fn("greet", (name: string) => `Hello, ${name}!`);
    expect(greet.name).toBe("greet");
    expect(getRegisteredFunctions()).toEqual({ greet });
    await expect(greet("Bob")).resolves.toBe("Hello, Bob!");
    clearRegistry();
  });

  it("rejects an anonymous handler without a name", () => {
    expect(() => fn({ registry }, (x: unknown) => x)).toThrow(DefinitionError);
    expect(() => fn({ registry }, (x: unknown) => x)).toThrow(/needs a name/);
  });

  it("rejects a missing handler", () => {
    expect(() => (fn as (name: string) => unknown)("lonely")).toThrow("fn() needs a handler function");
  });

  it.each(["math.add", "snake_case", "kebab-case", "_private", "v2"])("accepts the name %j", (name) => {
    expect(fn({ name, registry }, () => 1).name).toBe(name);
  });

  it.each(["2fast", "has space", "slash/name", "emoji🙂", ".dot"])("rejects the name %j", (name) => {
    expect(() => fn({ name, registry }, () => 1)).toThrow(`Invalid function name "${name}"`);
  });

  it("rejects an invalid retry policy at definition time", () => {
    expect(() => fn({ name: "bad", registry, retry: { maxAttempts: 0 } }, () => 1)).toThrow(DefinitionError);
  });

  it("resolves its retry policy against the defaults", () => {
    expect(fn({ name: "plain", registry }, () => 1).retryPolicy).toEqual(defaultRetryPolicy);
    expect(fn({ name: "patient", registry, retry: { maxAttempts: 10 } }, () => 1).retryPolicy).toEqual({
      ...defaultRetryPolicy,
      maxAttempts: 10,
    });
  });

  it("carries its description", () => {
    expect(fn({ name: "d", description: "Does things", registry }, () => 1).description).toBe("Does things");
    expect(fn({ name: "n", registry }, () => 1).description).toBeUndefined();
  });
});

describe("calling a defined function", () => {
  it("runs a sync handler and resolves with its result", async () => {
    const upper = fn({ name: "upper", registry }, (s: string) => s.toUpperCase());
    const result = upper("abc");
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe("ABC");
  });

  it("runs an async handler and resolves with its awaited result", async () => {
    const slow = fn({ name: "slow", registry }, async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return n * 10;
    });
    await expect(slow(4)).resolves.toBe(40);
  });

  it("turns a sync throw into a rejected promise", async () => {
    const failing = fn({ name: "failing", registry }, (): number => {
      throw new TerminalError("card declined");
    });
    let result: Promise<number> | undefined;
    expect(() => {
      result = failing();
    }).not.toThrow();
    await expect(result).rejects.toThrow(TerminalError);
  });

  it("passes a handler's async rejection through unchanged", async () => {
    const error = new RetryableError("rate limited", { retryAfterMs: 100 });
    const flaky = fn({ name: "flaky", registry }, async () => {
      throw error;
    });
    await expect(flaky()).rejects.toBe(error);
  });

  it("gives the handler a fresh context named after the function when called without one", async () => {
    const seen: FunctionContext[] = [];
    const whoAmI = fn({ name: "who_am_i", registry }, (_input: unknown, ctx: FunctionContext) => {
      seen.push(ctx);
      return ctx.invocationId;
    });
    const first = await whoAmI();
    const second = await whoAmI();
    expect(first).toMatch(/^local-/);
    expect(second).not.toBe(first);
    expect(seen[0]).toMatchObject({ componentName: "who_am_i", componentType: "function", attempt: 1, runId: first });
  });

  it("builds the context from a partial init", async () => {
    const contextAware = fn({ name: "context_aware", registry }, (data: { test: string }, ctx: FunctionContext) => ({
      invocationId: ctx.invocationId,
      serviceName: ctx.metadata.service_name,
      componentName: ctx.componentName,
      processed: data,
    }));
    await expect(
      contextAware({ test: "data" }, { invocationId: "test-123", metadata: { service_name: "test-service" } }),
    ).resolves.toEqual({
      invocationId: "test-123",
      serviceName: "test-service",
      componentName: "context_aware",
      processed: { test: "data" },
    });
  });

  it("gives the handler a plain execution context's facts, with local durable operations", async () => {
    const controller = new AbortController();
    const ctx = createExecutionContext({
      invocationId: "inv-7",
      componentName: "runtime-set",
      signal: controller.signal,
    });
    let seen: FunctionContext | undefined;
    const f = fn({ name: "f", registry }, (_: unknown, c: FunctionContext) => {
      seen = c;
    });
    await f(undefined, ctx);
    expect(seen).toMatchObject({ invocationId: "inv-7", runId: "inv-7", componentName: "runtime-set", attempt: 1 });
    expect(seen?.logger).toBe(ctx.logger);
    expect(seen?.abortSignal).toBe(controller.signal);
    expect(isDurableContext(seen)).toBe(true);
  });

  it("passes a durable context through as is", async () => {
    const ctx = createLocalDurableContext({ invocationId: "inv-8" });
    let seen: FunctionContext | undefined;
    const f = fn({ name: "f", registry }, (_: unknown, c: FunctionContext) => {
      seen = c;
    });
    await f.invoke(undefined, ctx);
    expect(seen).toBe(ctx);
  });

  it("calls a handler that ignores the context with the input only as its first argument", async () => {
    const args: unknown[][] = [];
    const spy = fn({ name: "spy", registry }, (...received: unknown[]) => {
      args.push(received);
      return received.length;
    });
    await spy("x");
    expect(args[0]?.[0]).toBe("x");
    expect(args[0]?.[1]).toMatchObject({ componentName: "spy" });
  });
});

describe("input and output schemas", () => {
  const addSchema = z.object({ a: z.number(), b: z.number().default(1) });

  it("validates the input and applies defaults before the handler sees it", async () => {
    const received: unknown[] = [];
    const add = fn({ name: "math_add", input: addSchema, registry }, (input) => {
      received.push(input);
      return input.a + input.b;
    });
    await expect(add({ a: 41 })).resolves.toBe(42);
    expect(received).toEqual([{ a: 41, b: 1 }]);
  });

  it("rejects invalid input with field paths, without running the handler", async () => {
    let ran = false;
    const add = fn({ name: "math_add", input: addSchema, registry }, ({ a, b }) => {
      ran = true;
      return a + b;
    });
    const rejection = add({ a: "one", b: 2 } as never);
    await expect(rejection).rejects.toBeInstanceOf(InputValidationError);
    await expect(rejection).rejects.toMatchObject({
      code: "INVALID_INPUT",
      issues: [{ path: "a", message: expect.any(String) }],
    });
    expect(ran).toBe(false);
  });

  it("validates the result against the output schema", async () => {
    const good = fn({ name: "good", output: z.object({ id: z.string() }), registry }, () => ({
      id: "u1",
      extra: true,
    }));
    await expect(good()).resolves.toEqual({ id: "u1" });

    const bad = fn({ name: "bad", output: z.object({ id: z.string() }), registry }, () => ({ id: 7 }));
    await expect(bad()).rejects.toMatchObject({
      name: "InputValidationError",
      code: "INVALID_OUTPUT",
      issues: [{ path: "id" }],
    });
  });

  it("validates the awaited result of an async handler", async () => {
    const bad = fn({ name: "bad_async", output: z.number(), registry }, async () => "seven");
    await expect(bad()).rejects.toMatchObject({ code: "INVALID_OUTPUT" });
  });
});

describe("streaming functions", () => {
  it("streams the chunks of an async generator handler", async () => {
    const streamData = fn({ name: "stream_data", registry }, async function* (count: number) {
      for (let i = 0; i < count; i++) yield { chunk: i };
    });
    expect(streamData.streaming).toBe(true);
    const result = streamData(3);
    expect(isAsyncIterable(result)).toBe(true);
    expect(await collect(result)).toEqual([{ chunk: 0 }, { chunk: 1 }, { chunk: 2 }]);
  });

  it("gives the streaming handler the context", async () => {
    const withCtx = fn({ name: "stream_ctx", registry }, async function* (query: string, ctx: FunctionContext) {
      yield `${ctx.invocationId}:${query}`;
    });
    expect(await collect(withCtx("q", { invocationId: "search-1" }))).toEqual(["search-1:q"]);
  });

  it("does not stream a plain async handler", async () => {
    const plain = fn({ name: "plain", registry }, async () => [1, 2]);
    expect(plain.streaming).toBe(false);
    await expect(plain()).resolves.toEqual([1, 2]);
  });

  it("streams a plain handler returning an async iterable when forced", async () => {
    async function* numbers() {
      yield 1;
      yield 2;
    }
    const forced = fn({ name: "forced", streaming: true, registry }, () => numbers());
    expect(forced.streaming).toBe(true);
    expect(await collect(forced())).toEqual([1, 2]);
  });

  it("fails when a forced-streaming handler returns something that is not async iterable", async () => {
    const wrong = fn({ name: "wrong", streaming: true, registry }, () => [1, 2]);
    await expect(collect(wrong() as unknown as AsyncIterable<number>)).rejects.toThrow(
      "Streaming function wrong must return an async iterable (use an async generator)",
    );
  });

  it("validates each chunk against the output schema", async () => {
    const chunks = fn({ name: "chunks", output: z.number(), registry }, async function* () {
      yield 1;
      yield "two";
    });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const chunk of chunks()) seen.push(chunk);
      })(),
    ).rejects.toMatchObject({ code: "INVALID_OUTPUT" });
    expect(seen).toEqual([1]);
  });

  it("validates the input of a streaming function", async () => {
    const echo = fn({ name: "echo", input: z.object({ text: z.string() }), registry }, async function* ({ text }) {
      yield text;
    });
    await expect((async () => collect(echo({ text: 1 } as never)))()).rejects.toBeInstanceOf(InputValidationError);
    expect(await collect(echo({ text: "hi" }))).toEqual(["hi"]);
  });
});

describe("function metadata", () => {
  it("derives parameters and return type from the schemas", () => {
    const sample = fn(
      {
        name: "sample_function",
        description: "A sample",
        input: z.object({ name: z.string(), age: z.number().int().default(25) }),
        output: z.object({ name: z.string(), age: z.number() }),
        registry,
      },
      ({ name, age }) => ({ name, age }),
    );
    expect(sample.metadata).toEqual({
      name: "sample_function",
      type: "function",
      description: "A sample",
      parameters: [
        { name: "name", type: "string", required: true },
        { name: "age", type: "integer", required: false, default: 25 },
      ],
      returnType: "object",
      streaming: false,
      inputSchema: sample.inputSchema,
      outputSchema: sample.outputSchema,
    });
    expect(sample.inputSchema).toMatchObject({ type: "object", required: ["name"] });
    expect(sample.outputSchema).toMatchObject({ type: "object", required: ["name", "age"] });
  });

  it("describes a function without schemas as taking any input and returning any", () => {
    const greet = fn({ name: "greet", registry }, (name: string) => name);
    expect(greet.metadata).toEqual({
      name: "greet",
      type: "function",
      // The handler's own parameter name (handler-parameter.test.ts).
      parameters: [{ name: "name", type: "any", required: true }],
      returnType: "any",
      streaming: false,
    });
    expect(greet.inputSchema).toBeUndefined();
    expect(greet.outputSchema).toBeUndefined();
  });

  it("marks streaming functions and wraps their chunk type", () => {
    const stream = fn({ name: "stream", output: z.string(), registry }, async function* () {
      yield "a";
    });
    expect(stream.metadata.streaming).toBe(true);
    expect(stream.metadata.returnType).toBe("AsyncIterable<string>");
  });
});
