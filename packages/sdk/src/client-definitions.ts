/**
 * Types that let the Client take an imported definition (`fn`, `workflow`, `entity`) instead of a
 * name, inferring input and output from it as `ctx.entity(Def, key)` does in handlers. At runtime only
 * the definition's `name` is read, so importing the definitions module costs only @agnt5/core.
 */
import type {
  AnyEntityDefinition,
  EntityDefinition,
  EntityProxyOf,
  FunctionDefinition,
  WorkflowDefinition,
} from "@agnt5/core";
import { Agnt5ClientError } from "./client-error.js";
import type { InvokeOptions } from "./client-types.js";

/** A function that answers one value (invoke / submit). */
export type ValueFunctionDefinition = FunctionDefinition<any, any, false>;
/** A function that streams chunks (stream). */
export type StreamingFunctionDefinition = FunctionDefinition<any, any, true>;
export type AnyWorkflow = WorkflowDefinition<any, any>;

export type DefinitionInput<D> =
  D extends FunctionDefinition<infer In, any, boolean> ? In : D extends WorkflowDefinition<infer In, any> ? In : never;
export type DefinitionOutput<D> =
  D extends FunctionDefinition<any, infer Out, boolean>
    ? Out
    : D extends WorkflowDefinition<any, infer Out>
      ? Out
      : never;

/** `[input, options?]`, the input optional when the definition accepts undefined (as when calling it). */
export type DefinitionArgs<D, Options> =
  undefined extends DefinitionInput<D>
    ? [input?: DefinitionInput<D>, options?: Options]
    : [input: DefinitionInput<D>, options?: Options];

/** The methods of an entity instance through the gateway: typed by an object-form definition, else untyped. */
export type ClientEntityProxy<D> = D extends EntityDefinition<any> ? EntityProxyOf<D> : never;

/** Options of a call by definition: which service registers it, when the Client's default is not it. */
export interface DefinitionCallOptions {
  service?: string;
}

function isDefinition(value: unknown): value is { readonly name: string; readonly kind: string } {
  return (typeof value === "function" || typeof value === "object") && value !== null && "kind" in value;
}

/**
 * Service and handler of a call by names (`service, handler, input?, options?`) or by definition
 * (`definition, input?, options?`, the service from the options or else `defaultService`).
 */
export function callTarget(
  method: string,
  first: unknown,
  rest: unknown[],
  defaultService: string | undefined,
): { service: string; handler: string; input: unknown; options: InvokeOptions } {
  if (typeof first === "string") {
    const [handler, input, options] = rest as [string, unknown, InvokeOptions | undefined];
    return { service: first, handler, input, options: options ?? {} };
  }
  if (!isDefinition(first)) {
    throw new TypeError(`${method}() takes a service name and a handler name, or a definition from fn()`);
  }
  const [input, options = {}] = rest as [unknown, (InvokeOptions & DefinitionCallOptions) | undefined];
  const { service = defaultService, ...callOptions } = options;
  if (service === undefined) {
    throw new Agnt5ClientError({
      message:
        `${method}(${first.name}) needs the service that registers ${first.name}: ` +
        `client.service("<name>").${method}(...), { service } in the options, or new Client(url, { service })`,
      status: 0,
      code: "INVALID_ARGUMENT",
    });
  }
  return { service, handler: first.name, input, options: callOptions };
}

export type { AnyEntityDefinition };
