import type { JsonSchema } from "@agnt5/core";
import { Ajv, type ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";

// One instance per dialect, created on first use: compiling is what costs, and each tool compiles once.
let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

/** One problem with a value: the field's path and what is wrong ("must be string", "is required"). */
export interface SchemaIssue {
  path: string[];
  message: string;
}

/**
 * Compiles a tool's JSON Schema (draft-07 by default, 2020-12 when `$schema` names it) into a check
 * returning one issue per problem, each naming its field. Throws when the schema itself is invalid.
 */
export function compileJsonSchema(schema: JsonSchema): (value: unknown) => SchemaIssue[] {
  const dialect = typeof schema.$schema === "string" && schema.$schema.includes("2020-12") ? "2020" : "07";
  const ajv = dialect === "2020" ? ajv2020() : ajv07();
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map(describeIssue));
}

function ajv07(): Ajv {
  draft07 ??= new Ajv({ allErrors: true, strict: false });
  return draft07;
}

function ajv2020(): Ajv2020 {
  draft2020 ??= new Ajv2020({ allErrors: true, strict: false });
  return draft2020;
}

function describeIssue(error: ErrorObject): SchemaIssue {
  const path = error.instancePath.split("/").slice(1).map(unescapePointer);
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { path: [...path, missing], message: "is required" };
  }
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { path: [...path, extra], message: "is not allowed" };
  }
  return { path, message: error.message ?? error.keyword };
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}
