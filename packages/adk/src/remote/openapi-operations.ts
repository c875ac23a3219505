import { type JsonSchema, TerminalError } from "@agnt5/core";

/** One argument of an operation: where it goes in the request and the key the model fills. */
export interface OperationParameter {
  /** The property of the tool's input. */
  key: string;
  /** The parameter's name in the request. */
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

/** An OpenAPI operation reduced to what a tool needs (built from a dereferenced spec). */
export interface OpenAPIOperation {
  operationId: string;
  /** The tool's name: the operationId with characters providers refuse replaced by "_". */
  toolName: string;
  method: string;
  /** The path template ("/pets/{petId}"). */
  path: string;
  description: string;
  parameters: OperationParameter[];
  /** The JSON request body's schema, sent as the input's `body` property. */
  body: { required: boolean; schema: JsonSchema } | undefined;
  inputSchema: JsonSchema;
}

/** An operation no tool can be made of (a non-JSON body): an error when selected, skipped otherwise. */
export interface UnsupportedOperation {
  operationId: string;
  unsupported: TerminalError;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const BODY_KEY = "body";

type SpecObject = Record<string, any>;

/**
 * Every operation of a dereferenced OpenAPI 3.x / Swagger 2.0 document. `skipHeaders` are headers the
 * caller sets itself (auth): they are not asked from the model.
 */
export function readOperations(
  spec: SpecObject,
  skipHeaders: ReadonlySet<string>,
): Array<OpenAPIOperation | UnsupportedOperation> {
  const operations: Array<OpenAPIOperation | UnsupportedOperation> = [];
  for (const [path, item] of Object.entries<SpecObject>(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation: SpecObject | undefined = item?.[method];
      if (operation === undefined) continue;
      const operationId: string = operation.operationId ?? `${method}_${path}`;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
      try {
        operations.push(buildOperation(operationId, method, path, parameters, operation, skipHeaders));
      } catch (error) {
        if (!TerminalError.isInstance(error)) throw error;
        operations.push({ operationId, unsupported: error });
      }
    }
  }
  return operations;
}

function buildOperation(
  operationId: string,
  method: string,
  path: string,
  rawParameters: SpecObject[],
  operation: SpecObject,
  skipHeaders: ReadonlySet<string>,
): OpenAPIOperation {
  // An operation's parameter overrides the path item's one of the same name and location.
  const byLocation = new Map<string, SpecObject>();
  for (const parameter of rawParameters) byLocation.set(`${parameter.in}:${parameter.name}`, parameter);
  const parameters: OperationParameter[] = [];
  let swaggerBody: SpecObject | undefined;
  for (const parameter of byLocation.values()) {
    if (parameter.in === "body") {
      swaggerBody = parameter;
      continue;
    }
    if (parameter.in !== "path" && parameter.in !== "query" && parameter.in !== "header") continue; // cookies: not sent
    if (parameter.in === "header" && skipHeaders.has(String(parameter.name).toLowerCase())) continue;
    const schema: JsonSchema = parameter.schema ?? swaggerParameterSchema(parameter);
    const description = parameter.description ?? schema.description;
    parameters.push({
      key: parameter.name,
      name: parameter.name,
      in: parameter.in,
      required: parameter.in === "path" || parameter.required === true,
      schema: description === undefined ? schema : { ...schema, description },
    });
  }
  // Two locations sharing a name (or a parameter named "body"): the later ones get their location as prefix.
  const keys = new Set<string>([BODY_KEY]);
  for (const parameter of parameters) {
    if (keys.has(parameter.key)) parameter.key = `${parameter.in}_${parameter.name}`;
    keys.add(parameter.key);
  }
  const body = requestBody(operation, swaggerBody, operationId);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    properties[parameter.key] = parameter.schema;
    if (parameter.required) required.push(parameter.key);
  }
  if (body !== undefined) {
    properties[BODY_KEY] = body.schema;
    if (body.required) required.push(BODY_KEY);
  }
  const summary = [operation.summary, operation.description].filter((text) => typeof text === "string" && text !== "");
  return {
    operationId,
    toolName: toolNameOf(operationId),
    method: method.toUpperCase(),
    path,
    description: summary.length > 0 ? summary.join("\n\n") : `${method.toUpperCase()} ${path}`,
    parameters,
    body,
    inputSchema: { type: "object", properties, required, additionalProperties: false },
  };
}

function requestBody(
  operation: SpecObject,
  swaggerBody: SpecObject | undefined,
  operationId: string,
): OpenAPIOperation["body"] {
  if (swaggerBody !== undefined) return { required: swaggerBody.required === true, schema: swaggerBody.schema ?? {} };
  const content: Record<string, SpecObject> | undefined = operation.requestBody?.content;
  if (content === undefined) return undefined;
  const json = Object.keys(content).find((type) => /^application\/(.+\+)?json\b/i.test(type));
  if (json === undefined) {
    return {
      required: operation.requestBody.required === true,
      schema: unsupportedBody(operationId, Object.keys(content)),
    };
  }
  const schema: JsonSchema = content[json]?.schema ?? {};
  const description = operation.requestBody.description;
  return {
    required: operation.requestBody.required === true,
    schema: description === undefined || schema.description !== undefined ? schema : { ...schema, description },
  };
}

/** A body only sent as JSON: an operation that takes another media type is refused when selected. */
function unsupportedBody(operationId: string, types: string[]): never {
  throw new TerminalError(
    `OpenAPI operation "${operationId}" takes its body as ${types.join(", ")}: only JSON bodies are supported; leave it out of \`operations\``,
    { code: "INVALID_DEFINITION" },
  );
}

/** Swagger 2.0 non-body parameters carry their schema inline. */
function swaggerParameterSchema(parameter: SpecObject): JsonSchema {
  const {
    name: _n,
    in: _in,
    required: _r,
    description: _d,
    collectionFormat: _c,
    allowEmptyValue: _a,
    ...schema
  } = parameter;
  return schema;
}

function toolNameOf(operationId: string): string {
  return operationId.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
}
