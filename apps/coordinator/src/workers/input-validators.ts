import { InputValidationError, LENIENT_INPUT_KEYWORD, type ValidationIssue } from "@agnt5/core";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import type { ComponentInfo } from "./component-info.js";

/**
 * Input validation at the coordinator, from the JSON Schemas components register (generated from
 * zod by the SDK, draft 2020-12), so a call with bad input is refused before it is recorded or
 * dispatched. The worker's zod schema still runs: this check only ever refuses what zod refuses.
 */
export type InputValidator = (input: unknown) => InputValidationError | undefined;

/** The compiled input validators of one service's components, by component (entity methods: `<type>.<method>`). */
export type ServiceInputValidators = Map<string, { schemaText: string; validate: InputValidator }>;

const ajv = new Ajv2020({
  // zod emits annotations and formats ajv does not know: they are no reason to refuse a schema.
  strict: false,
  // Every issue at once, like zod.
  allErrors: true,
  // Formats are left to the worker's zod (which also emits its exact regex as `pattern`).
  validateFormats: false,
  // 0.3 is a multiple of 0.1 for zod; with exact float division it is not.
  multipleOfPrecision: 9,
  // Schemas are compiled once and kept by the service entry, not in ajv's own cache.
  addUsedSchema: false,
  logger: false,
  code: { regExp: patternRegExp() },
});

/**
 * Compiles the input schemas of a service's components at registration, reusing the validators of
 * the previous registration whose schema did not change (every worker of a service registers the
 * same schemas). A schema ajv cannot compile gets no validator (the worker still validates), and
 * `onSchemaError` says which.
 */
export function compileInputValidators(
  components: Iterable<ComponentInfo>,
  previous: ServiceInputValidators | undefined,
  onSchemaError: (component: string, error: Error) => void,
): ServiceInputValidators {
  const compiled: ServiceInputValidators = new Map();
  const add = (label: string, schema: unknown) => {
    if (schema === undefined || schema === null) return;
    const schemaText = JSON.stringify(schema);
    const reused = previous?.get(label);
    if (reused && reused.schemaText === schemaText) {
      compiled.set(label, reused);
      return;
    }
    try {
      compiled.set(label, { schemaText, validate: compileValidator(label, schema) });
    } catch (error) {
      onSchemaError(label, error as Error);
    }
  };
  for (const component of components) {
    if (component.kind === "entity") {
      for (const method of component.methods ?? []) add(`${component.name}.${method.name}`, method.inputSchema);
    } else {
      add(component.name, component.inputSchema);
    }
  }
  return compiled;
}

function compileValidator(label: string, schema: unknown): InputValidator {
  const prepared = withoutLenientNodes(schema);
  if (typeof prepared !== "object" && typeof prepared !== "boolean") {
    throw new Error("the input schema is neither an object nor a boolean");
  }
  const validate: ValidateFunction = ajv.compile(prepared as object);
  // ajv keeps every compiled schema in a cache keyed by the object; the service entry keeps ours.
  ajv.removeSchema(prepared as object);
  return (input) => (validate(input) ? undefined : new InputValidationError(label, issuesOf(validate.errors ?? [])));
}

/**
 * A copy of the schema in which every node marked LENIENT_INPUT_KEYWORD accepts anything and is
 * not required: zod may coerce, preprocess or catch a value there, even a missing one.
 */
function withoutLenientNodes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLenientNodes);
  if (typeof node !== "object" || node === null) return node;
  const record = node as Record<string, unknown>;
  if (record[LENIENT_INPUT_KEYWORD] === true) return {};
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) copy[key] = withoutLenientNodes(value);
  const properties = record.properties as Record<string, unknown> | undefined;
  if (Array.isArray(record.required) && properties && typeof properties === "object") {
    copy.required = record.required.filter(
      (name) => (properties[name] as Record<string, unknown> | undefined)?.[LENIENT_INPUT_KEYWORD] !== true,
    );
  }
  return copy;
}

/** ajv's errors as the worker reports zod's issues: a dotted field path and a message. */
function issuesOf(errors: ErrorObject[]): ValidationIssue[] {
  // A failed anyOf/oneOf reports each branch's errors too; the union's own error is enough.
  const unions = errors
    .filter((error) => error.keyword === "anyOf" || error.keyword === "oneOf")
    .map((error) => `${error.schemaPath}/`);
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (unions.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const issue = issueOf(error);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function issueOf(error: ErrorObject): ValidationIssue {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required") {
    return { path: [...path, String(params.missingProperty)].join("."), message: "Required" };
  }
  if (error.keyword === "additionalProperties") {
    return { path: [...path, String(params.additionalProperty)].join("."), message: "Unrecognized key" };
  }
  if (error.keyword === "anyOf" || error.keyword === "oneOf") {
    return { path: path.join("."), message: "Invalid input: matches none of the allowed shapes" };
  }
  return { path: path.join("."), message: `Invalid input: ${error.message ?? error.keyword}` };
}

/**
 * zod runs a pattern as a JavaScript regex, usually without the `u` flag; ajv compiles patterns
 * with it, which refuses some plain regexes (`[\w-.]`). Such a pattern is compiled without `u`.
 */
function patternRegExp() {
  const engine = (pattern: string, flags: string) => {
    try {
      return new RegExp(pattern, flags);
    } catch {
      return new RegExp(pattern, flags.replace("u", ""));
    }
  };
  return Object.assign(engine, { code: "RegExp" });
}
