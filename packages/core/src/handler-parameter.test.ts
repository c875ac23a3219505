import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createExecutionContext } from "./context.js";
import { executeComponent } from "./execute.js";
import { fn } from "./function.js";
import { handlerParameter } from "./handler-parameter.js";
import { Registry } from "./registry.js";
import { workflow } from "./workflow.js";

const text = (output: Uint8Array) => JSON.parse(new TextDecoder().decode(output)) as unknown;

describe("a handler without an input schema, called with JSON (executeComponent, as the worker does)", () => {
  let registry: Registry;
  const run = async (name: string, input: string) => text(await executeComponent(name, input, undefined, registry));
  const refusal = (name: string, input: string) =>
    executeComponent(name, input, undefined, registry).then(
      () => expect.unreachable(`${name} accepted ${input}`),
      (error: unknown) => error as { code: string; message: string },
    );
  beforeEach(() => {
    registry = new Registry();
  });

  it("binds the seed's JSON object { name: Alice } to the parameter it names", async () => {
    fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
    expect(await run("greet", '{"name":"Alice"}')).toBe("Hello, Alice!");
    expect(await run("greet", '"Alice"')).toBe("Hello, Alice!");
  });

  it("refuses an object that names the parameter next to other keys, naming the handler and the parameter", async () => {
    fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
    const error = await refusal("greet", '{"name":"Alice","greeting":"Hi"}');
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain('Invalid input for greet: it takes one parameter, "name"');
    expect(error.message).toContain('the input has "name", "greeting"');
  });

  it("passes any other object as it is, to a handler that takes an object", async () => {
    fn({ name: "describe", registry }, (person: { name: string; age: number }) => `${person.name} (${person.age})`);
    expect(await run("describe", '{"name":"Alice","age":30}')).toBe("Alice (30)");
  });

  it("refuses what a destructured object parameter cannot take, naming its fields", async () => {
    fn({ name: "add", registry }, ({ a, b }: { a: number; b: number }) => a + b);
    expect(await run("add", '{"a":5,"b":3}')).toBe(8);
    const error = await refusal("add", "5");
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toBe('Invalid input for add: it takes an object with "a", "b", got a number');
    expect((await refusal("add", "[5, 3]")).message).toContain("got an array");
  });

  it("refuses a non-array for a destructured array parameter", async () => {
    fn({ name: "first", registry }, ([head]: string[]) => head);
    expect(await run("first", '["x","y"]')).toBe("x");
    expect((await refusal("first", '{"head":"x"}')).message).toBe(
      "Invalid input for first: it takes an array, got an object",
    );
  });

  it("binds a workflow's input parameter (after ctx) the same way", async () => {
    workflow({ name: "welcome", registry }, async (_ctx, name: string) => `Welcome, ${name}`);
    expect(await run("welcome", '{"name":"Bob"}')).toBe("Welcome, Bob");
  });

  it("does the same through the definition's invoke, the worker's entry point", async () => {
    const greet = fn({ name: "greet", registry }, (name: string) => `Hello, ${name}!`);
    const ctx = createExecutionContext({ componentName: "greet" });
    await expect(greet.invoke({ name: "Alice" }, ctx)).resolves.toBe("Hello, Alice!");
    expect(() => greet.invoke({ name: "Alice", extra: 1 }, ctx)).toThrow('it takes one parameter, "name"');
  });

  it("names the parameters in the metadata", () => {
    expect(fn({ name: "greet", registry }, (name: string) => name).metadata.parameters).toEqual([
      { name: "name", type: "any", required: true },
    ]);
    expect(fn({ name: "add", registry }, ({ a, b }: { a: number; b: number }) => a + b).metadata.parameters).toEqual([
      { name: "a", type: "any", required: false },
      { name: "b", type: "any", required: false },
    ]);
  });

  it("leaves zod-typed handlers to their schema", async () => {
    fn({ name: "greet_user", registry, input: z.object({ name: z.string() }) }, ({ name }) => `Hello, ${name}!`);
    expect(await run("greet_user", '{"name":"Alice"}')).toBe("Hello, Alice!");
    fn({ name: "shout", registry, input: z.string() }, (name) => name.toUpperCase());
    const error = await refusal("shout", '{"name":"Alice"}');
    expect(error.code).toBe("INVALID_INPUT");
  });
});

describe("handlerParameter", () => {
  it("reads the input parameter of every function form", () => {
    const cases: Array<[(...args: never[]) => unknown, unknown]> = [
      [(name: string) => name, { kind: "named", name: "name", hasDefault: false }],
      [async (name: string) => name, { kind: "named", name: "name", hasDefault: false }],
      [
        function named(order: unknown, _ctx: unknown) {
          return order;
        },
        { kind: "named", name: "order", hasDefault: false },
      ],
      [
        async function* (from: number) {
          yield from;
        },
        { kind: "named", name: "from", hasDefault: false },
      ],
      [(limit = Math.max(1, 2), _ctx?: unknown) => limit, { kind: "named", name: "limit", hasDefault: true }],
      [
        ({ a, b: renamed = 2, ...rest }: Record<string, number>) => [a, renamed, rest],
        {
          kind: "object",
          names: ["a", "b"],
          hasDefault: false,
        },
      ],
      [({ a }: { a?: number } = {}) => a, { kind: "object", names: ["a"], hasDefault: true }],
      [([x]: number[]) => x, { kind: "array", hasDefault: false }],
      [() => 1, { kind: "unknown" }],
      [(...args: unknown[]) => args, { kind: "unknown" }],
      [Math.max, { kind: "unknown" }],
    ];
    for (const [handler, expected] of cases) expect(handlerParameter(handler)).toEqual(expected);
    expect(handlerParameter(async (_ctx: unknown, input: unknown) => input, 1)).toEqual({
      kind: "named",
      name: "input",
      hasDefault: false,
    });
  });
});
