import { z } from "zod";
import type { JsonSchema } from "./schema.js";

/**
 * Annotation on a node of a component's input schema where the zod schema accepts more than the
 * JSON Schema says: coercion (`z.coerce.number()` takes "5"), preprocessing, `.catch()`, string
 * overwrites (`.trim()`, `.toLowerCase()`, ... run before the length and pattern checks) and
 * regexes with flags (JSON Schema's `pattern` has none). The coordinator validates inputs against
 * the JSON Schema before dispatching, and accepts anything at such a node (the worker's zod
 * schema still decides), so that no input zod accepts is ever refused.
 */
export const LENIENT_INPUT_KEYWORD = "x-agnt5-lenient";

/** The JSON Schema of a component's input, with lenient nodes marked (see LENIENT_INPUT_KEYWORD). */
export function toInputJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (acceptsMoreThanItsJsonSchema(zodSchema)) (jsonSchema as JsonSchema)[LENIENT_INPUT_KEYWORD] = true;
    },
  }) as JsonSchema;
}

interface LooseDef {
  type: string;
  coerce?: boolean;
  in?: { _zod: { def: LooseDef } };
  checks?: Array<{ _zod: { def: { check: string; format?: string; pattern?: RegExp } } }>;
}

function acceptsMoreThanItsJsonSchema(schema: unknown): boolean {
  const def = (schema as { _zod: { def: LooseDef } })._zod.def;
  if (def.coerce) return true;
  if (def.type === "catch") return true;
  // z.preprocess(fn, inner) is a pipe from a transform: its JSON Schema is the inner schema's.
  if (def.type === "pipe" && def.in?._zod.def.type === "transform") return true;
  return (def.checks ?? []).some(({ _zod: { def: check } }) => {
    if (check.check === "overwrite") return true;
    return check.format === "regex" && (check.pattern?.flags ?? "").replace("u", "") !== "";
  });
}
