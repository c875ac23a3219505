import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { ExecutionContext, ExecutionContextInit, FunctionContext } from "./context.js";
import { type FunctionDefinition, fn } from "./function.js";

const registry = false as const;

describe("fn(name, handler)", () => {
  it("is callable with the handler's input and resolves to its result", () => {
    const greet = fn("greet", (name: string) => `Hello, ${name}!`);
    expectTypeOf(greet).toEqualTypeOf<FunctionDefinition<string, string, false>>();
    expectTypeOf(greet).toBeCallableWith("Alice");
    expectTypeOf(greet).toBeCallableWith("Alice", { invocationId: "inv-1" });
    expectTypeOf(greet).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(greet).returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf(greet.streaming).toEqualTypeOf<false>();
    // @ts-expect-error a number is not a name
    greet(42);
  });

  it("unwraps an async handler's promise", () => {
    const load = fn("load", async (id: number) => ({ id, name: "x" }));
    expectTypeOf(load).returns.toEqualTypeOf<Promise<{ id: number; name: string }>>();
  });

  it("types the context parameter as FunctionContext without annotation", () => {
    fn("ctx_only", (_input: string, ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<FunctionContext>();
      expectTypeOf(ctx.invocationId).toBeString();
      return ctx.attempt;
    });
  });

  it("accepts a full execution context or a partial init as the second argument", () => {
    const greet = fn("greet", (name: string) => name);
    expectTypeOf(greet).parameter(1).toEqualTypeOf<ExecutionContext | ExecutionContextInit | undefined>();
  });
});

describe("fn(handler)", () => {
  it("infers input and output from the handler alone", () => {
    function upper(s: string) {
      return s.toUpperCase();
    }
    expectTypeOf(fn(upper)).toEqualTypeOf<FunctionDefinition<string, string, false>>();
  });
});

describe("fn(options, handler) with a zod input schema", () => {
  const input = z.object({ a: z.number(), b: z.number().default(1) });

  it("infers the handler's parameter from the schema output without annotation", () => {
    fn({ name: "add", input, registry }, (args, ctx) => {
      expectTypeOf(args).toEqualTypeOf<{ a: number; b: number }>();
      expectTypeOf(ctx).toEqualTypeOf<FunctionContext>();
      return args.a + args.b;
    });
  });

  it("takes the schema's input type, where defaulted fields are optional", () => {
    const add = fn({ name: "add", input, registry }, ({ a, b }) => a + b);
    expectTypeOf(add).toEqualTypeOf<FunctionDefinition<{ a: number; b?: number }, number, false>>();
    expectTypeOf(add).toBeCallableWith({ a: 1 });
    expectTypeOf(add).toBeCallableWith({ a: 1, b: 2 });
    expectTypeOf(add).returns.toEqualTypeOf<Promise<number>>();
    // @ts-expect-error a is required
    add({ b: 2 });
  });

  it("takes the output type from an output schema", () => {
    const user = fn(
      {
        name: "user",
        input: z.object({ id: z.string() }),
        output: z.object({ id: z.string(), age: z.number() }),
        registry,
      },
      ({ id }) => ({ id, age: 3 }),
    );
    expectTypeOf(user).returns.toEqualTypeOf<Promise<{ id: string; age: number }>>();
  });

  it("transforms: the caller sends the schema input, the handler gets the schema output", () => {
    const len = fn({ name: "len", input: z.string().transform((s) => s.length), registry }, (n) => {
      expectTypeOf(n).toEqualTypeOf<number>();
      return n;
    });
    expectTypeOf(len).parameter(0).toEqualTypeOf<string>();
  });
});

describe("fn(options, handler) without an input schema", () => {
  it("infers the input from the handler and the output from an output schema", () => {
    const made = fn({ name: "made", output: z.object({ ok: z.boolean() }), registry }, (flag: boolean) => ({
      ok: flag,
    }));
    expectTypeOf(made).parameter(0).toEqualTypeOf<boolean>();
    expectTypeOf(made).returns.toEqualTypeOf<Promise<{ ok: boolean }>>();
  });

  it("types the context parameter as FunctionContext", () => {
    fn({ name: "c", registry }, (_input: string, ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<FunctionContext>();
    });
  });
});

describe("streaming", () => {
  type Chunk = { chunk: number; data: string };

  it("gives an async generator handler an AsyncIterable of its chunks", () => {
    const stream = fn("stream_data", async function* (count: number) {
      for (let i = 0; i < count; i++) yield { chunk: i, data: `chunk ${i}` } as Chunk;
    });
    expectTypeOf(stream).toEqualTypeOf<FunctionDefinition<number, Chunk, true>>();
    expectTypeOf(stream).returns.toEqualTypeOf<AsyncIterable<Chunk>>();
    expectTypeOf(stream.streaming).toEqualTypeOf<true>();
  });

  it("types the context of a streaming handler with a zod input", () => {
    const search = fn(
      { name: "search", input: z.object({ query: z.string() }), registry },
      async function* ({ query }, ctx) {
        expectTypeOf(query).toBeString();
        expectTypeOf(ctx).toEqualTypeOf<FunctionContext>();
        yield { id: ctx.invocationId, query };
      },
    );
    expectTypeOf(search).returns.toEqualTypeOf<AsyncIterable<{ id: string; query: string }>>();
  });
});

describe("handlers without input", () => {
  it("can be called without an argument", () => {
    const ping = fn("ping", () => "pong");
    expectTypeOf(ping).toBeCallableWith();
    expectTypeOf(ping).returns.toEqualTypeOf<Promise<string>>();
  });
});
