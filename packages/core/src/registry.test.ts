import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ComponentNotFoundError } from "./errors.js";
import { fn } from "./function.js";
import { registerFunction } from "./register-function.js";
import { clearRegistry, defaultRegistry, getFunctionMetadata, getRegisteredFunctions, Registry } from "./registry.js";

describe("the default registry", () => {
  beforeEach(() => clearRegistry());

  it("holds every function defined with fn(), by registered name", () => {
    const greet = fn("greet", (name: string) => `Hello, ${name}!`);
    const add = fn({ name: "math.add", input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
    const functions = getRegisteredFunctions();
    expect(Object.keys(functions).sort()).toEqual(["greet", "math.add"]);
    expect(functions.greet).toBe(greet);
    expect(functions["math.add"]).toBe(add);
  });

  it("is emptied by clearRegistry()", () => {
    fn("greet", (name: string) => name);
    expect(defaultRegistry.size).toBe(1);
    clearRegistry();
    expect(defaultRegistry.size).toBe(0);
    expect(getRegisteredFunctions()).toEqual({});
  });

  it("replaces an earlier definition of the same name", () => {
    fn("greet", () => "first");
    const second = fn("greet", () => "second");
    expect(defaultRegistry.size).toBe(1);
    expect(getRegisteredFunctions().greet).toBe(second);
  });

  it("leaves out functions defined with registry: false", () => {
    fn({ name: "hidden", registry: false }, () => 1);
    expect(getRegisteredFunctions()).toEqual({});
  });

  it("finds metadata by definition or by registered name", () => {
    const sample = fn(
      { name: "sample_function", input: z.object({ name: z.string(), age: z.number().int().default(25) }) },
      ({ name, age }) => ({ name, age }),
    );
    expect(getFunctionMetadata("sample_function")).toBe(sample.metadata);
    expect(getFunctionMetadata(sample)).toMatchObject({
      name: "sample_function",
      type: "function",
      parameters: [
        { name: "name", type: "string", required: true },
        { name: "age", type: "integer", required: false, default: 25 },
      ],
    });
  });

  it("throws ComponentNotFoundError for metadata of an unknown name", () => {
    fn("greet", () => "hi");
    expect(() => getFunctionMetadata("nope")).toThrow(ComponentNotFoundError);
    expect(() => getFunctionMetadata("nope")).toThrow('No component named "nope" (registered: greet)');
  });
});

describe("Registry", () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it("keeps functions out of the default registry when given its own", () => {
    clearRegistry();
    const greet = fn({ name: "greet", registry }, () => "hi");
    expect(registry.get("greet")).toBe(greet);
    expect(defaultRegistry.get("greet")).toBeUndefined();
    expect(getRegisteredFunctions(registry)).toEqual({ greet });
  });

  it("returns undefined from get and throws from require for unknown names", () => {
    expect(registry.get("missing")).toBeUndefined();
    expect(() => registry.require("missing")).toThrow('No component named "missing" (no components are registered)');
  });

  it("lists, counts and clears its components", () => {
    const a = fn({ name: "a", registry }, () => 1);
    const b = fn({ name: "b", registry }, () => 2);
    expect(registry.list()).toEqual([a, b]);
    expect(registry.size).toBe(2);
    expect(registry.require("b")).toBe(b);
    clearRegistry(registry);
    expect(registry.size).toBe(0);
    expect(registry.list()).toEqual([]);
  });

  it("looks metadata up in the registry it is given", () => {
    fn({ name: "local", registry }, () => 1);
    expect(getFunctionMetadata("local", registry).name).toBe("local");
    expect(() => getFunctionMetadata("local", new Registry())).toThrow(ComponentNotFoundError);
  });

  it("can register a definition made without a registry", () => {
    const detached = fn({ name: "detached", registry: false }, () => 1);
    registry.register(detached);
    expect(registry.get("detached")).toBe(detached);
  });
});

describe("registerFunction", () => {
  beforeEach(() => clearRegistry());

  it("registers a plain handler under the given name in the default registry", async () => {
    function myHandler(data: string) {
      return data.toLowerCase();
    }
    const definition = registerFunction("custom_handler", myHandler);
    expect(definition.name).toBe("custom_handler");
    expect(getRegisteredFunctions().custom_handler).toBe(definition);
    expect(getRegisteredFunctions().myHandler).toBeUndefined();
    await expect(definition("HELLO")).resolves.toBe("hello");
  });

  it("accepts options such as a description, a retry policy and a registry", async () => {
    const registry = new Registry();
    const definition = registerFunction("double", (n: number) => n * 2, {
      description: "Doubles n",
      retry: { maxAttempts: 7 },
      registry,
    });
    expect(registry.get("double")).toBe(definition);
    expect(defaultRegistry.get("double")).toBeUndefined();
    expect(definition.description).toBe("Doubles n");
    expect(definition.retryPolicy.maxAttempts).toBe(7);
    await expect(definition(2)).resolves.toBe(4);
  });
});
