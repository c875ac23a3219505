import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InputValidationError } from "./errors.js";
import { parametersFromSchema, parseWithSchema, toJsonSchema, typeName } from "./schema.js";

describe("toJsonSchema", () => {
  it("describes what a caller may send, so fields with defaults are not required", () => {
    const schema = toJsonSchema(z.object({ name: z.string(), age: z.number().default(25) }));
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(["name"]);
    expect(schema.properties).toMatchObject({ name: { type: "string" }, age: { type: "number", default: 25 } });
  });

  it("describes the input side of a transforming schema", () => {
    expect(toJsonSchema(z.string().transform((s) => s.length)).type).toBe("string");
  });

  it("does not throw on types JSON Schema cannot represent", () => {
    expect(() => toJsonSchema(z.object({ when: z.date() }))).not.toThrow();
  });
});

describe("parametersFromSchema", () => {
  it("derives required and default parameters from a zod object schema", () => {
    const schema = toJsonSchema(z.object({ name: z.string(), age: z.number().int().default(25) }));
    expect(parametersFromSchema(schema)).toEqual([
      { name: "name", type: "string", required: true },
      { name: "age", type: "integer", required: false, default: 25 },
    ]);
  });

  it("treats a field with a default as optional even when the schema lists it as required", () => {
    const schema = { type: "object", properties: { mode: { type: "string", default: "fast" } }, required: ["mode"] };
    expect(parametersFromSchema(schema)).toEqual([{ name: "mode", type: "string", required: false, default: "fast" }]);
  });

  it("marks optional fields as not required and carries field descriptions", () => {
    const schema = toJsonSchema(
      z.object({
        query: z.string().describe("search terms"),
        limit: z.number().optional(),
        tag: z.string().nullable(),
      }),
    );
    expect(parametersFromSchema(schema)).toEqual([
      { name: "query", type: "string", required: true, description: "search terms" },
      { name: "limit", type: "number", required: false },
      { name: "tag", type: "string | null", required: true },
    ]);
  });

  it("describes a non-object schema as a single required input parameter", () => {
    expect(parametersFromSchema(toJsonSchema(z.array(z.string())))).toEqual([
      { name: "input", type: "array", required: true },
    ]);
  });

  it("describes a function without an input schema as one optional untyped input", () => {
    expect(parametersFromSchema(undefined)).toEqual([{ name: "input", type: "any", required: false }]);
  });
});

describe("typeName", () => {
  it("names plain, union, enum and literal schemas", () => {
    expect(typeName({ type: "string" })).toBe("string");
    expect(typeName({ type: ["string", "null"] })).toBe("string | null");
    expect(typeName({ anyOf: [{ type: "number" }, { type: "boolean" }] })).toBe("number | boolean");
    expect(typeName({ enum: ["a", "b"] })).toBe("enum");
    expect(typeName({ const: "on" })).toBe('"on"');
  });

  it('falls back to "any" for missing or typeless schemas', () => {
    expect(typeName(undefined)).toBe("any");
    expect(typeName({})).toBe("any");
  });
});

describe("parseWithSchema", () => {
  it("returns the parsed value, with defaults and transforms applied", () => {
    const schema = z.object({
      a: z.number(),
      b: z.number().default(1),
      s: z.string().transform((v) => v.toUpperCase()),
    });
    expect(parseWithSchema(schema, { a: 2, s: "x" }, "calc")).toEqual({ a: 2, b: 1, s: "X" });
  });

  it("reports every failing field by its dotted path", () => {
    const schema = z.object({ user: z.object({ name: z.string() }), items: z.array(z.object({ price: z.number() })) });
    let caught: unknown;
    try {
      parseWithSchema(schema, { user: {}, items: [{ price: 1 }, { price: "free" }] }, "order");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputValidationError);
    const error = caught as InputValidationError;
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.issues.map((issue) => issue.path)).toEqual(["user.name", "items.1.price"]);
    expect(error.message).toMatch(/^Invalid input for order: user\.name: .+; items\.1\.price: .+/);
    expect(error.details).toEqual({ issues: error.issues });
  });

  it('reports a problem with the value itself under the empty path ""', () => {
    expect(() => parseWithSchema(z.string(), 42, "echo")).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: "" })] }),
    );
  });

  it("uses the INVALID_OUTPUT code when validating a result", () => {
    expect(() => parseWithSchema(z.number(), "nope", "calc", "INVALID_OUTPUT")).toThrow(
      expect.objectContaining({ code: "INVALID_OUTPUT", message: expect.stringMatching(/^Invalid output for calc: /) }),
    );
  });
});
