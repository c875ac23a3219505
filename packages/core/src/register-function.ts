import { type AnyFunctionDefinition, type FunctionOptions, fn } from "./function.js";
import { defaultRegistry, type Registry } from "./registry.js";

/** The seed's register_function(name, handler): registers a plain handler under a name. */
export function registerFunction(
  name: string,
  handler: (input: any, ctx: any) => unknown,
  options: Omit<FunctionOptions, "name" | "registry"> & { registry?: Registry } = {},
): AnyFunctionDefinition {
  const { registry = defaultRegistry, ...rest } = options;
  return fn({ ...rest, name, registry }, handler);
}
