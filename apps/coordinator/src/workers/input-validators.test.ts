// The coordinator's input check against the JSON Schema a component registers must never refuse an
// input the worker's zod schema accepts, and must refuse the plainly wrong ones with zod's shape.
import { toInputJsonSchema } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ComponentInfo } from "./component-info.js";
import { compileInputValidators, type ServiceInputValidators } from "./input-validators.js";

function component(name: string, inputSchema: unknown): ComponentInfo {
  return {
    kind: "function",
    name,
    streaming: false,
    description: "",
    inputSchema,
    outputSchema: undefined,
    metadata: {},
    retryPolicy: { maxAttempts: 3, initialIntervalMs: 100, maxIntervalMs: 10_000, backoffMultiplier: 2 },
  };
}

/** The validator the coordinator compiles for `schema`, as a worker of the SDK registers it. */
function coordinatorCheck(schema: z.ZodType) {
  const validators = compileInputValidators([component("f", toInputJsonSchema(schema))], undefined, (_, error) => {
    throw error;
  });
  const validate = validators.get("f")?.validate;
  if (!validate) throw new Error("no validator compiled");
  return validate;
}

describe("coordinator input validation against zod", () => {
  // Each schema with inputs zod accepts; the JSON Schema alone would refuse most of them.
  const accepted: Array<[string, z.ZodType, unknown[]]> = [
    ["coerced number", z.coerce.number(), ["5", 5, true]],
    ["preprocessed field", z.object({ n: z.preprocess((value) => Number(value), z.number()) }), [{ n: "7" }]],
    ["caught field, even missing", z.object({ s: z.string().catch("x") }), [{ s: 1 }, {}]],
    ["trimmed before max", z.string().trim().max(3), [" abc "]],
    [
      "lower-cased before the pattern",
      z
        .string()
        .toLowerCase()
        .regex(/^[a-z]+$/),
      ["ABC"],
    ],
    ["case-insensitive regex", z.string().regex(/^abc$/i), ["ABC"]],
    ["regex that is invalid with the u flag", z.string().regex(/^[\w-.]+$/), ["a-b.c"]],
    ["length in code points, as zod counts", z.string().max(2), ["😀😀"]],
    ["decimal multipleOf", z.number().multipleOf(0.1), [0.3, 1.1]],
    ["emoji", z.emoji(), ["😀"]],
    [
      "email and datetime",
      z.object({ e: z.email(), at: z.iso.datetime() }),
      [{ e: "a@b.co", at: "2026-01-01T00:00:00Z" }],
    ],
    ["defaults make fields optional", z.object({ n: z.number().default(1) }), [{}]],
    ["unknown keys are stripped, not refused", z.object({ a: z.number() }), [{ a: 1, extra: true }]],
    [
      "recursive",
      z.object({
        name: z.string(),
        get children() {
          return z.array(z.lazy(() => z.object({ name: z.string() })));
        },
      }),
      [{ name: "root", children: [{ name: "leaf" }] }],
    ],
  ];

  it.each(accepted)("never refuses what zod accepts: %s", (_, schema, inputs) => {
    const validate = coordinatorCheck(schema);
    for (const input of inputs) {
      expect(schema.safeParse(input).success).toBe(true);
      expect(validate(input)).toBeUndefined();
    }
  });

  it("refuses a wrong field with its dotted path, in the worker's InputValidationError shape", () => {
    const validate = coordinatorCheck(z.object({ items: z.array(z.object({ price: z.number().positive() })) }));

    const invalid = validate({ items: [{ price: 3 }, { price: -1 }] });

    expect(invalid?.code).toBe("INVALID_INPUT");
    expect(invalid?.message).toMatch(/^Invalid input for f: items\.1\.price: /);
    expect(invalid?.details).toEqual({ issues: [{ path: "items.1.price", message: expect.any(String) }] });
  });

  it("names every missing or mistyped field at once", () => {
    const validate = coordinatorCheck(z.object({ a: z.number(), b: z.number(), c: z.string() }));

    expect(validate({ a: "x", c: "ok" })?.details).toEqual({
      issues: [
        { path: "b", message: "Required" },
        { path: "a", message: "Invalid input: must be number" },
      ],
    });
  });

  it("reports a union that matches no branch once, at the union's path", () => {
    const validate = coordinatorCheck(
      z.object({
        shape: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("circle"), r: z.number() }),
          z.object({ kind: z.literal("square"), side: z.number() }),
        ]),
      }),
    );

    expect(validate({ shape: { kind: "circle", r: "big" } })?.details).toEqual({
      issues: [{ path: "shape", message: expect.any(String) }],
    });
    expect(validate({ shape: { kind: "square", side: 2 } })).toBeUndefined();
  });

  it("validates entity methods by <type>.<method>", () => {
    const cart: ComponentInfo = {
      ...component("Cart", undefined),
      kind: "entity",
      methods: [
        {
          name: "add",
          write: true,
          inputSchema: toInputJsonSchema(z.object({ qty: z.int() })),
          outputSchema: undefined,
        },
        { name: "total", write: false, inputSchema: undefined, outputSchema: undefined },
      ],
    };
    const validators = compileInputValidators([cart], undefined, () => {});

    expect([...validators.keys()]).toEqual(["Cart.add"]);
    expect(validators.get("Cart.add")?.validate({ qty: 1.5 })?.message).toContain("Cart.add");
  });

  it("a schema ajv cannot compile is reported and left to the worker, without failing the others", () => {
    const failures: string[] = [];
    const validators = compileInputValidators(
      [component("broken", { type: "no-such-type" }), component("fine", { type: "number" })],
      undefined,
      (name, error) => failures.push(`${name}: ${error.message}`),
    );

    expect(failures).toEqual([expect.stringContaining("broken: ")]);
    expect([...validators.keys()]).toEqual(["fine"]);
  });

  it("a registration with an unchanged schema reuses the compiled validator; a changed one is compiled anew", () => {
    const first = compileInputValidators([component("f", { type: "number" })], undefined, () => {});
    const same = compileInputValidators([component("f", { type: "number" })], first, () => {});
    const changed: ServiceInputValidators = compileInputValidators(
      [component("f", { type: "string" })],
      same,
      () => {},
    );

    expect(same.get("f")).toBe(first.get("f"));
    expect(changed.get("f")).not.toBe(first.get("f"));
    expect(changed.get("f")?.validate("text")).toBeUndefined();
  });
});
