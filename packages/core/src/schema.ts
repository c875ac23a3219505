import { z } from "zod";
import { InputValidationError, type ValidationIssue } from "./errors.js";

/** JSON Schema document (draft 2020-12) as produced by zod. */
export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: z.ZodType): JsonSchema {
  // "input" describes what a caller may send (defaults make fields optional).
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** Validates with a zod schema, turning failures into InputValidationError with field paths. */
export function parseWithSchema<T>(
  schema: z.ZodType<T>,
  value: unknown,
  component: string,
  code: "INVALID_INPUT" | "INVALID_OUTPUT" = "INVALID_INPUT",
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw new InputValidationError(component, issues, code);
}

export interface ParameterMetadata {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

/**
 * The seed's "parameters" list, derived from an input schema: one entry per property of an object
 * schema, or a single "input" parameter for any other schema.
 */
export function parametersFromSchema(schema: JsonSchema | undefined): ParameterMetadata[] {
  if (!schema) return [{ name: "input", type: "any", required: false }];
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (schema.type === "object" && properties) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    return Object.entries(properties).map(([name, property]) => ({
      name,
      type: typeName(property),
      required: required.has(name) && !("default" in property),
      ...("default" in property ? { default: property.default } : {}),
      ...(typeof property.description === "string" ? { description: property.description } : {}),
    }));
  }
  return [{ name: "input", type: typeName(schema), required: true }];
}

export function typeName(schema: JsonSchema | undefined): string {
  if (!schema) return "any";
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(typeName).join(" | ");
  if ("enum" in schema) return "enum";
  if ("const" in schema) return JSON.stringify(schema.const);
  return "any";
}
