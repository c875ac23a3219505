import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LENIENT_INPUT_KEYWORD, toInputJsonSchema } from "./input-schema.js";
import { toJsonSchema } from "./schema.js";

const lenient = { [LENIENT_INPUT_KEYWORD]: true };

describe("toInputJsonSchema", () => {
  it("marks the nodes where zod accepts more than the JSON Schema says", () => {
    const schema = toInputJsonSchema(
      z.object({
        coerced: z.coerce.number(),
        preprocessed: z.preprocess((value) => Number(value), z.number()),
        caught: z.string().catch("fallback"),
        trimmed: z.string().trim().max(3),
        caseless: z.string().regex(/^abc$/i),
      }),
    );
    const properties = schema.properties as Record<string, Record<string, unknown>>;

    expect(properties.coerced).toMatchObject(lenient);
    expect(properties.preprocessed).toMatchObject(lenient);
    expect(properties.caught).toMatchObject(lenient);
    expect(properties.trimmed).toMatchObject(lenient);
    expect(properties.caseless).toMatchObject(lenient);
  });

  it("leaves faithful nodes unmarked", () => {
    const schema = toInputJsonSchema(
      z.object({
        a: z.number(),
        b: z
          .string()
          .min(2)
          .regex(/^[a-z]+$/),
        c: z.email(),
        d: z.array(z.int()),
      }),
    );

    expect(JSON.stringify(schema)).not.toContain(LENIENT_INPUT_KEYWORD);
  });

  it("toJsonSchema (used for LLM tools and structured output) carries no marker", () => {
    expect(JSON.stringify(toJsonSchema(z.object({ n: z.coerce.number() })))).not.toContain(LENIENT_INPUT_KEYWORD);
  });
});
